#!/usr/bin/env python3
"""test_stats_ref.py - independent reference values for tests/unit/test_stats.c.

Brute force, no shared code with reports/stats.c: the null distribution of
U by recursion over arrangements, p-values by enumerating every split of
the pooled sample, the normal approximation from its textbook formula, and
Hodges-Lehmann intervals from all pairwise log ratios.  Prints what the C
test hard-codes; run it to re-derive them.

With --tap BINARY it is the live cross-check of the newer statistics
(see the end of the file), run by tests/unit/stats-ref.sh in `make check`."""
# Independent reference: brute-force enumeration of the Mann-Whitney null distribution.
import itertools, math, functools, sys
def out(*a):
    if "--tap" not in sys.argv:
        print(*a)
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
    out(n, m, crit(n, m, 0.05), crit(n, m, 0.01))
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
out("R example", exact_p(x, y))
x2 = [61.2, 63.0, 59.9, 62.4, 60.7, 61.9]; y2 = [8.6, 8.9, 8.4, 9.1, 8.7, 8.5, 60.0]
out("ex2", exact_p(x2, y2))
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
out("ties", normal_p(x3, y3))
import random
rng = random.Random(5)
x4 = [round(rng.lognormvariate(0, 0.3), 6) for _ in range(60)]
y4 = [round(rng.lognormvariate(0.15, 0.3), 6) for _ in range(70)]
out("x4", x4); out("y4", y4); out("big", normal_p(x4, y4))
# HL ratio CI for x2/y2 exact: k = crit+1
def hl_ci(x, y, a):
    d = sorted(math.log(p) - math.log(q) for p in x for q in y)
    k = crit(len(x), len(y), a) + 1; N = len(d)
    med = d[N//2] if N % 2 else (d[N//2-1] + d[N//2])/2
    return k, math.exp(d[k-1]), math.exp(d[N-k]), math.exp(med)
out("hl x2/y2", hl_ci(x2, y2, 0.05))
x5 = [61.82, 60.10, 63.40, 62.00, 59.80, 61.00, 64.20, 62.50, 60.90, 61.50]
y5 = [8.62, 8.40, 8.95, 8.70, 8.55, 8.80, 8.50, 8.66, 9.10, 8.59]
out("hl x5/y5", hl_ci(x5, y5, 0.05))


# ---------------------------------------------------------------------------
# Live cross-check (tests/unit/stats-ref.sh, part of `make check`):
#   test_stats_ref.py --tap BUILD/tests/test_stats
# sends cases to the C code (test_stats --xcheck) and compares its answers
# with computations here that share no algorithm with reports/stats.c and
# reports/verdict.c:
#   Student's t tail     numerical integration of the density (Simpson on
#                        the substitution x = t/u), not the incomplete beta
#   t quantile           checked through that tail
#   power                integral over Z of the chi-square CDF (series of
#                        the lower incomplete gamma), not over the spread
#   blocked t test       least squares on the design matrix (Gaussian
#                        elimination), not the closed form per block
#   Benjamini-Hochberg   the step-up rule as printed in the paper
#   Mann-Whitney, ties   enumeration of every split of the pooled sample
#   E-divisive           Q by explicit pair sums, the exact permutation
#                        p-value by enumerating every distinct assignment
#   the decision rule    Student t per comparison, BH, interval level
#                        1 - R alpha / m, quantile by bisection, min effect
# ---------------------------------------------------------------------------
import sys, subprocess, random

def t_pdf(x, df):
    return math.exp(math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - (df + 1) / 2 * math.log1p(x * x / df)) / math.sqrt(df * math.pi)

def t_sf2(t, df, steps=4000):
    """P(|T| >= |t|) = 2 * integral_0^1 f(t/u) t / u^2 du (u in (0, 1])."""
    t = abs(t)
    if t == 0:
        return 1.0
    h = 1.0 / steps
    total = 0.0
    for i in range(steps + 1):
        u = i * h
        if u == 0:
            g = 0.0  # f(t/u) t/u^2 -> 0 as u -> 0 for df >= 1 (decays like u^(df-1) * u^... ); df=1 limit below
            if df == 1:
                g = 1 / (math.pi * t)
        else:
            g = t_pdf(t / u, df) * t / (u * u)
        w = 1 if i in (0, steps) else (4 if i % 2 else 2)
        total += w * g
    return min(1.0, 2 * total * h / 3)

def t_quantile(p, df):
    lo, hi = 0.0, 1.0
    while t_sf2(hi, df) / 2 > p:
        hi *= 2
    for _ in range(60):
        mid = (lo + hi) / 2
        if t_sf2(mid, df) / 2 > p:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2

def gammainc_lower(a, x):
    """Regularized P(a, x) by its power series (all terms positive)."""
    if x <= 0:
        return 0.0
    term = 1.0 / a
    s = term
    n = 1
    while True:
        term *= x / (a + n)
        s += term
        n += 1
        if term < s * 1e-17 and n > x:
            break
    return min(1.0, math.exp(a * math.log(x) - x - math.lgamma(a)) * s)

def t_power(lam, df, alpha):
    """P(|Z + lam| / sqrt(V/df) > c) = E_Z[ P(V < df (Z + lam)^2 / c^2) ]."""
    c = t_quantile(alpha / 2, df)
    steps = 4000
    a, b = -12.0, 12.0
    h = (b - a) / steps
    total = 0.0
    for i in range(steps + 1):
        z = a + i * h
        phi = math.exp(-z * z / 2) / math.sqrt(2 * math.pi)
        g = phi * gammainc_lower(df / 2, df * (z + lam) ** 2 / (c * c) / 2)
        w = 1 if i in (0, steps) else (4 if i % 2 else 2)
        total += w * g
    return total * h / 3

def bh(p):
    n = len(p)
    order = sorted(range(n), key=lambda i: (p[i], i))
    adj = [0.0] * n
    run = 1.0
    for rank in range(n, 0, -1):
        i = order[rank - 1]
        run = min(run, p[i] * n / rank)
        adj[i] = run
    return adj

def solve(A, b):
    n = len(A)
    M = [row[:] + [b[i]] for i, row in enumerate(A)]
    for col in range(n):
        piv = max(range(col, n), key=lambda r: abs(M[r][col]))
        M[col], M[piv] = M[piv], M[col]
        for r in range(n):
            if r != col and M[r][col] != 0:
                f = M[r][col] / M[col][col]
                for k in range(col, n + 1):
                    M[r][k] -= f * M[col][k]
    return [M[i][n] / M[i][i] for i in range(n)]

def inverse00(A):
    n = len(A)
    e = [1.0] + [0.0] * (n - 1)
    return solve(A, e)[0]

def blocked_t(vals, sides, blocks):
    """Least squares of vals on [side == 0] + one indicator per block."""
    bl = sorted(set(blocks))
    X = [[1.0 if s == 0 else 0.0] + [1.0 if b == k else 0.0 for k in bl] for s, b in zip(sides, blocks)]
    p = len(X[0])
    XtX = [[sum(X[r][i] * X[r][j] for r in range(len(X))) for j in range(p)] for i in range(p)]
    Xty = [sum(X[r][i] * vals[r] for r in range(len(X))) for i in range(p)]
    beta = solve(XtX, Xty)
    res = [vals[r] - sum(X[r][j] * beta[j] for j in range(p)) for r in range(len(X))]
    df = len(vals) - p
    s2 = sum(e * e for e in res) / df
    se = math.sqrt(s2 * inverse00(XtX))
    t = beta[0] / se
    return beta[0], se, df, t, t_sf2(t, df)

def U(x, y):
    return sum((a > b) + 0.5 * (a == b) for a in x for b in y)

def mw_exact(x, y):
    n, m = len(x), len(y); pool = x + y; u0 = U(x, y); lo = hi = tot = 0
    for idx in itertools.combinations(range(n + m), n):
        s = set(idx)
        xs = [pool[i] for i in idx]; ys = [pool[i] for i in range(n + m) if i not in s]
        u = U(xs, ys); tot += 1
        lo += u <= u0; hi += u >= u0
    return u0, min(1.0, 2 * min(lo, hi) / tot)

def energy_q(groups, tau):
    L = [v for g in groups[:tau] for v in g]; R = [v for g in groups[tau:] for v in g]
    nl, nr = len(L), len(R)
    between = sum(abs(a - b) for a in L for b in R) / (nl * nr)
    wl = sum(abs(L[i] - L[j]) for i in range(nl) for j in range(i + 1, nl)) / (nl * (nl - 1) / 2) if nl > 1 else 0
    wr = sum(abs(R[i] - R[j]) for i in range(nr) for j in range(i + 1, nr)) / (nr * (nr - 1) / 2) if nr > 1 else 0
    return nl * nr / (nl + nr) * (2 * between - wl - wr)

def best_split(groups):
    best, at = None, None
    for tau in range(1, len(groups)):
        q = energy_q(groups, tau)
        if best is None or q > best:
            best, at = q, tau
    return at, best

def distinct_assignments(labels):
    """Every distinct ordering of a multiset of labels."""
    counts = {}
    for l in labels:
        counts[l] = counts.get(l, 0) + 1
    keys = sorted(counts)
    out = []
    def rec(prefix):
        if len(prefix) == len(labels):
            out.append(list(prefix)); return
        for k in keys:
            if counts[k]:
                counts[k] -= 1; prefix.append(k); rec(prefix); prefix.pop(); counts[k] += 1
    rec([])
    return out

def edivisive_exact(sizes, vals):
    K = len(sizes)
    groups, i = [], 0
    for s in sizes:
        groups.append(vals[i:i + s]); i += s
    at, q = best_split(groups)
    labels = [k for k in range(K) for _ in range(sizes[k])]
    hits = tot = 0
    for lab in distinct_assignments(labels):
        g = [[vals[j] for j in range(len(vals)) if lab[j] == k] for k in range(K)]
        qq = best_split(g)[1]
        hits += qq >= q - 1e-12 * abs(q); tot += 1
    return at, q, hits / tot

def decide(cmps, alpha, min_effect):
    """The rule of report.h: Student t on logs (one block), BH, 1 - R alpha / m, min effect."""
    tests = []
    for x, y in cmps:
        if len(x) < 3 or len(y) < 3:
            tests.append(None); continue
        lx = [math.log(v) for v in x]; ly = [math.log(v) for v in y]
        vals = lx + ly; sides = [0] * len(lx) + [1] * len(ly)
        d, se, df, t, p = blocked_t(vals, sides, [0] * len(vals))
        tests.append((d, se, df, p))
    idx = [i for i, t in enumerate(tests) if t]
    adj = bh([tests[i][3] for i in idx])
    R = sum(a <= alpha for a in adj)
    a_ci = max(R, 1) * alpha / max(len(idx), 1)
    out = []
    for i, t in enumerate(tests):
        if not t:
            out.append(None); continue
        d, se, df, p = t
        q = t_quantile(a_ci / 2, df)
        lo, hi = math.exp(d - q * se), math.exp(d + q * se)
        padj = adj[idx.index(i)]
        est = math.exp(d)
        sig = padj <= alpha and (lo > 1 or hi < 1)
        change = (1 / est - 1) * 100
        direction = 0 if not sig or abs(change) < min_effect else (1 if est > 1 else 2)
        out.append((direction, est, lo, hi, p, padj))
    return 1 - a_ci, out

def tap_main(binary):
    rng = random.Random(10)
    proc = subprocess.Popen([binary, "--xcheck"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    n = [0]
    failed = [0]
    def ask(line):
        proc.stdin.write(line + "\n"); proc.stdin.flush()
        return proc.stdout.readline().split()
    def ok(cond, what):
        n[0] += 1
        if not cond:
            failed[0] += 1
        print(("ok" if cond else "not ok") + " %d - %s" % (n[0], what))
    def close(a, b, rel=1e-7, abs_=1e-12):
        return abs(a - b) <= rel * abs(b) + abs_
    f = lambda x: "%.17g" % x

    # Student's t tail and quantile
    for t, df in [(0.5, 1), (2.5, 4), (4.3027, 2), (1.96, 30), (7.0, 5), (12.0, 3), (3.1, 10), (25.0, 8)]:
        got = float(ask("sf2 %s %s" % (f(t), f(df)))[0]); want = t_sf2(t, df)
        ok(close(got, want, 1e-8), "t tail P(|T| >= %g), df %g: %.12g (reference %.12g)" % (t, df, got, want))
    for p, df in [(0.025, 4), (0.025, 1), (0.0005, 6), (0.00125, 10), (0.1, 2)]:
        q = float(ask("tq %s %s" % (f(p), f(df)))[0])
        ok(close(t_sf2(q, df) / 2, p, 1e-8), "t quantile p %g df %g: %.10f has tail %.3g" % (p, df, q, t_sf2(q, df) / 2))
    # power and the minimum detectable effect
    for lam, df, a in [(2.0, 4, 0.05), (3.5, 10, 0.05), (1.0, 2, 0.1), (5.0, 18, 0.01)]:
        got = float(ask("power %s %s %s" % (f(lam), f(df), f(a)))[0]); want = t_power(lam, df, a)
        ok(close(got, want, 1e-6, 1e-9), "power, lambda %g df %g alpha %g: %.9f (reference %.9f)" % (lam, df, a, got, want))
    for df, a in [(4, 0.05), (10, 0.05)]:
        lam = float(ask("mde %s %s 0.8" % (f(df), f(a)))[0])
        ok(close(t_power(lam, df, a), 0.8, 1e-6), "minimum detectable effect df %g: %.6f se has power %.6f" % (df, lam, t_power(lam, df, a)))
    # Benjamini-Hochberg
    for k in range(5):
        m = rng.randint(1, 25)
        p = [rng.random() ** 3 for _ in range(m)]
        if k == 4:
            p = [0.01, 0.04, 0.04, 0.03, 0.5, 0.01]; m = len(p)
        got = [float(v) for v in ask("bh %d %s" % (m, " ".join(f(v) for v in p)))]; want = bh(p)
        ok(all(close(a, b, 1e-12) for a, b in zip(got, want)), "Benjamini-Hochberg, %d p-values" % m)
    # the blocked t test
    for k in range(12):
        nb = 1 if k < 4 else rng.randint(2, 4)
        vals, sides, blocks = [], [], []
        for b in range(nb):
            for s in (0, 1):
                cnt = rng.randint(1, 4) if k < 8 else 1
                for _ in range(cnt):
                    vals.append(rng.gauss(0.3 * s + 0.5 * b, 0.2)); sides.append(s); blocks.append(b)
        got = ask("cmp %d %s" % (len(vals), " ".join("%s %d %d" % (f(v), s, b) for v, s, b in zip(vals, sides, blocks))))
        if len(vals) - nb - 1 < 1:
            ok(got[0] == "0", "blocked t, too few values: no test"); continue
        d, se, df, t, p = blocked_t(vals, sides, blocks)
        g = [float(x) for x in got[1:]]
        ok(got[0] == "1" and close(g[0], d, 1e-9, 1e-12) and close(g[1], se, 1e-9) and g[2] == df and close(g[4], p, 1e-7),
           "blocked t test, %d values in %d block%s: d %.6f se %.6f df %g p %.6g (reference d %.6f se %.6f p %.6g)"
           % (len(vals), nb, "" if nb == 1 else "s", g[0], g[1], g[2], g[4], d, se, p))
    # Mann-Whitney with ties, exact
    cases = [([60, 60, 60], [56, 56, 56]), ([1, 2, 2, 3], [2, 3, 3, 4, 5]), ([5, 5, 6, 7, 7], [4, 5, 5, 6, 8, 8, 9])]
    for _ in range(4):
        cases.append(([rng.randint(0, 4) for _ in range(rng.randint(2, 6))], [rng.randint(0, 4) for _ in range(rng.randint(2, 7))]))
    for x, y in cases:
        got = ask("mw %d %d %s" % (len(x), len(y), " ".join(f(v) for v in x + y)))
        u, p = mw_exact(x, y)
        ok(float(got[0]) == u and close(float(got[1]), p, 1e-12) and got[2] == "1",
           "Mann-Whitney with ties %s vs %s: U %s p %s (enumerated %g %.6f)" % (x, y, got[0], got[1], u, p))
    # E-divisive, exact permutation p
    for sizes, vals in [([2, 2, 2], [1.0, 1.1, 1.05, 0.95, 3.0, 3.2]),
                        ([3, 3], [0.1, 0.3, 0.2, 0.25, 0.15, 0.35]),
                        ([1, 2, 2, 1], [5.0, 5.1, 4.9, 8.0, 8.2, 7.9]),
                        ([3, 3, 3], [rng.gauss(0, 1) for _ in range(9)])]:
        got = ask("cp %d %s %s" % (len(sizes), " ".join(map(str, sizes)), " ".join(f(v) for v in vals)))
        at, q, p = edivisive_exact(sizes, vals)
        ok(int(got[0]) == at and close(float(got[1]), q, 1e-9, 1e-12) and close(float(got[2]), p, 1e-12) and got[3] == "1",
           "E-divisive %s: boundary %s Q %.6f p %.6f (enumerated %d %.6f %.6f)" % (sizes, got[0], float(got[1]), float(got[2]), at, q, p))
    # the decision rule on a family
    for k in range(3):
        cmps = []
        for i in range(6 if k < 2 else 10):
            nx, ny = rng.randint(2, 6), rng.randint(3, 6)
            shift = [0, 0.05, 0.4, -0.3][rng.randint(0, 3)]
            cmps.append(([math.exp(rng.gauss(3, 0.1)) for _ in range(nx)], [math.exp(rng.gauss(3 + shift, 0.1)) for _ in range(ny)]))
        line = "decide %d 0.05 2 %s" % (len(cmps), " ".join("%d %d %s" % (len(x), len(y), " ".join(f(v) for v in x + y)) for x, y in cmps))
        got = ask(line)
        level, want = decide(cmps, 0.05, 2.0)
        good = close(float(got[0]), level, 1e-12)
        for i, w in enumerate(want):
            g = got[1 + 7 * i: 8 + 7 * i]
            if w is None:
                good &= g[6] == "0" and g[0] == "0"
            else:
                good &= int(g[0]) == w[0] and close(float(g[1]), w[1], 1e-9) and close(float(g[2]), w[2], 1e-7) \
                        and close(float(g[3]), w[3], 1e-7) and close(float(g[5]), w[5], 1e-7) and g[6] == "1"
        ok(good, "the decision rule, %d comparisons: marks, estimates, intervals (level %.5f), adjusted p" % (len(cmps), level))
    proc.stdin.close(); proc.wait()
    print("1..%d" % n[0])
    return 1 if failed[0] else 0

if __name__ == "__main__" and len(sys.argv) > 2 and sys.argv[1] == "--tap":
    sys.exit(tap_main(sys.argv[2]))
