#!/usr/bin/env python3
"""Benchmark: what checking Mermaid diagrams at build time costs.

    python3 bench/mermaid.py                  # sample site, 1,000 pages, serve edits
    python3 bench/mermaid.py --quick          # CI smoke: 1 run each, 100 pages, 2 edits
    python3 bench/mermaid.py [--bin PATH] --runs 7 --pages 1000

1. The sample site (its 8 diagrams: 4 ```mermaid blocks, 4 .mmd files): `archsite build
   --timings`, cold (a new, empty cache folder per run, ARCHSITE_CACHE_DIR, so mermaid's
   parser is loaded and every diagram parsed) and warm (verdicts from the cache of the warm-up
   build). Reports the median build and the median `diagrams` stage.
2. A generated site of --pages pages (bench/gensite.py: a ```mermaid block on every 10th page,
   each one different): cold, warm, and the same site with the blocks removed, so that the
   difference is what the diagrams cost.
3. `archsite serve` on the sample site: --edits edits of a diagram's label in
   physical-architecture-dev.md (a new diagram each time: the warm engine parses it) and as
   many edits of the same page's prose (the diagrams unchanged: their verdicts are reused);
   median save -> reload event and the server's rebuild time.

Markdown tables on stdout, progress on stderr. Stdlib only (Python 3.11). Nothing is asserted
about speed: exit 1 only when a build fails or an edit is not seen.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
import serve as serve_bench  # noqa: E402  (the serve benchmark's server and event stream)
import cargo_target  # noqa: E402

FENCE = re.compile(r"^```mermaid\n.*?^```\n", re.M | re.S)


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def build_once(binary: Path, site: Path, cache: Path | None) -> dict:
    """One build of `site` with `cache` as archsite's cache root (None: a new, empty one)."""
    fresh = cache is None
    if fresh:
        cache = Path(tempfile.mkdtemp(prefix="archsite-mermaid-bench-cache-"))
    out = Path(tempfile.mkdtemp(prefix="archsite-mermaid-bench-out-"))
    shutil.rmtree(out)
    t0 = time.perf_counter()
    r = subprocess.run([str(binary), "build", str(site), "--output", str(out), "--timings"],
                       capture_output=True, text=True,
                       env={**os.environ, "NO_COLOR": "1", "ARCHSITE_CACHE_DIR": str(cache)})
    wall = time.perf_counter() - t0
    shutil.rmtree(out, ignore_errors=True)
    if fresh:
        shutil.rmtree(cache, ignore_errors=True)
    if r.returncode != 0:
        raise SystemExit(f"build of {site} failed:\n{r.stderr[-2000:]}")
    stage = re.search(r"diagrams:\s+([\d.]+) ms", r.stderr)
    return {"wall_ms": wall * 1000, "diagrams_ms": float(stage.group(1)) if stage else None}


def series(binary: Path, site: Path, cold: bool, runs: int) -> dict:
    warm = Path(tempfile.mkdtemp(prefix="archsite-mermaid-bench-cache-"))
    build_once(binary, site, warm)  # warm-up (files in the page cache, verdicts in `warm`)
    rs = [build_once(binary, site, None if cold else warm) for _ in range(runs)]
    shutil.rmtree(warm, ignore_errors=True)
    med = lambda key: statistics.median(r[key] for r in rs if r[key] is not None)  # noqa: E731
    return {"wall_ms": med("wall_ms"), "diagrams_ms": med("diagrams_ms"), "runs": runs}


def copy_site(src: Path, strip_diagrams: bool = False) -> Path:
    tmp = Path(tempfile.mkdtemp(prefix="archsite-mermaid-bench-"))
    if (src / "archsite.yaml").is_file():
        shutil.copy2(src / "archsite.yaml", tmp / "archsite.yaml")
    shutil.copytree(src / "content", tmp / "content")
    if strip_diagrams:
        for md in (tmp / "content").rglob("*.md"):
            text = md.read_text(encoding="utf-8")
            if "```mermaid" in text:
                md.write_text(FENCE.sub("", text), encoding="utf-8")
    return tmp


def count_diagrams(site: Path) -> int:
    blocks = sum(len(FENCE.findall(p.read_text(encoding="utf-8"))) for p in (site / "content").rglob("*.md"))
    return blocks + sum(1 for _ in (site / "content").rglob("*.mmd"))


