class Vec:
    def __init__(self, x, y):
        self.x = x
        self.y = y

    def add(self, o):
        return Vec(self.x + o.x, self.y + o.y)

    def scale(self, k):
        return Vec(self.x * k, self.y * k)

    def dot(self, o):
        return self.x * o.x + self.y * o.y


acc = Vec(0, 0)
total = 0
for i in range(1000000):
    v = Vec(i % 10, i % 7)
    acc = acc.add(v.scale(2))
    total += v.dot(acc) % 1000
print(f"{acc.x} {acc.y} {total}")
