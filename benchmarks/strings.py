parts = []
for i in range(200000):
    parts.append(f"item-{i * 7 % 1000}-{i}")
joined = ",".join(parts)
back = joined.split(",")
lengths = {}
for s in back:
    n = len(s)
    lengths[n] = lengths.get(n, 0) + 1
print(len(back))
print(len(joined))
for k in sorted(lengths.keys()):
    print(f"{k}: {lengths[k]}")
print(back[123456].upper().replace("ITEM", "x"))
