#!/usr/bin/env bash
# The benchmark's own efficiency figures:
#  1. fill+page-out (set-up) throughput of the bench against the kernel's
#     own page-out alone (MADV_PAGEOUT on the same data) and against fio's
#     sequential write bandwidth on a zram device of the same size and
#     compressor (how close the set-up phase comes to what the kernel and
#     the device can take);
#  2. spread (coefficient of variation) of 256M single-process zram munmap
#     latency over 10 runs (how many runs a report needs).
set -eu
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
size=${SIZE:-256M}
"$SWAPLAB" bench --backend zram --sizes "$size" --procs 1 --runs 10 --json --quiet >"$tmp/bench.jsonl"
"$SWAPLAB" bench --suite fio --fio-size "$size" --json --quiet >"$tmp/fio.jsonl"
python3 - "$tmp/bench.jsonl" "$tmp/fio.jsonl" <<'PY'
import json, statistics, sys
b = [json.loads(l) for l in open(sys.argv[1])]
f = [json.loads(l) for l in open(sys.argv[2])]
env = b[0]
s = [x for x in b if x['type'] == 'sample']
comp = s[0]['comp']
size = s[0]['size_bytes']
fill = statistics.median(x['size_bytes'] / ((x['fill_ns'] + x['pageout_ns']) / 1e9) for x in s) / 2**20
pageout = statistics.median(x['size_bytes'] / (x['pageout_ns'] / 1e9) for x in s) / 2**20
fillonly = statistics.median(x['size_bytes'] / (x['fill_ns'] / 1e9) for x in s) / 2**20
w = [x for x in f if x['type'] == 'fio' and x['rw'] == 'write' and x['name'] == '1-seq-write'][0]
fio = w['bw_bytes'] / 2**20
lat = [x['munmap_ns'] / 1e6 for x in s]
cv = statistics.stdev(lat) / statistics.mean(lat) * 100
print(f"kernel {env['kernel_release']}, {env['cpus']} CPUs, {env['cpu_model']}, zram {comp}, {size >> 20} MiB")
print(f"fill+pageout throughput (median of {len(s)}):  {fill:8.1f} MiB/s")
print(f"  fill alone:                               {fillonly:8.1f} MiB/s")
print(f"  MADV_PAGEOUT alone:                       {pageout:8.1f} MiB/s")
print(f"set-up / MADV_PAGEOUT alone (issue 15: 0.8): {fill / pageout:8.2f}")
print(f"fio sequential write on zram (128k, direct): {fio:8.1f} MiB/s")
print(f"bench fill+pageout / fio write:              {fill / fio:8.2f}")
print(f"munmap latency, {len(lat)} runs: median {statistics.median(lat):.2f} ms, "
      f"min {min(lat):.2f}, max {max(lat):.2f}, CV {cv:.1f}%")
PY
