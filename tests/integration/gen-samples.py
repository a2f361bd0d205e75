#!/usr/bin/env python3
"""gen-samples.py - writes a JSON Lines stream in the exact format of
docs/bench-output.md (env, sample..., end) with chosen per-cell medians
and spreads, so db import and the reports can be tested without running
the benchmark (which needs root and changes swap state).

A cell is given as BACKEND:SIZE:PROCS=MEDIAN_MS, e.g. zram:256M:1=61.82.

--mode exact (default): the per-run figures of a cell (mean over its
processes) are spread symmetrically around the median, and the middle
run is the median exactly (odd --runs), so a report must print exactly
that median.  Processes of a run get integer offsets that sum to zero,
so the run's mean is exactly the run figure.

--mode lognormal: per-run figures are MEDIAN * exp(N(0, spread)), with
per-process noise, from a seeded PRNG (deterministic).

--boots N writes N runs (env..end blocks: invocations, as N boots of the
kernel would), boot k started --step-minutes after boot k-1.  In exact
mode boot k's figures are shifted by MEDIAN * --boot-spread * (k -
(N-1)/2) / ((N-1)/2): symmetric, so with an odd N the median over all
runs is still MEDIAN exactly, and each boot's own median is MEDIAN *
(1 + its shift).  In lognormal mode each boot draws its own factor
exp(N(0, --boot-spread)), shared by all its cells and runs.
"""
import argparse, datetime, json, math, random, sys, uuid

UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}


def parse_size(s):
    s = s.upper().rstrip("B")
    return int(s[:-1]) * UNITS[s[-1]] if s[-1] in UNITS else int(s)


