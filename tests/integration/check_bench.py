#!/usr/bin/env python3
"""Checks a `swaplab bench --json` stream: complete, swap-filled, sane.

usage: check_bench.py FILE BACKEND SIZES PROCS RUNS
Prints TAP lines; exits 1 if any check failed.
"""
import json, os, statistics, sys

path, backend = sys.argv[1], sys.argv[2]
sizes = [int(s) for s in sys.argv[3].split(',')]
procs = [int(p) for p in sys.argv[4].split(',')]
runs = int(sys.argv[5])
n = 0
failed = 0

def ok(cond, what):
    global n, failed
    n += 1
    failed += not cond
    print(('ok' if cond else 'not ok'), n, '-', what)

lines = [json.loads(l) for l in open(path)]
ok(lines and lines[0]['type'] == 'env', 'stream starts with env')
ok(lines[-1] == {'type': 'end', 'status': 'ok', 'samples': len(lines) - 2}, 'stream ends ok with sample count')
env = lines[0]
for k in ('kernel_release', 'kernel_cmdline', 'cpu_model', 'cpus', 'mem_total_bytes', 'thp_enabled',
          'cpufreq_governor', 'tool', 'run_uuid'):
    ok(k in env, 'env has ' + k)
ok(backend in env, 'env has the %s parameters' % backend)
samples = [l for l in lines if l['type'] == 'sample']
ok(len(samples) == runs * len(sizes) * sum(procs), '%d samples' % (runs * len(sizes) * sum(procs)))
ok(all(s['backend'] == backend for s in samples), 'all samples are ' + backend)
ok(all(s['swap_bytes'] >= s['size_bytes'] * 0.99 for s in samples), 'every VMA was >=99% swapped')
ok(all(s['munmap_ns'] > 0 for s in samples), 'every latency is positive')
ok(all(s['wall_ns'] >= s['munmap_ns'] for s in samples), 'group wall time covers each process')
ok(all(s['drained'] and s['drain_ns'] > 0 for s in samples), 'memory came back within the timeout')
ok(all(s['pool_before_bytes'] > s['pool_base_bytes'] for s in samples), 'backend held the pages before munmap')
# 'drained' must agree with the numbers: back within 1% (at least 64 pages
# per CPU, the pre-6.15 swap-slot cache) of the level before the fill.
slack = lambda s: max((s['pool_before_bytes'] - s['pool_base_bytes']) // 100, 64 * 4096 * env['cpus'])
ok(all(s['pool_after_bytes'] <= s['pool_base_bytes'] + slack(s) for s in samples if s['drained']),
   'drained runs ended back at their pre-fill pool level')
ok(all(s['cpu_ns'] > 0 for s in samples), 'CPU time recorded')
keys = {'backend', 'size_bytes', 'procs', 'run', 'proc', 'munmap_ns', 'swap_bytes', 'drain_ns', 'cpu_ns',
        'notify_free', 'miss_free', 'pool_peak_bytes'}
ok(all(keys <= set(s) for s in samples), 'samples carry the documented fields')
if backend == 'zram':
    ok(all(s['notify_free'] >= s['size_bytes'] // 4096 * 0.99 * s['procs'] for s in samples),
       'zram notify_free counted the freed slots')
else:
    ok(all(s['pswpout'] == 0 for s in samples), 'nothing fell through to the backing device')
    ok(all(s['zswpout'] >= s['size_bytes'] // 4096 * s['procs'] * 0.99 for s in samples), 'zswap stored the pages')
# The fastest run of a cell: the one least disturbed by whatever else the
# machine runs (3 runs; a loaded host puts its outliers in the median).
def fastest(size, p):
    runs_ = {}
    for s in samples:
        if s['size_bytes'] == size and s['procs'] == p:
            runs_.setdefault(s['run'], []).append(s['munmap_ns'])
    return min(statistics.mean(v) for v in runs_.values())
if len(sizes) >= 2:
    r = fastest(sizes[1], 1) / fastest(sizes[0], 1)
    expect = sizes[1] / sizes[0]
    ok(r > 1 + (expect - 1) * 0.15, 'latency grows with size: %gx size gives %.2fx latency (fastest runs)' % (expect, r))
sys.exit(1 if failed else 0)
