#!/usr/bin/env python3
"""test_stats_ref.py - independent reference values for tests/unit/test_stats.c.

Brute force, no shared code with reports/stats.c: the null distribution of
U by recursion over arrangements, p-values by enumerating every split of
the pooled sample, the normal approximation from its textbook formula, and
Hodges-Lehmann intervals from all pairwise log ratios.  Prints what the C
test hard-codes; run it to re-derive them."""
# Independent reference: brute-force enumeration of the Mann-Whitney null distribution.
import itertools, math, functools
@functools.lru_cache(None)
def f(n, m, u):
    # number of arrangements of n x's and m y's with U = u (recursion on the largest element)
    if u < 0: return 0
    if n == 0 or m == 0: return 1 if u == 0 else 0
    return f(n-1, m, u-m) + f(n, m-1, u)
def crit(n, m, a):
    tot = math.comb(n+m, n); c = -1; s = 0
    for u in range(n*m+1):
        s += f(n, m, u)
        if s / tot > a/2: break
        c = u
    return c
for n, m in [(4,4),(5,5),(6,6),(7,7),(8,8),(9,9),(10,10),(11,11),(12,12),(15,15),(20,20),(5,10),(8,12),(3,3),(3,4)]:
    print(n, m, crit(n, m, 0.05), crit(n, m, 0.01))
def U(x, y):
    return sum((a > b) + 0.5*(a == b) for a in x for b in y)
def exact_p(x, y):
    n, m = len(x), len(y); pool = x + y; u0 = U(x, y); lo = hi = 0; tot = 0
    for idx in itertools.combinations(range(n+m), n):
        xs = [pool[i] for i in idx]; ys = [pool[i] for i in range(n+m) if i not in idx]
        u = U(xs, ys); tot += 1
        lo += u <= u0; hi += u >= u0
    return u0, min(1, 2*min(lo, hi)/tot)
x = [0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46]
y = [1.15, 0.88, 0.90, 0.74, 1.21]
print("R example", exact_p(x, y))
x2 = [61.2, 63.0, 59.9, 62.4, 60.7, 61.9]; y2 = [8.6, 8.9, 8.4, 9.1, 8.7, 8.5, 60.0]
print("ex2", exact_p(x2, y2))
# normal approximation with ties and continuity correction
def normal_p(x, y):
    n, m = len(x), len(y); N = n+m; pool = sorted(x+y)
    from collections import Counter
    T = sum(t**3 - t for t in Counter(pool).values())
    var = n*m/12*((N+1) - T/(N*(N-1)))
    u = U(x, y); z = max(0, (abs(u - n*m/2) - 0.5)/math.sqrt(var))
    return u, z, math.erfc(z/math.sqrt(2))
x3 = [10, 12, 12, 15, 17, 17, 17, 20, 22, 25, 30, 31]
y3 = [9, 10, 11, 12, 12, 13, 14, 17, 18, 18, 19, 21, 23]
print("ties", normal_p(x3, y3))
import random
rng = random.Random(5)
x4 = [round(rng.lognormvariate(0, 0.3), 6) for _ in range(60)]
y4 = [round(rng.lognormvariate(0.15, 0.3), 6) for _ in range(70)]
print("x4", x4); print("y4", y4); print("big", normal_p(x4, y4))
# HL ratio CI for x2/y2 exact: k = crit+1
def hl_ci(x, y, a):
    d = sorted(math.log(p) - math.log(q) for p in x for q in y)
    k = crit(len(x), len(y), a) + 1; N = len(d)
    med = d[N//2] if N % 2 else (d[N//2-1] + d[N//2])/2
    return k, math.exp(d[k-1]), math.exp(d[N-k]), math.exp(med)
print("hl x2/y2", hl_ci(x2, y2, 0.05))
x5 = [61.82, 60.10, 63.40, 62.00, 59.80, 61.00, 64.20, 62.50, 60.90, 61.50]
y5 = [8.62, 8.40, 8.95, 8.70, 8.55, 8.80, 8.50, 8.66, 9.10, 8.59]
print("hl x5/y5", hl_ci(x5, y5, 0.05))
