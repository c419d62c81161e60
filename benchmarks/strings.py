parts = []
for i in range(50000):
    parts.append(f"item-{i}")
joined = ",".join(parts)
print(len(joined.split(",")))
