vocab = "the of and to in is that it was for on are as with his they at be this from have or by one had not but what all were when we there can an your which their said if do will each about how up out them then she many some so these would other into has more her two like him see time could no make than first been its who now people my made over did down only way find use may water long little very after words called just where most know".split()
words = []
seed = 42
for _ in range(1000000):
    seed = (seed * 1103515245 + 12345) % 2147483648
    words.append(vocab[seed // 65536 % len(vocab)])
text = " ".join(words)
counts = {}
for w in text.split():
    counts[w] = counts.get(w, 0) + 1
top = sorted(counts.items(), key=lambda kv: [-kv[1], kv[0]])
for kv in top[:5]:
    print(f"{kv[0]} {kv[1]}")
print(len(counts))
