total = 0
i = 0
while i < 20000000:
    total += i % 7 * 3 - 1
    i += 1
print(total)