def serve_edits(binary: Path, edits: int, timeout: float) -> dict:
    site = copy_site(REPO)
    page = site / "content" / "physical-architecture-dev.md"
    original = page.read_text(encoding="utf-8")
    server = serve_bench.Server(binary, site, timeout)
    stream = serve_bench.EventStream(server.port)
    results = {"diagram": [], "prose": [], "diagram_rebuild": [], "prose_rebuild": [], "failures": []}
    try:
        stream.hello(timeout)
        for i in range(2 * edits + 2):  # two warm-up edits, then alternate
            kind = "diagram" if i % 2 == 0 else "prose"
            if kind == "diagram":
                # A new label in the page's mermaid block: a diagram never seen before.
                text = original.replace("```mermaid\n", f"```mermaid\n%% edit {i}\n", 1)
                text = re.sub(r"(```mermaid\n%% edit \d+\n)(\w+ \w+)", rf"\1\2\n    Bench{i}[\"편집 {i}\"]", text, count=1)
            else:
                text = f"{original.rstrip()}\n\n편집 {i}.\n"
            time.sleep(0.3)
            stream.drain()
            page.write_text(text, encoding="utf-8")
            t0 = time.perf_counter()
            seen, why = stream.reload_of("physical-architecture-dev.html", t0, timeout)
            rebuilt = server.rebuild_after(t0, 1.0)
            if why:
                results["failures"].append(f"edit {i} ({kind}): {why}")
                break
            if i < 2:
                continue
            results[kind].append(seen * 1000)
            if rebuilt and rebuilt[0] == "Rebuilt":
                results[kind + "_rebuild"].append(float(rebuilt[1]))
            log(f"  edit {i:2d} ({kind:7s}): event {seen * 1000:6.1f} ms")
    finally:
        stream.close()
        server.stop()
        shutil.rmtree(site, ignore_errors=True)
    return results


def fmt(v) -> str:
    return "—" if v is None else f"{v:,.1f}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", help="archsite binary (default: cargo build --release)")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--pages", type=int, default=1000)
    ap.add_argument("--edits", type=int, default=10)
    ap.add_argument("--timeout", type=float, default=30.0)
    ap.add_argument("--quick", action="store_true", help="smoke run: 1 run, 100 pages, 2 edits")
    ap.add_argument("--json", default=str(cargo_target.scratch("bench-mermaid.json")))
    args = ap.parse_args()
    if args.quick:
        args.runs, args.pages, args.edits = 1, 100, 2
    binary = serve_bench.build_binary(args.bin)

    report: dict = {"runs": args.runs}
    log("== sample site")
    sample = copy_site(REPO)
    report["sample"] = {
        "diagrams": count_diagrams(sample),
        "cold": series(binary, sample, True, args.runs),
        "warm": series(binary, sample, False, args.runs),
    }
    shutil.rmtree(sample, ignore_errors=True)

    log(f"== generated site, {args.pages} pages")
    generated = cargo_target.scratch("bench-sites", f"mermaid-{args.pages}")
    if not (generated / "content" / "index.md").is_file():
        shutil.rmtree(generated, ignore_errors=True)
        subprocess.run([sys.executable, str(REPO / "bench" / "gensite.py"), str(args.pages), str(generated)], check=True)
    with_diagrams = copy_site(generated)
    without = copy_site(generated, strip_diagrams=True)
    report["generated"] = {
        "pages": args.pages,
        "diagrams": count_diagrams(with_diagrams),
        "cold": series(binary, with_diagrams, True, args.runs),
        "warm": series(binary, with_diagrams, False, args.runs),
        "none": series(binary, without, False, args.runs),
    }
    shutil.rmtree(with_diagrams, ignore_errors=True)
    shutil.rmtree(without, ignore_errors=True)

    log("== serve: diagram edits and prose edits on the sample site")
    edits = serve_edits(binary, args.edits, args.timeout)
    report["serve"] = edits

    s, g = report["sample"], report["generated"]
    print(f"\n### Mermaid validation (median of {args.runs} runs)\n")
    print("| site | diagrams | build, cold cache | `diagrams` stage, cold | build, warm cache | `diagrams` stage, warm | build without diagrams |")
    print("|---|--:|--:|--:|--:|--:|--:|")
    print(f"| sample | {s['diagrams']} | {fmt(s['cold']['wall_ms'])} ms | {fmt(s['cold']['diagrams_ms'])} ms "
          f"| {fmt(s['warm']['wall_ms'])} ms | {fmt(s['warm']['diagrams_ms'])} ms | |")
    print(f"| {g['pages']:,} pages | {g['diagrams']} | {fmt(g['cold']['wall_ms'])} ms | {fmt(g['cold']['diagrams_ms'])} ms "
          f"| {fmt(g['warm']['wall_ms'])} ms | {fmt(g['warm']['diagrams_ms'])} ms | {fmt(g['none']['wall_ms'])} ms |")
    med = lambda xs: statistics.median(xs) if xs else None  # noqa: E731
    print("\n| serve, sample site | save → reload event | rebuild |")
    print("|---|--:|--:|")
    print(f"| edit a diagram (new source, warm engine) | {fmt(med(edits['diagram']))} ms | {fmt(med(edits['diagram_rebuild']))} ms |")
    print(f"| edit prose beside it (verdict reused) | {fmt(med(edits['prose']))} ms | {fmt(med(edits['prose_rebuild']))} ms |")
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(report, indent=2))
    for f in edits["failures"]:
        log("FAIL: " + f)
    return 1 if edits["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
