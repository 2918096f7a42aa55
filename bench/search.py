#!/usr/bin/env python3
"""archsite search benchmark: what the search index costs and what a query costs.

    python3 bench/search.py [--sizes 1000,10000] [--runs 3] [--quick] [--bin PATH]
                            [--no-browser] [--json PATH]

For each size N (the site of bench/gensite.py, generated into target/bench-sites/N-1/ as
run.py does):
  1. `archsite build --timings` RUNS times with search on (the default) and RUNS times with
     `search: false` (a sibling config that points at the same content), each into a fresh
     output folder on a tmpfs; reports the median wall time of both, and the median of the
     `search` stage that --timings prints (the index build alone);
  2. the index of the last build: total size and file count of search/, meta.js, the largest
     term shard, the mean page file;
  3. for the largest size, unless --no-browser: `node bench/search-query.mjs` runs QUERIES in
     headless Chromium RUNS times, each in fresh pages, on the output served on 127.0.0.1 by a
     stdlib HTTP/1.1 server and then from file://: the query from nothing (cold: index files
     load; also per step, and to its first hit), again (warm), pasted and typed into the box
     after a click (from the last input event to the first results shown and to all of
     them), and bytes of the /search/ files it loaded (per query, the medians of the runs).

Each build is also timed for CPU (user + system) and peak RSS (os.wait4), and built a second
time into the same folder with nothing changed (the index is then kept: `no-change rebuild`).

--quick (the test suite's smoke run): size 50, 1 run, the browser part only when Chromium and
tests/browser/node_modules are there. Nothing is asserted about time; the exit status is 1 when
a build fails, the index is missing, or a query finds nothing.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
import run as bench_run  # noqa: E402  (ensure_site, shared with run.py)
import cargo_target  # noqa: E402

QUERIES = ["아키텍처", "네트워크의", "운영환경", "gateway", "serv", "ingress 정책", "IAM", "캐시를"]


def build(binary: Path, site: Path, out: Path) -> tuple[float, float | None, float, float]:
    """Wall time of one build, its `search` stage (ms, from --timings), its CPU time (user +
    system, s) and its peak RSS (MB)."""
    t0 = time.perf_counter()
    p = subprocess.Popen([str(binary), "build", str(site), "--output", str(out), "--timings",
                          "--color", "never"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True)
    output = p.stdout.read()
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        raise SystemExit("build of %s failed:\n%s" % (site, output))
    m = re.search(r"search:\s+([\d.]+)\s*ms", output)
    return (wall, float(m.group(1)) if m else None, usage.ru_utime + usage.ru_stime,
            usage.ru_maxrss / 1024)


def index_stats(out: Path) -> dict:
    d = out / "search"
    if not (d / "meta.js").is_file():
        raise SystemExit("no search index in %s" % out)
    shards = [p.stat().st_size for p in (d / "t").iterdir()]
    pages = [p.stat().st_size for p in (d / "p").iterdir()]
    meta = (d / "meta.js").stat().st_size
    return {
        "files": len(shards) + len(pages) + 1,
        "bytes": sum(shards) + sum(pages) + meta,
        "meta_bytes": meta,
        "shards": len(shards),
        "shard_bytes": sum(shards),
        "largest_shard": max(shards),
        "page_files": len(pages),
        "mean_page_file": round(sum(pages) / max(len(pages), 1)),
    }


class Quiet(http.server.SimpleHTTPRequestHandler):
    # Keep-alive, as static hosts do: HTTP/1.0 would open a connection per file. Headers and
    # body are two writes, so without TCP_NODELAY a response waits out the client's delayed
    # ACK (40 ms) on a kept-alive connection.
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass


def browser_queries(out: Path, queries: list[str], scheme: str = "http") -> list[dict]:
    node_modules = REPO / "tests" / "browser" / "node_modules" / "playwright-core"
    chromium = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if not node_modules.is_dir() or not Path(chromium).exists() or not shutil.which("node"):
        print("(browser part skipped: needs node, %s and tests/browser/node_modules)" % chromium,
              file=sys.stderr)
        return []
    if scheme == "file":
        return run_queries((out / "index.html").as_uri(), queries)
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(out)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        return run_queries("http://127.0.0.1:%d/index.html" % server.server_address[1], queries)
    finally:
        server.shutdown()
        server.server_close()


def run_queries(url: str, queries: list[str]) -> list[dict]:
    r = subprocess.run(["node", str(HERE / "search-query.mjs"), url, *queries],
                       capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        raise SystemExit("search-query.mjs failed:\n%s%s" % (r.stdout, r.stderr))
    return [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]


def median_query(samples) -> dict:
    """One query's runs: the first run's sizes and counts, the medians of its times."""
    out = dict(samples[0])
    for k in ("cold_ms", "cold_first_ms", "warm_ms", "pasted_ms", "pasted_complete_ms", "typed_ms",
              "typed_complete_ms"):
        values = [q[k] for q in samples if q.get(k) is not None]
        out[k] = statistics.median(values) if values else None
    out["steps"] = {k: statistics.median(q["steps"][k] for q in samples)
                    for k in samples[0]["steps"]}
    return out


def print_queries(pages: int, where: str, qs: list[dict]) -> None:
    ms = lambda v: "%.1f" % v if v is not None else "–"  # noqa: E731
    pair = lambda q, k: "%s / %s" % (ms(q[k + "_ms"]), ms(q[k + "_complete_ms"]))  # noqa: E731
    print("\nQueries at %d pages %s (headless Chromium, fresh page each). Cold: from nothing, to "
          "the first hit's data / to all of it; pasted and typed (after a click in the box): "
          "from the last input event to the first results shown / to all of them.\n"
          % (pages, where))
    print("| query | cold ms, first / all | meta | shards | rank | first page file | all page "
          "files | warm ms | pasted ms | typed ms | KB loaded | files | pages found |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for q in qs:
        st = q["steps"]
        print("| %s | %s / %s | %s | %s | %s | %s | %s | %s | %s | %s | %.1f | %d | %d |" % (
            q["query"], ms(q["cold_first_ms"]), ms(q["cold_ms"]), ms(st["meta"]),
            ms(st["shards"]), ms(st["rank"]), ms(st["first"]), ms(st["pages"]), ms(q["warm_ms"]),
            pair(q, "pasted"), pair(q, "typed"), q["bytes"] / 1e3, q["files"], q["hits"]))

    def med(k, f=statistics.median):
        values = [q[k] for q in qs if q.get(k) is not None]
        return f(values) if values else None

    step = lambda k: statistics.median(q["steps"][k] for q in qs)  # noqa: E731
    kb = [q["bytes"] / 1e3 for q in qs]
    print("\nmedians (max): cold first %s ms (%s), cold all %s ms (%s; meta %s, shards %s, rank %s, "
          "first page file %s, all page files %s), warm %s ms, pasted first %s ms (%s), pasted all "
          "%s ms, typed first %s ms (%s), typed all %s ms, %.0f KB (%.0f)" % (
              ms(med("cold_first_ms")), ms(med("cold_first_ms", max)), ms(med("cold_ms")),
              ms(med("cold_ms", max)), ms(step("meta")), ms(step("shards")), ms(step("rank")),
              ms(step("first")), ms(step("pages")), ms(med("warm_ms")), ms(med("pasted_ms")),
              ms(med("pasted_ms", max)), ms(med("pasted_complete_ms")), ms(med("typed_ms")),
              ms(med("typed_ms", max)), ms(med("typed_complete_ms")), statistics.median(kb),
              max(kb)))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--bin")
    ap.add_argument("--no-browser", action="store_true")
    ap.add_argument("--json", default=str(cargo_target.scratch("bench-search.json")))
    a = ap.parse_args(argv)
    sizes = [50] if a.quick else [int(s) for s in a.sizes.split(",")]
    runs = 1 if a.quick else a.runs
    if a.bin:
        binary = Path(a.bin).resolve()
    else:
        binary = cargo_target.release_binary(quiet=True)
    sites = cargo_target.scratch("bench-sites")
    sites.mkdir(parents=True, exist_ok=True)
    shm = Path("/dev/shm")
    work = Path(tempfile.mkdtemp(prefix="archsite-search-", dir=shm if shm.is_dir() else None))
    results = []
    try:
        for n in sizes:
            site, _ = bench_run.ensure_site(n, 1, sites)
            # The same content without search: a sibling config pointing at it.
            off = work / ("off-%d" % n)
            off.mkdir()
            config = (site / "archsite.yaml").read_text(encoding="utf-8")
            (off / "archsite.yaml").write_text(
                config + "content: %s\nsearch: false\n" % (site / "content"), encoding="utf-8")
            on, off_runs, stage, again = [], [], [], []
            for i in range(runs):
                out = work / ("on-%d-%d" % (n, i))
                wall, ms, cpu, rss = build(binary, site, out)
                on.append((wall, cpu, rss))
                if ms is not None:
                    stage.append(ms)
                # The same build again, nothing changed: the index is kept.
                _, ms, _, _ = build(binary, site, out)
                if ms is not None:
                    again.append(ms)
                wall, _, cpu, rss = build(binary, off, work / ("off-out-%d-%d" % (n, i)))
                off_runs.append((wall, cpu, rss))
            stats = index_stats(out)
            med = lambda rows, k: statistics.median(r[k] for r in rows)  # noqa: E731
            row = {
                "pages": n,
                "runs": runs,
                "build_s": med(on, 0),
                "build_without_search_s": med(off_runs, 0),
                "cpu_s": med(on, 1),
                "cpu_without_search_s": med(off_runs, 1),
                "rss_mb": med(on, 2),
                "rss_without_search_mb": med(off_runs, 2),
                "index_ms": statistics.median(stage) if stage else None,
                "index_again_ms": statistics.median(again) if again else None,
                **stats,
            }
            if n == max(sizes) and not a.no_browser:
                # Each query RUNS times (fresh pages each time); per query, the medians.
                for scheme in ("http", "file"):
                    rounds = [browser_queries(out, QUERIES, scheme) for _ in range(runs)]
                    found = [median_query(q) for q in zip(*rounds)] if rounds[0] else []
                    row["queries" if scheme == "http" else "file_queries"] = found
                    if found and any(q["hits"] == 0 for q in found):
                        print("a query found nothing: %s" % found, file=sys.stderr)
                        return 1
            results.append(row)
            for i in range(runs):   # keep the tmpfs small
                shutil.rmtree(work / ("on-%d-%d" % (n, i)), ignore_errors=True)
                shutil.rmtree(work / ("off-out-%d-%d" % (n, i)), ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print("| pages | build s (search on / off) | CPU s (on / off) | peak RSS MB (on / off) | "
          "index build ms | no-change rebuild ms | index MB | files | meta KB | shards | "
          "largest shard KB | mean page file KB |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    opt = lambda v: "%.0f" % v if v is not None else "?"  # noqa: E731
    for r in results:
        print("| %d | %.2f / %.2f | %.2f / %.2f | %.0f / %.0f | %s | %s | %.1f | %d | %.1f | %d | "
              "%.1f | %.1f |" % (
                  r["pages"], r["build_s"], r["build_without_search_s"], r["cpu_s"],
                  r["cpu_without_search_s"], r["rss_mb"], r["rss_without_search_mb"],
                  opt(r["index_ms"]), opt(r["index_again_ms"]), r["bytes"] / 1e6, r["files"],
                  r["meta_bytes"] / 1e3, r["shards"], r["largest_shard"] / 1e3,
                  r["mean_page_file"] / 1e3))
    for r in results:
        for key, where in (("queries", "over HTTP/1.1 on 127.0.0.1"), ("file_queries", "from file://")):
            if r.get(key):
                print_queries(r["pages"], where, r[key])
    Path(a.json).parent.mkdir(parents=True, exist_ok=True)
    Path(a.json).write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
