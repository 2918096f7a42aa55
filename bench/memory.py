#!/usr/bin/env python3
"""archsite memory benchmark: the peak RSS of a build at 10,000 pages, against its bound.

    python3 bench/memory.py [--pages 10000] [--runs 5] [--bin PATH] [--baseline PATH]
                            [--bound-mb 300] [--json PATH] [--quick]

The bound (issue #20: "memory under 300 MB at 10,000 pages") is 300 MB = 286 MiB of peak RSS;
the aim is 260 MiB, the figure before the one-walk structure of issue #22.

On the site of bench/gensite.py (target/bench-sites/N-1/, generated as run.py does, 10,000
pages by default), with the output on a tmpfs (/dev/shm when there is one):

  1. cold: one build of a fresh copy of the site with an empty cache folder
     (ARCHSITE_CACHE_DIR), what CI and a new user's first run do;
  2. warm: RUNS builds with the cache the cold build left (Mermaid verdicts), each into a new
     output folder: the figure issue #22's before/after table quotes.

Peak RSS, wall and CPU time (user + system) of each build come from os.wait4. With
--baseline PATH (another archsite binary, e.g. one built from an older commit) every step runs
for both binaries, alternated (baseline, then this one), so that both see the same load; the
table then has one row per binary and the ratio of the medians.

--quick (the test suite's smoke run: it proves the harness works) builds 50 pages once.
This is a benchmark, not a test: nothing is timed in CI. The exit status is 1 when a build
fails, or when the median warm peak of the binary measured (not the baseline) is over the
bound; 2 when archsite could not be built. Results as JSON in target/bench-memory.json.
Figures and method: docs/benchmarks.md (*Peak memory at 10,000 pages*).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import run as bench_run  # noqa: E402  (ensure_site, measure, cache_env, fresh_copy, discard)
import cargo_target  # noqa: E402

MIB = 1024 * 1024
# issue #20: "memory under 300 MB at 10,000 pages".
BOUND_MB = 300
AIM_MIB = 260


def build(binary: Path, site: Path, out: Path, cache: Path, log: Path) -> dict:
    cmd = [str(binary), "build", str(site), "--output", str(out), "--color", "never"]
    r = bench_run.measure(cmd, log, timeout=900, env=bench_run.cache_env(cache))
    if r["exit"] != 0 or r["timed_out"]:
        raise SystemExit("build failed (%s); log: %s\n%s" % (
            "timed out" if r["timed_out"] else "exit %d" % r["exit"], log,
            log.read_text(errors="replace")[-2000:]))
    return {"rss_mib": r["max_rss_kib"] / 1024, "wall_s": r["wall_s"],
            "cpu_s": round(r["user_s"] + r["sys_s"], 3)}


def median(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=5, help="warm builds per binary")
    ap.add_argument("--bin", help="archsite binary (default: cargo build --release)")
    ap.add_argument("--baseline", help="a second binary, measured alternately with --bin")
    ap.add_argument("--bound-mb", type=float, default=BOUND_MB,
                    help="fail when the median warm peak RSS is over this many MB (10^6 bytes)")
    ap.add_argument("--json", default=None)
    ap.add_argument("--quick", action="store_true", help="50 pages, 1 warm build")
    a = ap.parse_args(argv)
    if a.quick:
        a.pages, a.runs = 50, 1

    if a.bin:
        binary = Path(a.bin).resolve()
    else:
        try:
            binary = cargo_target.release_binary(quiet=True)
        except Exception as e:  # noqa: BLE001  (cargo's own message is in e)
            print("could not build archsite: %s" % e, file=sys.stderr)
            return 2
    binaries = [("this", binary)]
    if a.baseline:
        binaries.insert(0, ("baseline", Path(a.baseline).resolve()))
    sites = cargo_target.scratch("bench-sites")
    sites.mkdir(parents=True, exist_ok=True)
    site, _ = bench_run.ensure_site(a.pages, 1, sites)
    shm = Path("/dev/shm")
    work = Path(tempfile.mkdtemp(prefix="archsite-memory-", dir=shm if shm.is_dir() else None))
    results: dict[str, dict] = {name: {"cold": None, "warm": []} for name, _ in binaries}
    try:
        print("load average before: %.2f %.2f %.2f" % os.getloadavg(), file=sys.stderr)
        for name, b in binaries:
            copy = bench_run.fresh_copy(site, work / ("site-%s" % name))
            out = work / ("cold-%s" % name)
            results[name]["cold"] = build(b, copy, out, work / ("cache-%s" % name),
                                          work / ("cold-%s.log" % name))
            bench_run.discard(out, work)
            print("%s cold: %.1f MiB" % (name, results[name]["cold"]["rss_mib"]), file=sys.stderr)
        for i in range(a.runs):
            for name, b in binaries:
                out = work / ("warm-%s-%d" % (name, i))
                r = build(b, work / ("site-%s" % name), out, work / ("cache-%s" % name),
                          work / ("warm-%s-%d.log" % (name, i)))
                r["load"] = os.getloadavg()[0]
                results[name]["warm"].append(r)
                bench_run.discard(out, work)
                print("%s warm %d: %.1f MiB, %.2f s, CPU %.2f s, load %.1f"
                      % (name, i + 1, r["rss_mib"], r["wall_s"], r["cpu_s"], r["load"]),
                      file=sys.stderr)
    finally:
        bench_run.empty_trash()
        shutil.rmtree(work, ignore_errors=True)

    bound_mib = a.bound_mb * 1e6 / MIB
    print("\nPeak RSS of `archsite build`, %d generated pages (%s), output on %s; warm: "
          "median of %d, alternated%s.\n" % (a.pages, site.name, shm if shm.is_dir() else "disk",
                                             a.runs, " with the baseline" if a.baseline else ""))
    print("| binary | cold peak MiB | warm peak MiB (median, min–max) | warm wall s | warm CPU s "
          "| load |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, _ in binaries:
        w = results[name]["warm"]
        print("| %s | %.0f | **%.0f** (%.0f–%.0f) | %.2f | %.2f | %.1f–%.1f |" % (
            name, results[name]["cold"]["rss_mib"], median(w, "rss_mib"),
            min(r["rss_mib"] for r in w), max(r["rss_mib"] for r in w), median(w, "wall_s"),
            median(w, "cpu_s"), min(r["load"] for r in w), max(r["load"] for r in w)))
    if a.baseline:
        b, t = results["baseline"]["warm"], results["this"]["warm"]
        print("\nthis ÷ baseline (medians): peak RSS %.2f, wall %.2f, CPU %.2f" % (
            median(t, "rss_mib") / median(b, "rss_mib"), median(t, "wall_s") / median(b, "wall_s"),
            median(t, "cpu_s") / median(b, "cpu_s")))
    peak = median(results["this"]["warm"], "rss_mib")
    verdict = "within" if peak <= bound_mib else "OVER"
    print("\nBound: %g MB (%.0f MiB); aim %d MiB. Median warm peak %.0f MiB: %s the bound."
          % (a.bound_mb, bound_mib, AIM_MIB, peak, verdict))
    path = Path(a.json) if a.json else cargo_target.scratch("bench-memory.json")
    path.write_text(json.dumps({"pages": a.pages, "bound_mb": a.bound_mb,
                                "binaries": {n: str(b) for n, b in binaries},
                                "results": results}, indent=1) + "\n")
    return 0 if peak <= bound_mib else 1


if __name__ == "__main__":
    sys.exit(main())
