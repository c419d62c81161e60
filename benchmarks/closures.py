def make_adder(n):
    return lambda x: x + n


adders = []
for i in range(1000000):
    adders.append(make_adder(i % 100))
total = 0
for f in adders:
    total += f(1)
counter = 0


def bump():
    global counter
    counter += 1
    return counter


for _ in range(1000000):
    bump()
evens = [x for x in map(lambda f: f(0), adders) if x % 2 == 0]
print(total)
print(counter)
print(len(evens))