def parse_cell(spec):
    key, med = spec.split("=")
    backend, size, procs = key.split(":")
    return backend, parse_size(size), int(procs), float(med)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cells", nargs="+", help="BACKEND:SIZE:PROCS=MEDIAN_MS")
    ap.add_argument("--runs", type=int, default=11)
    ap.add_argument("--mode", choices=["exact", "lognormal"], default="exact")
    ap.add_argument("--spread", type=float, default=0.03,
                    help="relative spread of the per-run figures")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--uuid", help="run_uuid (default: from the seed)")
    ap.add_argument("--kernel-release", default="6.18.0")
    ap.add_argument("--kernel-version", default="#1 SMP PREEMPT_DYNAMIC")
    ap.add_argument("--cmdline", default="console=ttyS0 root=/dev/vda")
    ap.add_argument("--device", default="host")
    ap.add_argument("--hostname", default="lab1")
    ap.add_argument("--cpu-model", default="Cortex-A72")
    ap.add_argument("--arch", default="aarch64")
    ap.add_argument("--cpus", type=int, default=4)
    ap.add_argument("--thp-enabled", default="madvise")
    ap.add_argument("--zram-comp", default="lzo-rle")
    ap.add_argument("--zswap-comp", default="lzo")
    ap.add_argument("--zram-disksize", type=int, default=4 << 30, help="bytes")
    ap.add_argument("--drain-ms", type=float, default=None,
                    help="median drain time of every cell (default 2.5 x munmap)")
    ap.add_argument("--no-drain", action="store_true",
                    help="leave drain_ns/drained/cpu_ns out of the samples")
    ap.add_argument("--undrained", type=int, default=0,
                    help="number of runs per cell whose drain timed out")
    ap.add_argument("--thp-swpout", action="store_true",
                    help="add thp_swpout / thp_swpout_fallback (bench --thp)")
    ap.add_argument("--fio", action="store_true", help="add one fio line")
    ap.add_argument("--fio-bw", type=float, default=2048.0,
                    help="bandwidth of the fio line, MB/s (IOPS and latency follow)")
    ap.add_argument("--load", default="none", choices=["none", "cpu", "mem"],
                    help="the env record's background load (bench --load)")
    ap.add_argument("--no-end", action="store_true", help="cut the stream short")
    ap.add_argument("--boots", type=int, default=1, help="invocations (env..end blocks)")
    ap.add_argument("--boot-spread", type=float, default=0.01,
                    help="relative shift between the first and the middle boot")
    ap.add_argument("--started", default="2026-05-01T10:00:00Z", help="the first boot's start")
    ap.add_argument("--step-minutes", type=int, default=2, help="between boots")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    first = a.uuid or uuid.UUID(int=rng.getrandbits(128)).hex
    t0 = datetime.datetime.strptime(a.started, "%Y-%m-%dT%H:%M:%SZ")
    hb = (a.boots - 1) / 2
    for k in range(a.boots):
        if a.mode == "lognormal":
            shift = 0.0 if a.boots == 1 else rng.gauss(0, a.boot_spread)
        else:
            shift = 0.0 if a.boots == 1 else a.boot_spread * (k - hb) / max(hb, 1)
        ident = first if k == 0 else first[:-4] + "%04x" % ((int(first[-4:], 16) + k) % 65536)
        started = (t0 + datetime.timedelta(minutes=k * a.step_minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")
        one_run(a, rng, ident, started, shift)


def one_run(a, rng, run_uuid, started, shift):

    cells = [parse_cell(c) for c in a.cells]
    backends = list(dict.fromkeys(c[0] for c in cells))
    env = {
        "type": "env", "schema": 1,
        "run_uuid": run_uuid,
        "tool": "swapbench 0.1.0", "started": started,
        "hostname": a.hostname, "device": a.device,
        "kernel_release": a.kernel_release, "kernel_version": a.kernel_version,
        "kernel_cmdline": a.cmdline, "arch": a.arch, "cpu_model": a.cpu_model,
        "cpus": a.cpus, "mem_total_bytes": 8 << 30, "page_size": 4096,
        "thp_enabled": a.thp_enabled, "cpufreq_governor": "performance",
        "cpu_clock": "cpuacct", "backends": backends,
        "sizes_bytes": sorted(set(c[1] for c in cells)),
        "procs": sorted(set(c[2] for c in cells)), "runs": a.runs,
        "fill": "varied", "ratio": 3.0, "thp": "never", "load": a.load,
        "drain_timeout_ns": 10_000_000_000,
    }
    if "zram" in backends:
        env["zram"] = {"comp": a.zram_comp, "disksize_bytes": a.zram_disksize, "swap_priority": 100}
    if "zswap" in backends:
        env["zswap"] = {"compressor": a.zswap_comp, "max_pool_percent": 20,
                        "backing": "file", "backing_bytes": 4 << 30, "swap_priority": 10}
    out = sys.stdout
    out.write(json.dumps(env, separators=(",", ":")) + "\n")
    nsamples = 0
    for backend, size, procs, med in cells:
        m = round(med * 1e6)
        h = (a.runs - 1) / 2
        for r in range(a.runs):
            if a.mode == "exact":
                f = m if a.runs == 1 else round(m * (1 + a.spread * (r - h) / max(h, 1)))
                if r == a.runs // 2:
                    f = m
                f += round(m * shift)
            else:
                f = round(m * math.exp(rng.gauss(0, a.spread) + shift))
            d = max(1, round(f * a.spread / 2))
            offs = [(2 * j - (procs - 1)) * d for j in range(procs)]
            dm = a.drain_ms * 1e6 if a.drain_ms is not None else 2.5 * f
            drain = round(dm * (1 + a.spread * (r - h) / max(h, 1)))
            drained = r >= a.undrained
            if not drained:
                drain = env["drain_timeout_ns"]
            perrun = {
                "wall_ns": f + max(offs) + 1000, "pool_base_bytes": 1 << 20,
                "pool_before_bytes": size * procs // 3, "pool_peak_bytes": size * procs // 3,
                "pool_after_bytes": 1 << 20, "orig_bytes": size * procs,
                "notify_free": size * procs // 4096 if backend == "zram" else 0,
                "miss_free": 0, "zswpout": size * procs // 4096 if backend == "zswap" else 0,
                "pswpout": 0,
            }
            if a.thp_swpout:
                perrun.update({"thp_swpout": size // (2 << 20), "thp_swpout_fallback": r})
            if not a.no_drain:
                perrun.update({"drain_ns": drain, "drained": drained,
                               "cpu_ns": round(drain * 1.2)})
            for p in range(procs):
                s = {"type": "sample", "backend": backend,
                     "comp": a.zram_comp if backend == "zram" else a.zswap_comp,
                     "size_bytes": size, "procs": procs, "run": r + 1, "proc": p,
                     "munmap_ns": f + offs[p], "start_ns": 1000 + p * 500,
                     "swap_bytes": size, "rss_bytes": 0, "vmswap_bytes": size,
                     "fill_ns": size // 2, "pageout_ns": size, "pageout_passes": 1}
                s.update(perrun)
                out.write(json.dumps(s, separators=(",", ":")) + "\n")
                nsamples += 1
    if a.fio:
        bw = round(a.fio_bw * (1 << 20))
        out.write(json.dumps({"type": "fio", "job": "seqread.fio", "rw": "read",
                              "comp": a.zram_comp, "size_bytes": 1 << 30,
                              "bw_bytes": bw, "iops": bw / 4096 + 0.5,
                              "lat_mean_ns": round(4096e9 / bw), "runtime_ms": 10000},
                             separators=(",", ":")) + "\n")
    if not a.no_end:
        out.write(json.dumps({"type": "end", "status": "ok", "samples": nsamples},
                             separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
