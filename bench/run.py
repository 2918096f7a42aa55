#!/usr/bin/env python3
"""archsite build benchmark harness.

    python3 bench/run.py [--sizes 1000,10000] [--runs 5] [--quick] [--seed S]
                         [--tools archsite] [--bin PATH] [--json PATH]
                         [--disk | --out-root DIR] [--keep-output]

For each tool and each size N:
  1. the synthetic site (bench/gensite.py, N Markdown files) is generated into
     target/bench-sites/N-SEED/ unless it is already there (from the same
     gensite.py);
  2. the tool lays the generated content out the way it wants it (archsite
     takes the generated folder as it is);
  3. one warm-up build (not counted; skipped by --quick);
  4. RUNS "cold" builds, each into a fresh, empty output folder;
  5. RUNS "no-change rebuild" builds into the output folder of the last cold
     build, nothing changed in between;
  6. after every build: exit status 0, and every generated .md has its .html.

The builds write to a tmpfs by default (see TMPFS_ROOT; --disk for
target/bench-out), and output folders are never deleted while builds are
measured (see `discard`).
Wall time and the child's peak RSS (os.wait4 rusage, no GNU time) are
measured per build; the median, min and max are reported.  A Markdown table
goes to stdout, everything as JSON to target/bench-results.json.

--quick (CI): size 50, 1 run, no warm-up; exit status 1 if any build fails or
any page is missing from the output.  Exit status 2 when a tool cannot be
set up (e.g. cargo build fails).

Tools are small classes (see `Tool`); only archsite is implemented.  A peer
(hugo, zola, mdbook) is a subclass that says how to lay out the generated
content for it, its command line and where each page's HTML lands, plus an
entry in TOOLS.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import hashlib
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
import gensite  # noqa: E402

# The page whose HTML size is reported at every size: it exists for N >= 4
# and its Markdown does not depend on N (only its link targets do), so its
# HTML must not grow with N (no per-page copy of the whole navigation).
FIXED_PAGE = "s00/t00/page-00001.md"   # relative to content/

# Where the builds write. By default RAM (tmpfs): on this project's VMs
# (ext4 without a journal) the kernel time of creating 10,000 files varies
# from 0.6 s to 8 s with how many files anyone deleted in the last minutes,
# which swamps archsite's own time. --disk measures what a user waits for.
TMPFS_ROOT = Path("/dev/shm/archsite-bench")
DISK_ROOT = REPO / "target" / "bench-out"


class ToolError(Exception):
    pass


# --------------------------------------------------------------------------
# Tools
# --------------------------------------------------------------------------

class Tool:
    """One static site generator under test."""

    name = "?"

    def setup(self, args) -> None:
        """Build or locate the tool; raise ToolError when it is unusable."""

    def version(self) -> str:
        return ""

    def prepare_site(self, generated: Path, work: Path) -> Path:
        """Lay the generated site (archsite.yaml + content/) out for this tool.

        `work` is a cache folder owned by the tool for this size and seed;
        return the folder to pass to `command`.  Default: use it as it is."""
        return generated

    def command(self, site: Path, out: Path) -> list[str]:
        raise NotImplementedError

    def html_for(self, md_rel: str) -> str:
        """Output path (relative to the output folder) of the page built from
        content/<md_rel>."""
        raise NotImplementedError

    def info(self) -> dict:
        return {"version": self.version()}


class Archsite(Tool):
    name = "archsite"

    def __init__(self):
        self.bin: Path | None = None

    def setup(self, args) -> None:
        if args.bin:
            self.bin = Path(args.bin).resolve()
        else:
            print("+ cargo build --release", file=sys.stderr, flush=True)
            r = subprocess.run(["cargo", "build", "--release"], cwd=REPO)
            if r.returncode != 0:
                raise ToolError("cargo build --release failed (exit %d)" % r.returncode)
            self.bin = REPO / "target" / "release" / "archsite"
        if not os.access(self.bin, os.X_OK):
            raise ToolError("no executable at %s" % self.bin)

    def version(self) -> str:
        try:
            r = subprocess.run([str(self.bin), "--version"], capture_output=True, text=True,
                               timeout=30)
            return (r.stdout or r.stderr).strip().splitlines()[0] if r.returncode == 0 else ""
        except (OSError, subprocess.SubprocessError, IndexError):
            return ""

    def command(self, site: Path, out: Path) -> list[str]:
        return [str(self.bin), "build", str(site), "--output", str(out)]

    def html_for(self, md_rel: str) -> str:
        # a/b.md -> a/b.html, a/index.md -> a/index.html
        return md_rel[:-3] + ".html"

    def info(self) -> dict:
        return {"version": self.version(), "binary": str(self.bin), "git": git_state()}


TOOLS = {"archsite": Archsite}


# --------------------------------------------------------------------------
# Measuring one build
# --------------------------------------------------------------------------

def git_state() -> dict:
    def git(*a):
        r = subprocess.run(["git", *a], cwd=REPO, capture_output=True, text=True)
        return r.stdout.strip() if r.returncode == 0 else None
    return {"commit": git("rev-parse", "HEAD"), "dirty": bool(git("status", "--porcelain"))}


def fs_type(path: Path) -> str:
    """File system type of the mount holding path (Linux /proc/mounts)."""
    best, kind = "", "?"
    try:
        with open("/proc/mounts", encoding="utf-8") as f:
            for line in f:
                parts = line.split()
                if len(parts) > 2:
                    mnt = parts[1].replace("\\040", " ")
                    p = str(path)
                    if (p == mnt or p.startswith(mnt.rstrip("/") + "/")) and len(mnt) > len(best):
                        best, kind = mnt, parts[2]
    except OSError:
        pass
    return kind


def busy_cpu_seconds() -> float | None:
    """CPU time spent by the whole machine so far (all CPUs, not idle/iowait),
    from /proc/stat; None where there is none."""
    try:
        with open("/proc/stat", encoding="ascii") as f:
            v = [int(x) for x in f.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    # user nice system idle iowait irq softirq steal ...
    busy = v[0] + v[1] + v[2] + sum(v[5:8])
    return busy / os.sysconf("SC_CLK_TCK")


def measure(cmd: list[str], log: Path, timeout: float) -> dict:
    """Run cmd; wall time, CPU time and peak RSS of the child (and anything
    it waited for) from os.wait4."""
    with open(log, "wb") as lf:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=lf, stderr=subprocess.STDOUT)
        timed_out = []

        def kill():
            timed_out.append(True)
            try:
                os.kill(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            _, status, ru = os.wait4(p.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)  # already reaped
    return {
        "wall_s": round(wall, 4),
        "user_s": round(ru.ru_utime, 3),
        "sys_s": round(ru.ru_stime, 3),
        "max_rss_kib": ru.ru_maxrss,   # KiB on Linux
        "exit": p.returncode,
        "timed_out": bool(timed_out),
    }


TRASH_ROOTS: list[Path] = []   # one .trash folder per place we write to


def discard(path: Path, root: Path | None = None) -> None:
    """Move a folder into ROOT/.trash (ROOT: the output root by default);
    `empty_trash` deletes it after the last build.

    On ext4 without a journal (as on this project's VMs) the inode allocator
    skips inodes freed in the last ~30 s, so creating 10,000 files right after
    deleting 10,000 costs seconds of system time that belong to the rm, not
    to the build: nothing is deleted while builds are being measured."""
    if not path.exists():
        return
    trash = (root or TRASH_ROOTS[0].parent) / ".trash"
    if trash not in TRASH_ROOTS:
        TRASH_ROOTS.append(trash)
    trash.mkdir(parents=True, exist_ok=True)
    dest = trash / ("%s-%d-%d" % (path.name, os.getpid(), time.monotonic_ns()))
    os.replace(path, dest)


def empty_trash() -> None:
    for t in TRASH_ROOTS:
        shutil.rmtree(t, ignore_errors=True)


def scan_output(out: Path) -> dict:
    files = html = nbytes = 0
    for d, _, names in os.walk(out):
        for fn in names:
            files += 1
            nbytes += os.path.getsize(os.path.join(d, fn))
            if fn.endswith(".html"):
                html += 1
    return {"files": files, "html_files": html, "bytes": nbytes}


def missing_pages(out: Path, expected: list[str]) -> list[str]:
    return [h for h in expected if not (out / h).is_file() or (out / h).stat().st_size == 0]


def log_lines(log: Path, limit: int = 8) -> tuple[int, list[str]]:
    try:
        lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return 0, []
    lines = [l for l in lines if l.strip()]
    return len(lines), lines[:limit]


# --------------------------------------------------------------------------
# Sites
# --------------------------------------------------------------------------

def generator_stamp() -> str:
    return hashlib.sha256((HERE / "gensite.py").read_bytes()).hexdigest()[:16]


def ensure_site(n: int, seed: int, root: Path) -> Path:
    """target/bench-sites/N-SEED, generated once (atomically, via a rename),
    and again when bench/gensite.py has changed since (stamp file)."""
    site = root / ("%d-%d" % (n, seed))
    stamp = generator_stamp()
    try:
        if (site / ".gensite").read_text().strip() == stamp and (site / "content").is_dir():
            return site
    except OSError:
        pass
    tmp = root / (".%d-%d.tmp" % (n, seed))
    shutil.rmtree(tmp, ignore_errors=True)
    t0 = time.perf_counter()
    s = gensite.generate(n, str(tmp), seed)
    (tmp / ".gensite").write_text(stamp + "\n")
    discard(site, root)   # an outdated generation
    os.replace(tmp, site)
    print("generated %s: %d Markdown files in %.1fs" % (site, s["files"],
                                                         time.perf_counter() - t0),
          file=sys.stderr, flush=True)
    return site


def markdown_files(content: Path) -> list[str]:
    out = []
    for d, _, names in os.walk(content):
        for fn in names:
            if fn.endswith(".md"):
                out.append(os.path.relpath(os.path.join(d, fn), content).replace(os.sep, "/"))
    out.sort()
    return out


# --------------------------------------------------------------------------
# One tool, one size
# --------------------------------------------------------------------------

def summarize(runs: list[dict]) -> dict:
    walls = [r["wall_s"] for r in runs]
    rss = [r["max_rss_kib"] for r in runs]
    cpu = [r["user_s"] + r["sys_s"] for r in runs]
    return {
        "median_s": round(statistics.median(walls), 4),
        "min_s": round(min(walls), 4),
        "max_s": round(max(walls), 4),
        "cpu_median_s": round(statistics.median(cpu), 3),
        "user_median_s": round(statistics.median(r["user_s"] for r in runs), 3),
        "sys_median_s": round(statistics.median(r["sys_s"] for r in runs), 3),
        "rss_median_mib": round(statistics.median(rss) / 1024, 1),
        "rss_max_mib": round(max(rss) / 1024, 1),
        "other_cpus_max": max((r["other_cpus"] or 0.0) for r in runs),
    }


def bench_size(tool: Tool, n: int, args, sites_root: Path, out_root: Path) -> list[dict]:
    generated = ensure_site(n, args.seed, sites_root)
    site = tool.prepare_site(generated, sites_root / ("%s-%d-%d" % (tool.name, n, args.seed)))
    md = markdown_files(generated / "content")
    expected = [tool.html_for(m) for m in md]
    fixed_html = tool.html_for(FIXED_PAGE) if FIXED_PAGE in md else None
    base = out_root / tool.name / str(n)
    discard(base)
    base.mkdir(parents=True)
    errors: list[str] = []
    notes: dict = {}

    def build(out: Path, label: str) -> dict | None:
        os.sync()  # flush the previous build's writes so they don't land in this one
        log = base / (label + ".log")
        load = os.getloadavg()[0]
        busy0 = busy_cpu_seconds()
        r = measure(tool.command(site, out), log, args.timeout)
        busy1 = busy_cpu_seconds()
        r["label"] = label
        r["load_before"] = round(load, 2)
        # CPUs kept busy by anything else during the build (another build, a
        # test suite): the machine's busy CPU time minus the build's own.
        r["other_cpus"] = (round(max(0.0, (busy1 - busy0) - r["user_s"] - r["sys_s"])
                                 / max(r["wall_s"], 1e-3), 2)
                           if busy0 is not None and busy1 is not None else None)
        nlines, head = log_lines(log)
        r["output_lines"] = nlines
        mode = label.split("-")[0]
        if nlines and mode != "warmup" and mode not in notes.setdefault("log", {}):
            # what the tool printed on its first build of each mode
            notes["log"][mode] = {"lines": nlines, "head": head}
        if r["exit"] != 0:
            errors.append("%s %s N=%d: exit %s%s (log: %s)"
                          % (tool.name, label, n, r["exit"],
                             ", timed out" if r["timed_out"] else "", log))
            for l in head:
                errors.append("    " + l)
            return None
        miss = missing_pages(out, expected)
        if miss:
            errors.append("%s %s N=%d: %d of %d pages missing from the output, e.g. %s"
                          % (tool.name, label, n, len(miss), len(expected),
                             ", ".join(miss[:5])))
            return None
        return r

    def progress(label, r):
        if r is not None:
            print("  %s N=%d %-10s %7.3fs  %6.1f MiB  user %6.2fs  sys %5.2fs  others %.2f CPUs"
                  % (tool.name, n, label, r["wall_s"], r["max_rss_kib"] / 1024,
                     r["user_s"], r["sys_s"], r["other_cpus"] or 0.0),
                  file=sys.stderr, flush=True)

    if args.warmup:
        out = base / "warmup"
        r = build(out, "warmup")
        progress("warmup", r)
        discard(out)
        if r is None:
            return [row(tool, n, len(md), mode, [], None, None, errors, notes)
                    for mode in ("cold", "rebuild")]

    cold, prev = [], None
    for i in range(args.runs):
        out = base / ("cold-%d" % i)
        if prev is not None:
            discard(prev)
        r = build(out, "cold-%d" % i)
        progress("cold-%d" % i, r)
        prev = out
        if r is None:
            break
        cold.append(r)
    cold_out = scan_output(prev) if cold and len(cold) == args.runs else None
    fixed_bytes = None
    if cold_out is not None and fixed_html:
        fixed_bytes = (prev / fixed_html).stat().st_size

    rebuild = []
    if cold_out is not None:
        for i in range(args.runs):
            r = build(prev, "rebuild-%d" % i)
            progress("rebuild-%d" % i, r)
            if r is None:
                break
            rebuild.append(r)
        after = scan_output(prev)
        if rebuild and after != cold_out:
            notes["rebuild_changed_output"] = {"cold": cold_out, "after_rebuilds": after}
    output = dict(cold_out or {}, fixed_page=fixed_html, fixed_page_bytes=fixed_bytes,
                  markdown_files=len(md)) if cold_out else None
    if not args.keep_output and not errors:
        discard(base)
    return [row(tool, n, len(md), "cold", cold, output, len(cold) == args.runs, errors, notes),
            row(tool, n, len(md), "rebuild", rebuild, output, len(rebuild) == args.runs,
                errors, notes)]


def row(tool, n, md_files, mode, runs, output, complete, errors, notes) -> dict:
    r = {"tool": tool.name, "size": n, "markdown_files": md_files, "mode": mode,
         "ok": bool(complete) and not errors, "runs": runs, "output": output,
         "errors": list(errors), "notes": dict(notes)}
    if runs and complete:
        r.update(summarize(runs))
        r["pages_per_s"] = round(md_files / r["median_s"], 1) if r["median_s"] else None
    return r


# --------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------

BUSY_CPUS = 0.3  # other processes' CPU use during a build above which the report warns
MODE_NAME = {"cold": "cold", "rebuild": "no-change rebuild"}
LOG_NAME = {"cold": "a cold build", "rebuild": "a no-change rebuild"}


def scaling(rows: list[dict]) -> list[dict]:
    """time(largest)/time(smallest) per tool and mode, plus 10000/1000 when
    both ran (the headline figure; 10.0 is linear)."""
    out = []
    by = {}
    for r in rows:
        if r.get("median_s"):
            by.setdefault((r["tool"], r["mode"]), {})[r["size"]] = r["median_s"]
    for (tool, mode), t in sorted(by.items()):
        sizes = sorted(t)
        pairs = []
        if 1000 in t and 10000 in t:
            pairs.append((1000, 10000))
        if len(sizes) > 1 and (sizes[0], sizes[-1]) not in pairs:
            pairs.append((sizes[0], sizes[-1]))
        for a, b in pairs:
            out.append({"tool": tool, "mode": mode, "from": a, "to": b,
                        "ratio": round(t[b] / t[a], 2), "linear": round(b / a, 2)})
    return out


def markdown_report(rows, scal, meta) -> str:
    lines = []
    lines.append("| tool | pages | mode | runs | median s | min s | max s | pages/s | user s | "
                 "sys s | peak RSS MiB | files | output MB | page-00001 bytes | "
                 "×time vs smallest |")
    lines.append("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    base = {}
    for r in rows:
        if r.get("median_s") and (r["tool"], r["mode"]) not in base:
            base[(r["tool"], r["mode"])] = (r["size"], r["median_s"])
    for r in rows:
        o = r["output"] or {}
        if r.get("median_s"):
            b = base[(r["tool"], r["mode"])]
            ratio = "–" if b[0] == r["size"] else "%.2f" % (r["median_s"] / b[1])
            cells = [r["tool"], str(r["markdown_files"]), MODE_NAME[r["mode"]],
                     str(len(r["runs"])), "%.3f" % r["median_s"], "%.3f" % r["min_s"],
                     "%.3f" % r["max_s"], "%.0f" % r["pages_per_s"],
                     "%.2f" % r["user_median_s"], "%.2f" % r["sys_median_s"],
                     "%.0f (max %.0f)" % (r["rss_median_mib"], r["rss_max_mib"]),
                     str(o.get("files", "")),
                     "%.1f" % (o["bytes"] / 1e6) if o.get("bytes") is not None else "",
                     str(o.get("fixed_page_bytes") or "–"), ratio]
        else:
            cells = [r["tool"], str(r["markdown_files"]), MODE_NAME[r["mode"]],
                     str(len(r["runs"])), "FAILED"] + [""] * 10
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    for s in scal:
        lines.append("- %s %s: time(%d)/time(%d) = **%.2f** (linear would be %.1f)"
                     % (s["tool"], MODE_NAME[s["mode"]], s["to"], s["from"], s["ratio"],
                        s["linear"]))
    seen = set()
    for r in rows:
        key = (r["tool"], r["size"])
        if key in seen:
            continue
        seen.add(key)
        n = r["notes"]
        for mode, lg in sorted(n.get("log", {}).items()):
            lines.append("- %s N=%d, %s printed %d line(s)%s `%s`"
                         % (r["tool"], r["size"], LOG_NAME[mode], lg["lines"],
                            ", first:" if lg["lines"] > 1 else ":", lg["head"][0][:200]))
        if n.get("rebuild_changed_output"):
            lines.append("- %s N=%d: a no-change rebuild changed the output: %s"
                         % (r["tool"], r["size"], n["rebuild_changed_output"]))
    busy = [r for r in rows if (r.get("other_cpus_max") or 0) > BUSY_CPUS]
    if busy:
        lines.append("- **the machine was busy**: other processes kept up to %.1f of %d CPUs "
                     "busy during some builds (%s); wall times are not reliable, user s less "
                     "affected"
                     % (max(r["other_cpus_max"] for r in busy), meta["cpus"],
                        ", ".join("%s N=%d %s" % (r["tool"], r["size"], MODE_NAME[r["mode"]])
                                  for r in busy)))
    lines.append("")
    lines.append("%s; %d CPUs; output on %s (%s); seed %d; %s warm-up; %s"
                 % (meta["date"], meta["cpus"], meta["output_fs"], meta["output_root"],
                    meta["seed"], "1" if meta["warmup"] else "no",
                    ", ".join("%s %s" % (k, v.get("version") or "?")
                              for k, v in meta["tools"].items())))
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="archsite build benchmarks")
    ap.add_argument("--sizes", default="1000,10000",
                    help="comma-separated numbers of Markdown files (default 1000,10000)")
    ap.add_argument("--runs", type=int, default=5, help="counted builds per size and mode")
    ap.add_argument("--quick", action="store_true",
                    help="CI smoke test: size 50, 1 run, no warm-up")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--tools", default="archsite", help="comma-separated: " + ", ".join(TOOLS))
    ap.add_argument("--bin", help="use this archsite binary instead of cargo build --release")
    ap.add_argument("--json", default=str(REPO / "target" / "bench-results.json"))
    ap.add_argument("--timeout", type=float, default=900, help="seconds per build")
    ap.add_argument("--keep-output", action="store_true",
                    help="keep OUT_ROOT/TOOL/N (kept anyway after a failure)")
    ap.add_argument("--out-root",
                    help="where the builds write (default: %s, else %s)"
                         % (TMPFS_ROOT, DISK_ROOT))
    ap.add_argument("--disk", action="store_true",
                    help="write the builds to %s on the disk, as a user's build would" % DISK_ROOT)
    args = ap.parse_args(argv)
    if args.quick:
        args.sizes, args.runs, args.warmup = "50", 1, False
    else:
        args.warmup = True
    try:
        sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        ap.error("--sizes: comma-separated integers")
    if not sizes or min(sizes) < 1 or args.runs < 1:
        ap.error("sizes and --runs must be >= 1")
    names = [t.strip() for t in args.tools.split(",") if t.strip()]
    unknown = [t for t in names if t not in TOOLS]
    if unknown:
        ap.error("unknown tool(s): %s (known: %s)" % (", ".join(unknown), ", ".join(TOOLS)))

    tools = []
    for name in names:
        t = TOOLS[name]()
        try:
            t.setup(args)
        except ToolError as e:
            print("error: %s: %s" % (name, e), file=sys.stderr)
            return 2
        tools.append(t)

    sites_root = REPO / "target" / "bench-sites"
    if args.out_root:
        out_root = Path(args.out_root)
    elif args.disk or not os.access(TMPFS_ROOT.parent, os.W_OK):
        out_root = DISK_ROOT
    else:
        out_root = TMPFS_ROOT
    out_root = out_root.resolve()
    TRASH_ROOTS[:] = [out_root / ".trash"]
    sites_root.mkdir(parents=True, exist_ok=True)
    rows = []
    for n in sizes:
        for t in tools:
            rows += bench_size(t, n, args, sites_root, out_root)

    empty_trash()
    if not args.keep_output:
        for d in [out_root / t.name for t in tools] + [out_root]:
            try:
                d.rmdir()   # only when empty
            except OSError:
                pass
    scal = scaling(rows)
    meta = {
        "date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(), "platform": platform.platform(),
        "python": platform.python_version(), "seed": args.seed, "runs": args.runs,
        "warmup": args.warmup, "quick": args.quick,
        "output_root": str(out_root), "output_fs": fs_type(out_root),
        "tools": {t.name: t.info() for t in tools},
    }
    ok = all(r["ok"] for r in rows)
    report = markdown_report(rows, scal, meta)
    print(report)
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    with open(args.json, "w", encoding="utf-8") as f:
        json.dump({"schema": 1, "meta": meta, "ok": ok, "results": rows, "scaling": scal},
                  f, ensure_ascii=False, indent=2)
        f.write("\n")
    errs = []
    for r in rows:
        for e in r["errors"]:
            if e not in errs:
                errs.append(e)
    for e in errs:
        print("error: " + e, file=sys.stderr)
    print("results: %s (%s)" % (args.json, "ok" if ok else "FAILED"), file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
