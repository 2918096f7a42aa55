#!/usr/bin/env python3
"""Live-preview benchmark in the browser: from a save to the new text painted in Chromium.

    python3 bench/preview.py                         # sample site + 1,000 pages, 20 edits each
    python3 bench/preview.py --quick                 # CI smoke: sample site, 3 edits
    python3 bench/preview.py --sites sample,1000,10000 --edits 30
    python3 bench/preview.py --bin path/to/archsite  # skip `cargo build --release`

For each site it copies the site (archsite.yaml + content/) to a temp folder, starts
`archsite serve COPY --port 0 --timings` (bench/serve.py's Server), opens a page that draws a
Mermaid diagram in headless Chromium (`node bench/preview-paint.mjs`, playwright-core from
tests/browser/node_modules) and, --edits times after one warm-up edit, appends a sentence to the
page's Markdown as editors save (a temporary file renamed over it), --gap-ms apart. For each
edit it reports:

  save->painted  from just before the write to the animation frame that draws the sentence;
  save->event    until live.js received the server's `reload` event;
  save->fetched  until live.js had the page's new HTML;
  save->morphed  until the new HTML was morphed into the open page;
  rebuild        the server's own `Rebuilt in N ms` for that edit;
  reloads        edits after which the page had been reloaded (0 for an in-place update);
  redrawn        diagrams mermaid drew again although their source had not changed.

The page's diagrams must stay the same elements (kept) and none may be drawn again: a
non-zero `redrawn` or a reload fails the run (exit 1), as does an edit not painted within 15 s.
Medians and 90th percentiles; the machine's load average is printed with them (the figures
are only comparable at similar load). Markdown table on stdout, progress on stderr, everything
in target/bench-preview.json (--json PATH).

--quick (the test suite's smoke run): the sample site, 3 edits; skipped (exit 0) when Chromium,
node or tests/browser/node_modules are missing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
import cargo_target  # noqa: E402
import serve as bench_serve  # noqa: E402  (Site, Server, copy_site: shared with serve.py)

# The generated sites draw a diagram on every tenth page: edit one of those.
GENERATED_PAGE = ("content/s00/t00/page-00010.md", "s00/t00/page-00010.html")


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def site_for(name: str) -> bench_serve.Site:
    if name == "sample":
        return bench_serve.sample_site()
    site = bench_serve.generated_site(int(name))
    site.page_md, site.page_html = GENERATED_PAGE
    return site


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile, by linear interpolation between the closest ranks."""
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def measure(binary: Path, site: bench_serve.Site, edits: int, gap_ms: int) -> dict:
    copy = bench_serve.copy_site(site)
    server = None
    try:
        server = bench_serve.Server(binary, copy, timeout=300)
        url = f"http://{bench_serve.HOST}:{server.port}/{site.page_html}"
        log(f"{site.name}: {edits} edits of {site.page_md} at {url}")
        started = time.perf_counter()
        r = subprocess.run(["node", str(HERE / "preview-paint.mjs"), url, str(copy / site.page_md),
                            str(edits), str(gap_ms)],
                           capture_output=True, text=True, timeout=120 + edits * 20)
        if r.returncode != 0:
            raise bench_serve.BenchError(f"preview-paint.mjs failed on {site.name}:\n{r.stdout}{r.stderr}")
        lines = [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]
        samples = [line for line in lines if "ms" in line]
        done = next((line for line in lines if line.get("done")), {})
        rebuilds = [int(m.group(1)) for t, line in server.lines if t >= started
                    for m in [re.match(r"Rebuilt in (\d+) ms", line)] if m]
        return {"site": site.name, "pages": site.pages, "page": site.page_md, "samples": samples,
                "page_diagrams": done.get("page_diagrams"), "rebuild_ms": rebuilds[1:]}
    finally:
        if server:
            server.stop()
        shutil.rmtree(copy, ignore_errors=True)


def summary(result: dict) -> dict:
    s = result["samples"]

    def stat(key: str) -> tuple[float | None, float | None]:
        values = [x[key] for x in s if x.get(key) is not None]
        if not values:
            return None, None
        return statistics.median(values), percentile(values, 90)

    out = {k: stat(k) for k in ("ms", "event", "fetched", "morphed")}
    rebuild = result["rebuild_ms"]
    out["rebuild"] = (statistics.median(rebuild), percentile(rebuild, 90)) if rebuild else (None, None)
    out["reloads"] = sum(1 for x in s if x["reloaded"])
    out["redrawn"] = sum(x["redrawn"] for x in s)
    out["kept"] = min((x["kept"] for x in s), default=0)
    return out


def fmt(pair: tuple[float | None, float | None]) -> str:
    med, p90 = pair
    return "–" if med is None else f"{med:.0f} / {p90:.0f}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sites", default="sample,1000", help="comma-separated: sample and/or page counts")
    ap.add_argument("--edits", type=int, default=20)
    ap.add_argument("--gap-ms", type=int, default=400, help="time between edits")
    ap.add_argument("--bin", type=Path, help="archsite binary (default: cargo build --release)")
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--quick", action="store_true", help="smoke run: sample site, 3 edits")
    args = ap.parse_args()
    if args.quick:
        args.sites, args.edits = "sample", 3
    chromium = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if not ((REPO / "tests/browser/node_modules/playwright-core").is_dir() and Path(chromium).exists()
            and shutil.which("node")):
        log(f"(skipped: needs node, {chromium} and tests/browser/node_modules)")
        return 0
    binary = args.bin or cargo_target.release_binary()
    if binary is None:
        return 2
    results = []
    try:
        for name in args.sites.split(","):
            results.append(measure(binary, site_for(name.strip()), args.edits, args.gap_ms))
    except bench_serve.BenchError as e:
        log(f"error: {e}")
        return 1
    load = os.getloadavg()
    print(f"\nsave → painted in Chromium, ms, median / p90 ({args.edits} edits per site, "
          f"{args.gap_ms} ms apart; load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}, "
          f"{os.cpu_count()} cores)\n")
    print("| site | pages | save→painted | save→event | save→fetched | save→morphed | rebuild | reloads | diagrams kept | redrawn |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    failed = False
    for r in results:
        s = summary(r)
        r["summary"] = s
        print(f"| {r['site']} | {r['pages']:,} | {fmt(s['ms'])} | {fmt(s['event'])} | {fmt(s['fetched'])} | "
              f"{fmt(s['morphed'])} | {fmt(s['rebuild'])} | {s['reloads']} | {s['kept']}/{r['page_diagrams']} | {s['redrawn']} |")
        if s["reloads"] or s["redrawn"] or s["kept"] != r["page_diagrams"]:
            log(f"{r['site']}: the page was reloaded or a diagram drawn again")
            failed = True
    out = args.json or cargo_target.scratch("bench-preview.json")
    out.write_text(json.dumps({"results": results, "load": load, "machine": platform.platform(),
                               "cores": os.cpu_count()}, indent=1, ensure_ascii=False) + "\n")
    log(f"wrote {out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
