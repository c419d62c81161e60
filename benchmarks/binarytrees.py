def make(d):
    return [None, None] if d == 0 else [make(d - 1), make(d - 1)]


def check(t):
    return 1 if t[0] is None else 1 + check(t[0]) + check(t[1])


max_depth = 14
min_depth = 4
stretch = max_depth + 1
print(f"stretch tree of depth {stretch}\t check: {check(make(stretch))}")
long_lived = make(max_depth)
d = min_depth
while d <= max_depth:
    iters = 1
    for _ in range(max_depth - d + min_depth):
        iters *= 2
    total = 0
    for _ in range(iters):
        total += check(make(d))
    print(f"{iters}\t trees of depth {d}\t check: {total}")
    d += 2
print(f"long lived tree of depth {max_depth}\t check: {check(long_lived)}")
