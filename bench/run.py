#!/usr/bin/env python3
"""archsite build (and check) benchmark harness.

    python3 bench/run.py [--sizes 1000,10000] [--runs 5] [--quick] [--seed S]
                         [--mode build|check|all] [--links-per-page K]
                         [--tools archsite,hugo,zola,mdbook] [--no-size-cap]
                         [--bin PATH] [--json PATH]
                         [--lychee PATH | --no-lychee]
                         [--disk | --out-root DIR] [--keep-output]
    python3 bench/run.py --report RESULTS.json    # print an earlier run's tables

--mode build (the default) — for each tool and each size N:
  1. the synthetic site (bench/gensite.py, N Markdown files, K links per
     content page) is generated into target/bench-sites/N-SEED/ (N-SEED-kK
     when K is not 6) unless it is already there (from the same gensite.py);
  2. the tool lays the generated content out the way it wants it (archsite
     takes the generated folder as it is);
  3. one warm-up build (not counted; skipped by --quick);
  4. RUNS "cold" builds, each of a fresh copy of the site, with a new, empty
     cache folder (ARCHSITE_CACHE_DIR, XDG_CACHE_HOME and HUGO_CACHEDIR point
     into it), into a fresh, empty output folder: what CI does on a checkout;
  5. RUNS "warm" builds of the last cold build's copy with its caches (Mermaid
     verdicts, output manifest), each into a new output folder;
  6. RUNS "no-change rebuild" builds into the output folder of the last warm
     build, nothing changed in between;
  7. after every build: exit status 0, and every generated .md has its .html.

--mode check — for each size N (see `bench_check`):
  1. `archsite check SITE` on the same generated site: a warm-up, then RUNS
     counted runs, each must exit 0; then one run on a copy of the site with
     one broken #fragment, which must exit non-zero and name it;
  2. when a `lychee` binary is on PATH (or given with --lychee; never
     installed by the harness): archsite builds the site once (not timed),
     then `lychee --offline --include-fragments` over that HTML output,
     warm-up + RUNS runs, each must report 0 errors; then one run on a copy
     of the HTML with one broken #fragment, which must report exactly it.
  The number of links archsite checks is the number of internal links in the
  generated Markdown (gensite.generate counts them); lychee's is its own
  `total`.
--mode all: both.

The builds write to a tmpfs by default (see TMPFS_ROOT; --disk for
target/bench-out), and output folders are never deleted while builds are
measured (see `discard`).
Wall time and the child's peak RSS (os.wait4 rusage, no GNU time) are
measured per build; the median, min and max are reported.  A Markdown table
goes to stdout, everything as JSON to target/bench-results.json.

--quick (CI): size 50, 1 run, no warm-up, --mode all (without lychee unless
--lychee is given); exit status 1 if any build or check fails, any page is
missing from the output or a broken anchor goes unreported.  Exit status 2
when a tool cannot be set up (e.g. cargo build fails).

Tools are small classes (see `Tool`): archsite here, and the peers Hugo,
Zola and mdBook in bench/peers.py (each says how to lay out the generated
content for it, its command line and where each page's HTML lands).
--tools picks them (default: archsite plus every peer whose binary is on
PATH; --quick: archsite only unless --tools names peers); a peer that is not
installed is skipped with a note, never an error, and never installed.  When
more than one tool built, a comparison table (cold builds: median, ratio to
the smallest size, peak RSS, output size, × archsite) follows the build
table.  A peer with a size cap (mdBook: 5,000, its build time grows
quadratically) runs at the cap instead of a larger size, and archsite runs
at that size too so that the two compare (--no-size-cap to lift it).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import hashlib
import json
import os
import platform
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
import gensite  # noqa: E402
import designsite  # noqa: E402
import peers  # noqa: E402
import cargo_target  # noqa: E402

# The page whose HTML size is reported at every size: it exists for N >= 4
# and its Markdown does not depend on N (only its link targets do), so its
# HTML must not grow with N (no per-page copy of the whole navigation).
FIXED_PAGE = "s00/t00/page-00001.md"   # relative to content/

# Where the builds write. By default RAM (tmpfs): on this project's VMs
# (ext4 without a journal) the kernel time of creating 10,000 files varies
# from 0.6 s to 8 s with how many files anyone deleted in the last minutes,
# which swamps archsite's own time. --disk measures what a user waits for.
TMPFS_ROOT = Path("/dev/shm/archsite-bench")
DISK_ROOT = cargo_target.scratch("bench-out")


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
            try:
                self.bin = cargo_target.release_binary()
            except SystemExit as e:
                raise ToolError(str(e))
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
TOOLS.update(peers.PEERS)   # hugo, zola, mdbook: used when installed


class Lychee:
    """lychee (https://lychee.cli.rs), the link checker, run offline over the
    HTML that archsite built: a peer for `archsite check`.  Only used when a
    `lychee` binary is on PATH (or given with --lychee); the harness never
    installs it."""

    name = "lychee"

    def __init__(self, binary: str):
        self.bin = binary

    def version(self) -> str:
        try:
            r = subprocess.run([self.bin, "--version"], capture_output=True, text=True,
                               timeout=30)
            return (r.stdout or r.stderr).strip().splitlines()[0] if r.returncode == 0 else ""
        except (OSError, subprocess.SubprocessError, IndexError):
            return ""

    def command(self, html: Path, stats: Path) -> list[str]:
        # --offline: only local (file://) links, no network; --include-fragments:
        # check every #fragment against the target page's ids; --root-dir:
        # resolve root-relative links (/assets/...) inside the output folder;
        # the statistics go to `stats` as JSON.
        return [self.bin, "--offline", "--include-fragments", "--no-progress",
                "--root-dir", str(html), "--format", "json", "--output", str(stats),
                "--", str(html)]

    @staticmethod
    def stats(path: Path) -> dict | None:
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def info(self) -> dict:
        return {"version": self.version(), "binary": self.bin}


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


def measure(cmd: list[str], log: Path, timeout: float, env: dict | None = None) -> dict:
    """Run cmd; wall time, CPU time and peak RSS of the child (and anything
    it waited for) from os.wait4.

    The child's ru_maxrss is never below this harness's own peak RSS at the
    time of the spawn (Linux carries the hiwater RSS of the (v)forked Python
    process over the exec), so that is recorded too (`harness_rss_kib`): a
    peak RSS at or below it only says "at most this much"."""
    harness_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with open(log, "wb") as lf:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=lf, stderr=subprocess.STDOUT,
                             env=env)
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
        "harness_rss_kib": harness_rss,
        "exit": p.returncode,
        "timed_out": bool(timed_out),
    }


def measure_busy(cmd: list[str], log: Path, timeout: float, env: dict | None = None) -> dict:
    """`measure`, plus the load average before and `other_cpus`: the CPUs
    that anything else (another build, a test suite) kept busy meanwhile,
    i.e. the machine's busy CPU time minus the command's own, per second."""
    os.sync()  # flush the previous run's writes so they don't land in this one
    load = os.getloadavg()[0]
    busy0 = busy_cpu_seconds()
    r = measure(cmd, log, timeout, env)
    busy1 = busy_cpu_seconds()
    r["load_before"] = round(load, 2)
    r["other_cpus"] = (round(max(0.0, (busy1 - busy0) - r["user_s"] - r["sys_s"])
                             / max(r["wall_s"], 1e-3), 2)
                       if busy0 is not None and busy1 is not None else None)
    return r


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

def generator_stamp(links_per_page: int = gensite.LINKS_PER_PAGE) -> str:
    return "%s links-per-page=%d" % (
        hashlib.sha256((HERE / "gensite.py").read_bytes()).hexdigest()[:16], links_per_page)


def site_key(n: int, seed: int, links_per_page: int) -> str:
    """Cache folder name of a generated site: N-SEED for the default 6 links
    per page (the name it always had), N-SEED-kK for K links per page."""
    if links_per_page == gensite.LINKS_PER_PAGE:
        return "%d-%d" % (n, seed)
    return "%d-%d-k%d" % (n, seed, links_per_page)


def ensure_site(n: int, seed: int, root: Path,
                links_per_page: int = gensite.LINKS_PER_PAGE) -> tuple[Path, dict]:
    """target/bench-sites/N-SEED[-kK], generated once (atomically, via a
    rename), and again when bench/gensite.py has changed since (stamp file).
    Returns the folder and gensite.generate's summary (number of files and
    of internal links), kept in .gensite.json."""
    key = site_key(n, seed, links_per_page)
    site = root / key
    stamp = generator_stamp(links_per_page)
    try:
        if (site / ".gensite").read_text().strip() == stamp and (site / "content").is_dir():
            return site, json.loads((site / ".gensite.json").read_text())
    except (OSError, ValueError):
        pass
    tmp = root / (".%s.tmp" % key)
    shutil.rmtree(tmp, ignore_errors=True)
    t0 = time.perf_counter()
    s = gensite.generate(n, str(tmp), seed, links_per_page)
    (tmp / ".gensite.json").write_text(json.dumps(s) + "\n")
    (tmp / ".gensite").write_text(stamp + "\n")
    discard(site, root)   # an outdated generation
    os.replace(tmp, site)
    print("generated %s: %d Markdown files, %d internal links, in %.1fs"
          % (site, s["files"], s["links"], time.perf_counter() - t0),
          file=sys.stderr, flush=True)
    return site, s


# The generated site's Markdown files, sorted: the peers' layouts walk the same list.
markdown_files = peers.markdown_files


# --------------------------------------------------------------------------
# One tool, one size
# --------------------------------------------------------------------------

def cache_env(cache: Path) -> dict:
    """The environment of a build whose every cache lives in `cache` (empty for a cold
    build): archsite's (ARCHSITE_CACHE_DIR; XDG_CACHE_HOME too, for any tool that follows it)
    and Hugo's (HUGO_CACHEDIR)."""
    cache.mkdir(parents=True, exist_ok=True)
    return dict(os.environ, ARCHSITE_CACHE_DIR=str(cache), XDG_CACHE_HOME=str(cache),
                HUGO_CACHEDIR=str(cache / "hugo"))


def fresh_copy(site: Path, dest: Path) -> Path:
    """A copy of the site for one cold build: what CI builds is a fresh checkout."""
    shutil.copytree(site, dest, symlinks=True)
    return dest


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
        # a peak RSS this low may be the harness's own (see `measure`)
        "rss_floor_mib": round(max(r.get("harness_rss_kib", 0) for r in runs) / 1024, 1),
        "other_cpus_max": max((r["other_cpus"] or 0.0) for r in runs),
    }


def bench_size(tool: Tool, n: int, args, sites_root: Path, out_root: Path) -> list[dict]:
    generated, _ = ensure_site(n, args.seed, sites_root, args.links_per_page)
    site = tool.prepare_site(generated, sites_root / ("%s-%s" % (
        tool.name, site_key(n, args.seed, args.links_per_page))))
    md = markdown_files(generated / "content")
    expected = [tool.html_for(m) for m in md]
    fixed_html = tool.html_for(FIXED_PAGE) if FIXED_PAGE in md else None
    base = out_root / tool.name / str(n)
    discard(base)
    base.mkdir(parents=True)
    errors: list[str] = []
    notes: dict = {}

    def build(out: Path, label: str, where: Path, cache: Path) -> dict | None:
        log = base / (label + ".log")
        r = measure_busy(tool.command(where, out), log, args.timeout, cache_env(cache))
        r["label"] = label
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

    modes = ("cold", "warm", "rebuild")
    if args.warmup:
        # Not counted: it brings the sources into the OS file cache.
        out = base / "warmup"
        r = build(out, "warmup", fresh_copy(site, base / "site-warmup"), base / "cache-warmup")
        progress("warmup", r)
        discard(out)
        discard(base / "site-warmup")
        discard(base / "cache-warmup")
        if r is None:
            return [row(tool, n, len(md), mode, [], None, None, errors, notes)
                    for mode in modes]

    # Cold: a fresh copy of the site and an empty cache folder per run (a CI checkout), into
    # a new output folder.
    cold, prev, copy, cache = [], None, None, None
    for i in range(args.runs):
        out = base / ("cold-%d" % i)
        for old in (prev, copy, cache):
            if old is not None:
                discard(old)
        copy = fresh_copy(site, base / ("site-%d" % i))
        cache = base / ("cache-%d" % i)
        r = build(out, "cold-%d" % i, copy, cache)
        progress("cold-%d" % i, r)
        prev = out
        if r is None:
            break
        cold.append(r)
    cold_out = scan_output(prev) if cold and len(cold) == args.runs else None
    fixed_bytes = None
    if cold_out is not None and fixed_html:
        fixed_bytes = (prev / fixed_html).stat().st_size

    # Warm: the last cold build's copy and caches, into a new output folder each time.
    warm = []
    if cold_out is not None:
        for i in range(args.runs):
            discard(prev)
            prev = base / ("warm-%d" % i)
            r = build(prev, "warm-%d" % i, copy, cache)
            progress("warm-%d" % i, r)
            if r is None:
                break
            warm.append(r)

    # No-change rebuild: into the output folder of the last warm build, nothing changed.
    rebuild = []
    if cold_out is not None and len(warm) == args.runs:
        for i in range(args.runs):
            r = build(prev, "rebuild-%d" % i, copy, cache)
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
    return [row(tool, n, len(md), mode, runs, output, len(runs) == args.runs, errors, notes)
            for mode, runs in zip(modes, (cold, warm, rebuild))]


# --------------------------------------------------------------------------
# Check mode: `archsite check SITE`, and lychee over the built HTML
# --------------------------------------------------------------------------

def break_markdown_link(site: Path) -> str | None:
    """In a copy of a generated site: append `-broken` to the #fragment of
    the first link of FIXED_PAGE; return the new fragment (None when the page
    has no such link)."""
    p = site / "content" / FIXED_PAGE
    text = p.read_text(encoding="utf-8")
    m = next((m for m in gensite.LINK_RE.finditer(text) if "#" in m.group(2)), None)
    if m is None:
        return None
    path, _, frag = m.group(2).partition("#")
    new = frag + "-broken"
    p.write_text(text[:m.start(2)] + path + "#" + new + text[m.end(2):], encoding="utf-8")
    return new


def break_html_link(html: Path, generated: Path, tool: Tool) -> str | None:
    """In a copy of a built site: the same broken fragment, in the HTML of
    FIXED_PAGE (its first link with a #fragment to another page, as written
    by the generator, percent-encoded or not)."""
    text = (generated / "content" / FIXED_PAGE).read_text(encoding="utf-8")
    m = next((m for m in gensite.LINK_RE.finditer(text) if "#" in m.group(2)), None)
    if m is None:
        return None
    frag = m.group(2).partition("#")[2]
    page = html / tool.html_for(FIXED_PAGE)
    h = page.read_text(encoding="utf-8")
    for written in (urllib.parse.quote(frag, safe="-_.~"), frag):
        needle = '#%s"' % written
        i = h.find(needle)
        if i >= 0:
            page.write_text(h[:i] + '#%s-broken"' % written + h[i + len(needle):],
                            encoding="utf-8")
            return frag + "-broken"
    return None


def bench_check(tool: Archsite, lychee: Lychee | None, n: int, args, sites_root: Path,
                out_root: Path) -> list[dict]:
    """Time `archsite check SITE` (and lychee over the built HTML): a warm-up
    (not with --quick), then --runs counted runs each; every run must exit 0.
    Then one run on a copy with a broken #fragment must fail and name it."""
    generated, gen = ensure_site(n, args.seed, sites_root, args.links_per_page)
    md = markdown_files(generated / "content")
    links = {"markdown_links": gen["links"], "fragment_links": gen["fragment_links"],
             "links_per_page": args.links_per_page}
    rows = []

    def timed(name: str, base: Path, cmd_for, ok_for) -> tuple[list[dict], list[str], dict]:
        runs, errors, notes = [], [], {}
        labels = (["warmup"] if args.warmup else []) + ["check-%d" % i for i in range(args.runs)]
        for label in labels:
            log = base / (label + ".log")
            # Cold: a new, empty cache folder per run (check writes nothing into the site).
            r = measure_busy(cmd_for(label), log, args.timeout,
                             cache_env(base / ("cache-" + label)))
            r["label"] = label
            nlines, head = log_lines(log)
            r["output_lines"] = nlines
            if nlines and label != "warmup" and "log" not in notes:
                notes["log"] = {"check": {"lines": nlines, "head": head}}
            problem = ("exit %s%s" % (r["exit"], ", timed out" if r["timed_out"] else "")
                       if r["exit"] != 0 else ok_for(label, r))
            if problem:
                errors.append("%s check %s N=%d: %s (log: %s)" % (name, label, n, problem, log))
                errors += ["    " + l for l in head]
                break
            print("  %s N=%d %-10s %7.3fs  %6.1f MiB  user %6.2fs  sys %5.2fs  others %.2f CPUs"
                  % (name, n, label, r["wall_s"], r["max_rss_kib"] / 1024, r["user_s"],
                     r["sys_s"], r["other_cpus"] or 0.0), file=sys.stderr, flush=True)
            if label != "warmup":
                runs.append(r)
        return runs, errors, notes

    # archsite check on the Markdown
    base = out_root / "archsite-check" / str(n)
    discard(base)
    base.mkdir(parents=True)

    def archsite_ok(label, r):
        text = (base / (label + ".log")).read_text(encoding="utf-8", errors="replace")
        m = re.search(r"Checked (\d+) pages", text)
        if m and int(m.group(1)) != len(md):
            return "checked %s pages, the site has %d" % (m.group(1), len(md))
        return None

    runs, errors, notes = timed("archsite", base,
                                lambda label: [str(tool.bin), "check", str(generated),
                                               "--color", "never"], archsite_ok)
    if not errors:
        # Proof that it checks anchors: the same site with one broken #fragment.
        broken = base / "broken-site"
        shutil.copytree(generated, broken)
        frag = break_markdown_link(broken)
        if frag is not None:
            log = base / "broken.log"
            r = measure([str(tool.bin), "check", str(broken), "--color", "never"], log,
                        args.timeout)
            text = log.read_text(encoding="utf-8", errors="replace")
            notes["broken_anchor"] = {"fragment": frag, "exit": r["exit"],
                                      "reported": frag in text}
            if r["exit"] == 0 or frag not in text:
                errors.append("archsite check N=%d: a copy of the site with one broken "
                              "anchor (#%s in %s) gave exit %d%s (log: %s)"
                              % (n, frag, FIXED_PAGE, r["exit"],
                                 "" if frag in text else " and did not name it", log))
    rows.append(check_row("archsite", n, len(md), "Markdown", runs, args.runs, errors, notes,
                          links["markdown_links"], dict(links)))
    if not args.keep_output and not errors:
        discard(base)

    if lychee is None:
        return rows
    # lychee on the HTML that archsite builds from the same site
    base = out_root / "lychee" / str(n)
    discard(base)
    base.mkdir(parents=True)
    html = base / "html"
    errors, notes, runs = [], {}, []
    r = measure(tool.command(generated, html), base / "build.log", args.timeout,
                cache_env(base / "cache-build"))
    miss = missing_pages(html, [tool.html_for(m) for m in md]) if r["exit"] == 0 else md
    if r["exit"] != 0 or miss:
        errors.append("lychee N=%d: archsite build of the site to check failed (exit %d, "
                      "%d pages missing; log: %s)" % (n, r["exit"], len(miss), base / "build.log"))
    out = scan_output(html) if not errors else {}

    def lychee_ok(label, r):
        st = Lychee.stats(base / (label + ".json"))
        if st is None:
            return "no JSON statistics from lychee"
        r["lychee"] = {k: st.get(k) for k in ("total", "unique", "successful", "errors",
                                               "excludes", "unsupported", "unknown",
                                               "redirects", "timeouts", "cached")}
        if st.get("errors"):
            return "%s broken links reported" % st["errors"]
        if not st.get("total"):
            return "no links checked"
        return None

    if not errors:
        runs, errors, notes = timed("lychee", base,
                                    lambda label: lychee.command(html, base / (label + ".json")),
                                    lychee_ok)
    if not errors:
        broken = base / "broken-html"
        shutil.copytree(html, broken)
        frag = break_html_link(broken, generated, tool)
        if frag is None:
            errors.append("lychee N=%d: could not find the first link of %s in its HTML"
                          % (n, FIXED_PAGE))
        else:
            log = base / "broken.log"
            r = measure(lychee.command(broken, base / "broken.json"), log, args.timeout)
            st = Lychee.stats(base / "broken.json") or {}
            text = log.read_text(encoding="utf-8", errors="replace")
            if (base / "broken.json").exists():
                text += (base / "broken.json").read_text(encoding="utf-8", errors="replace")
            named = frag in text or urllib.parse.quote(frag, safe="-_.~") in text
            notes["broken_anchor"] = {"fragment": frag, "exit": r["exit"],
                                      "errors": st.get("errors"), "reported": named}
            if r["exit"] == 0 or st.get("errors") != 1 or not named:
                errors.append("lychee N=%d: a copy of the HTML with one broken anchor "
                              "(#%s in %s) gave exit %d, %s errors%s (log: %s)"
                              % (n, frag, tool.html_for(FIXED_PAGE), r["exit"],
                                 st.get("errors"), "" if named else ", fragment not named",
                                 log))
    last = runs[-1].get("lychee", {}) if runs else {}
    rows.append(check_row("lychee", n, len(md), "HTML", runs, args.runs, errors, notes,
                          last.get("total"), dict(links, html_files=out.get("html_files"),
                                                  lychee=last)))
    if not args.keep_output and not errors:
        discard(base)
    return rows


def check_row(tool, n, md_files, input_, runs, want_runs, errors, notes, nlinks,
              links) -> dict:
    r = {"tool": tool, "size": n, "markdown_files": md_files, "mode": "check",
         "input": input_, "ok": len(runs) == want_runs and not errors, "runs": runs,
         "output": None, "links_checked": nlinks, "links": links,
         "errors": list(errors), "notes": dict(notes)}
    if runs and len(runs) == want_runs:
        r.update(summarize(runs))
        r["pages_per_s"] = round(md_files / r["median_s"], 1) if r["median_s"] else None
        r["links_per_s"] = (round(nlinks / r["median_s"]) if nlinks and r["median_s"]
                            else None)
    return r


def row(tool, n, md_files, mode, runs, output, complete, errors, notes) -> dict:
    r = {"tool": tool.name, "size": n, "markdown_files": md_files, "mode": mode,
         "ok": bool(complete) and not errors, "runs": runs, "output": output,
         "errors": list(errors), "notes": dict(notes)}
    if runs and complete:
        r.update(summarize(runs))
        r["pages_per_s"] = round(md_files / r["median_s"], 1) if r["median_s"] else None
    return r


# --------------------------------------------------------------------------
# The design folder: a writer's first run
# --------------------------------------------------------------------------

def bench_design(tool: Archsite, args, sites_root: Path, out_root: Path) -> list[dict]:
    """`archsite check` and `archsite build` of bench/designsite.py's folder (17 pages, 16
    real-sized diagrams), cold (a fresh copy, no cache) and warm (the caches of the last
    cold build), interleaved run by run: what a writer waits for on a first run. The cold
    ones also with mermaid's grammars not run natively (`-quickjs`), for the comparison."""
    site = sites_root / "design"
    stamp = hashlib.sha256((HERE / "designsite.py").read_bytes()).hexdigest()[:16]
    if not (site / ".stamp").is_file() or (site / ".stamp").read_text() != stamp:
        shutil.rmtree(site, ignore_errors=True)
        summary = designsite.generate(site)
        (site / ".stamp").write_text(stamp)
        print("generated %s: %d pages, %d diagrams" % (site, summary["pages"],
                                                         summary["diagrams"]), file=sys.stderr)
    base = out_root / "archsite-design"

    def command(what: str, label: str, copy: Path, cache: Path, out: Path) -> list[str]:
        if what == "build-warm":
            # The caches of a first build of this copy, then the measured one.
            measure(tool.command(copy, base / ("first-" + label)), base / "first.log",
                    args.timeout, cache_env(cache))
        return ([str(tool.bin), "check", str(copy)] if what.startswith("check")
                else tool.command(copy, out))

    return alternated("design", 17, site, base,
                      ["check-cold", "check-cold-quickjs", "build-cold", "build-cold-quickjs",
                       "build-warm"], args, command)


def bench_native_ab(tool: Archsite, n: int, args, sites_root: Path, out_root: Path) -> list[dict]:
    """Cold builds of the generated N-page site with mermaid's grammars run natively (the
    default) and with every diagram left to mermaid in QuickJS (ARCHSITE_MERMAID_NATIVE=0),
    alternated run by run, each a fresh copy with a new, empty cache: the two paths under the
    same load."""
    generated, _ = ensure_site(n, args.seed, sites_root, args.links_per_page)
    return alternated("native-ab", n, generated, out_root / ("archsite-native-ab-%d" % n),
                      ["cold", "cold-quickjs"], args,
                      lambda what, label, copy, cache, out: tool.command(copy, out))


def alternated(name: str, size: int, site: Path, base: Path, variants: list[str], args,
               command) -> list[dict]:
    """Runs `command(variant, label, copy, cache, out)` for each variant in turn, round by
    round (a warm-up round, then args.runs), each on a fresh copy of `site` with a new, empty
    cache folder, so that the variants share the machine's load. A variant named `…-quickjs`
    runs with ARCHSITE_MERMAID_NATIVE=0: the same binary with every Mermaid diagram parsed by
    mermaid in QuickJS, as before mermaid's grammars ran natively. One row per variant."""
    discard(base)
    base.mkdir(parents=True)
    runs: dict[str, list[dict]] = {v: [] for v in variants}
    errors: list[str] = []
    labels = (["warmup"] if args.warmup else []) + [str(i) for i in range(args.runs)]
    for label in labels:
        for what in variants:
            copy = fresh_copy(site, base / ("site-%s-%s" % (what, label)))
            cache = base / ("cache-%s-%s" % (what, label))
            cmd = command(what, label, copy, cache, base / ("out-%s-%s" % (what, label)))
            env = cache_env(cache)
            if what.endswith("-quickjs"):
                env["ARCHSITE_MERMAID_NATIVE"] = "0"
            log = base / ("%s-%s.log" % (what, label))
            r = measure_busy(cmd, log, args.timeout, env)
            if r["exit"] != 0:
                errors.append("%s %s %s: exit %s (log: %s)"
                              % (name, what, label, r["exit"], log))
            elif label != "warmup":
                runs[what].append(r)
            print("  archsite %s %-18s %-6s %7.3fs  user %5.2fs  %6.1f MiB  others %.2f CPUs"
                  % (name, what, label, r["wall_s"], r["user_s"], r["max_rss_kib"] / 1024,
                     r["other_cpus"] or 0.0), file=sys.stderr, flush=True)
    if not args.keep_output and not errors:
        discard(base)
    rows = []
    for what, rs in runs.items():
        r = {"tool": "archsite", "size": size, "markdown_files": size,
             "mode": "%s %s" % (name, what), "ok": len(rs) == args.runs and not errors,
             "runs": rs, "errors": list(errors), "notes": {}, "output": None}
        if len(rs) == args.runs:
            r.update(summarize(rs))
        rows.append(r)
    return rows


def native_ab_table(rows) -> list[str]:
    lines = ["Cold builds, mermaid's grammars native vs mermaid in QuickJS alone, alternated, "
             "medians:", "",
             "| pages | diagrams checked by | median s | min s | max s | user s | sys s "
             "| peak RSS MiB |",
             "|---:|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        how = ("mermaid in QuickJS alone" if r["mode"].endswith("-quickjs")
               else "native grammars, QuickJS fallback")
        if r.get("median_s"):
            lines.append("| %d | %s | %.3f | %.3f | %.3f | %.2f | %.2f | %s |"
                         % (r["size"], how, r["median_s"], r["min_s"], r["max_s"],
                            r["user_median_s"], r["sys_median_s"], fmt_rss(r)))
        else:
            lines.append("| %d | %s | FAILED | | | | | |" % (r["size"], how))
    lines.append("")
    return lines


def design_table(rows) -> list[str]:
    lines = ["Design folder (bench/designsite.py: 17 pages, 16 real-sized diagrams), medians:",
             "", "| command | median s | min s | max s | user s | sys s | peak RSS MiB |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        if r.get("median_s"):
            lines.append("| %s | %.3f | %.3f | %.3f | %.2f | %.2f | %s |"
                         % (r["mode"][len("design "):], r["median_s"], r["min_s"], r["max_s"],
                            r["user_median_s"], r["sys_median_s"], fmt_rss(r)))
        else:
            lines.append("| %s | FAILED | | | | | |" % r["mode"][len("design "):])
    lines.append("")
    return lines


# --------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------

BUSY_CPUS = 0.3  # other processes' CPU use during a build above which the report warns
MODE_NAME = {"cold": "cold", "warm": "warm", "rebuild": "no-change rebuild", "check": "check"}
LOG_NAME = {"cold": "a cold build", "warm": "a warm build", "rebuild": "a no-change rebuild",
            "check": "a check"}


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
    design = [r for r in rows if r["mode"].startswith("design ")]
    ab = [r for r in rows if r["mode"].startswith("native-ab ")]
    rows = [r for r in rows if not r["mode"].startswith(("design ", "native-ab "))]
    builds = [r for r in rows if r["mode"] != "check"]
    checks = [r for r in rows if r["mode"] == "check"]
    if design:
        lines += design_table(design)
    if ab:
        lines += native_ab_table(ab)
    if builds:
        lines += build_table(builds)
        if len({r["tool"] for r in builds}) > 1:
            lines += comparison_table(builds, meta)
    if checks:
        lines += check_table(checks)
    for s in scal:
        lines.append("- %s %s: time(%d)/time(%d) = **%.2f** (linear would be %.1f)"
                     % (s["tool"], MODE_NAME[s["mode"]], s["to"], s["from"], s["ratio"],
                        s["linear"]))
    seen = set()
    for r in rows:
        key = (r["tool"], r["size"], r["mode"] == "check")
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
        b = n.get("broken_anchor")
        if b:
            lines.append("- %s N=%d, one broken anchor (`#%s`): exit %s, %s"
                         % (r["tool"], r["size"], b["fragment"], b["exit"],
                            "reported" if b["reported"] and b["exit"] else "**NOT reported**"))
    for name, why in (meta.get("skipped_tools") or {}).items():
        lines.append("- %s: not measured (%s)" % (name, why))
    for name, v in (meta.get("size_caps") or {}).items():
        for n, m in v:
            lines.append("- %s: built at %s pages instead of %s (its size cap: build time "
                         "grows faster than linearly; `--no-size-cap` lifts it)"
                         % (name, "{:,}".format(m), "{:,}".format(n)))
    floor = [r for r in rows if r.get("median_s") and at_floor(r)]
    if floor:
        lines.append("- peak RSS `≤ N`: the process used no more than the harness itself "
                     "(%.0f MiB; Linux reports the parent's peak for a child that stays "
                     "below it): %s"
                     % (max(r["rss_floor_mib"] for r in floor),
                        ", ".join("%s N=%d %s" % (r["tool"], r["size"], MODE_NAME[r["mode"]])
                                  for r in floor)))
    busy = [r for r in rows if (r.get("other_cpus_max") or 0) > BUSY_CPUS]
    if busy:
        lines.append("- **the machine was busy**: other processes kept up to %.1f of %d CPUs "
                     "busy during some runs (%s); wall times are not reliable, user s less "
                     "affected"
                     % (max(r["other_cpus_max"] for r in busy), meta["cpus"],
                        ", ".join("%s N=%d %s" % (r["tool"], r["size"], MODE_NAME[r["mode"]])
                                  for r in busy)))
    lines.append("")
    lines.append("%s; %d CPUs; output on %s (%s); seed %d; %d links per page; %s warm-up; %s"
                 % (meta["date"], meta["cpus"], meta["output_fs"], meta["output_root"],
                    meta["seed"], meta["links_per_page"], "1" if meta["warmup"] else "no",
                    ", ".join("%s %s" % (k, v.get("version") or "?")
                              for k, v in meta["tools"].items())))
    return "\n".join(lines)


def at_floor(r) -> bool:
    return bool(r.get("rss_floor_mib")) and r["rss_median_mib"] <= r["rss_floor_mib"] * 1.02


def fmt_rss(r) -> str:
    if at_floor(r):
        return "≤ %.0f" % r["rss_median_mib"]
    return "%.0f (max %.0f)" % (r["rss_median_mib"], r["rss_max_mib"])


ARCHSITE_NOTES = ("default theme (sidebar via nav.js, TOC, breadcrumbs, backlinks, "
                  "sitemap.html/.xml), code highlighted at build (syntect), every Mermaid "
                  "diagram parsed at build, every link and #anchor checked")


def comparison_table(rows, meta) -> list[str]:
    """One row per tool and size, cold builds: the figures to compare
    generators by.  × archsite: the tool's median ÷ archsite's median at the
    same size (same site, same machine, same run)."""
    cold = [r for r in rows if r["mode"] == "cold"]
    order = {}
    for r in cold:
        order.setdefault(r["tool"], len(order))
    cold.sort(key=lambda r: (r["size"], order[r["tool"]]))
    arch = {r["size"]: r["median_s"] for r in cold
            if r["tool"] == "archsite" and r.get("median_s")}
    smallest = {}
    for r in sorted(cold, key=lambda r: r["size"]):
        if r.get("median_s") and r["tool"] not in smallest:
            smallest[r["tool"]] = (r["size"], r["median_s"])
    versions = {k: (v.get("version") or "?") for k, v in meta["tools"].items()}
    lines = ["Comparison (cold builds of the same generated site, medians; cold = a fresh "
             "copy of the site and no cache of any tool, as in CI):", "",
             "| tool | version | pages | median s | min–max s | × archsite | "
             "time ÷ time(smallest N) | CPU s | peak RSS MiB | output MB | files |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in cold:
        o = r["output"] or {}
        cells = [r["tool"], versions.get(r["tool"], "?"), "{:,}".format(r["markdown_files"])]
        if r.get("median_s"):
            a = arch.get(r["size"])
            sm = smallest[r["tool"]]
            cells += ["%.3f" % r["median_s"], "%.3f–%.3f" % (r["min_s"], r["max_s"]),
                      "%.2f" % (r["median_s"] / a) if a and r["tool"] != "archsite" else
                      ("1" if a else "–"),
                      "–" if sm[0] == r["size"] else "%.2f (÷ %s)" % (r["median_s"] / sm[1],
                                                                   "{:,}".format(sm[0])),
                      "%.2f" % r["cpu_median_s"], fmt_rss(r),
                      "%.1f" % (o["bytes"] / 1e6) if o.get("bytes") is not None else "",
                      "{:,}".format(o["files"]) if o.get("files") is not None else ""]
        else:
            timed_out = any(run.get("timed_out") for run in r["runs"]) or any(
                "timed out" in e for e in r["errors"])
            cells += ["timed out" if timed_out else "FAILED"] + [""] * 7
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    for tool in order:
        if tool == "archsite":
            lines.append("- archsite: " + ARCHSITE_NOTES)
        else:
            lines.append("- %s: %s" % (tool, meta["tools"].get(tool, {}).get("layout", "")))
    if len(order) > 1:
        lines.append("- Mermaid: only archsite validates the diagrams (every 10th page); the "
                     "peers leave the ```mermaid blocks as code blocks")
        lines.append("- CPU s: median user + system time of the build (less affected than the "
                     "wall time when other processes share the CPUs)")
    lines.append("")
    return lines


def check_table(rows) -> list[str]:
    lines = ["| tool | pages | input | runs | links checked | median s | min s | max s | "
             "links/s | user s | sys s | peak RSS MiB | ×time vs smallest |",
             "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    base = {}
    for r in rows:
        if r.get("median_s") and r["tool"] not in base:
            base[r["tool"]] = (r["size"], r["median_s"])
    for r in rows:
        nl = r.get("links_checked")
        cells = [r["tool"], str(r["markdown_files"]), r["input"], str(len(r["runs"])),
                 "{:,}".format(nl) if nl else "?"]
        if r.get("median_s"):
            b = base[r["tool"]]
            cells += ["%.3f" % r["median_s"], "%.3f" % r["min_s"], "%.3f" % r["max_s"],
                      "{:,}".format(r["links_per_s"]) if r.get("links_per_s") else "–",
                      "%.2f" % r["user_median_s"], "%.2f" % r["sys_median_s"],
                      fmt_rss(r),
                      "–" if b[0] == r["size"] else "%.2f" % (r["median_s"] / b[1])]
        else:
            cells += ["FAILED"] + [""] * 7
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    for r in rows:
        lk = r.get("links") or {}
        if r["tool"] == "archsite":
            lines.append("- archsite N=%d: links checked = internal links in the generated "
                         "Markdown: %s, %s of them with a #fragment (%d per content page), "
                         "the rest index-page lists"
                         % (r["size"], "{:,}".format(lk.get("markdown_links") or 0),
                            "{:,}".format(lk.get("fragment_links") or 0),
                            lk.get("links_per_page") or 0))
        elif lk.get("lychee"):
            ly = lk["lychee"]
            lines.append("- lychee N=%d: links checked = lychee's `total` in the built output "
                         "(%s HTML files, plus CSS and sitemap.xml): every link in it, i.e. "
                         "navigation, table of contents and heading permalinks, backlinks, "
                         "stylesheets as well as the %s links from the Markdown; %s unique, "
                         "%s successful, %s excluded, %s unsupported"
                         % (r["size"], lk.get("html_files"),
                            "{:,}".format(lk.get("markdown_links") or 0),
                            "{:,}".format(ly.get("unique") or 0),
                            "{:,}".format(ly.get("successful") or 0),
                            ly.get("excludes"), ly.get("unsupported")))
    return lines


def build_table(rows) -> list[str]:
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
                     fmt_rss(r),
                     str(o.get("files", "")),
                     "%.1f" % (o["bytes"] / 1e6) if o.get("bytes") is not None else "",
                     str(o.get("fixed_page_bytes") or "–"), ratio]
        else:
            cells = [r["tool"], str(r["markdown_files"]), MODE_NAME[r["mode"]],
                     str(len(r["runs"])), "FAILED"] + [""] * 10
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    return lines


def tool_sizes(tools, sizes: list[int], no_cap: bool, capped: dict) -> dict[str, list[int]]:
    """The sizes each tool builds: SIZES, except that a tool with a
    `max_size` runs at that size instead of larger ones (recorded in
    `capped`), and then archsite runs at that size too, for the × archsite
    column."""
    plan = {}
    for t in tools:
        cap = None if no_cap else getattr(t, "max_size", None)
        got = []
        for n in sizes:
            m = n if cap is None or n <= cap else cap
            if m != n:
                capped.setdefault(t.name, []).append((n, m))
            if m not in got:
                got.append(m)
        plan[t.name] = got
    extra = sorted({m for v in capped.values() for _, m in v} - set(sizes))
    if "archsite" in plan:
        plan["archsite"] = sorted(set(plan["archsite"]) | set(extra))
    for name, v in capped.items():
        for n, m in v:
            print("%s: %s pages instead of %s (its size cap; --no-size-cap to lift it)"
                  % (name, "{:,}".format(m), "{:,}".format(n)), file=sys.stderr)
    return plan


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="archsite build benchmarks")
    ap.add_argument("--sizes", default="1000,10000",
                    help="comma-separated numbers of Markdown files (default 1000,10000)")
    ap.add_argument("--runs", type=int, default=5, help="counted builds per size and mode")
    ap.add_argument("--quick", action="store_true",
                    help="CI smoke test: size 50, 1 run, no warm-up, builds and one check")
    ap.add_argument("--mode", choices=("build", "check", "all"),
                    help="build: cold builds and no-change rebuilds (the default); check: "
                         "`archsite check` (and lychee over the built HTML when it is on "
                         "PATH); all: both (the default with --quick)")
    ap.add_argument("--links-per-page", type=int, default=gensite.LINKS_PER_PAGE, metavar="K",
                    help="links per generated content page (default %d)"
                         % gensite.LINKS_PER_PAGE)
    ap.add_argument("--lychee", metavar="PATH",
                    help="lychee binary for the check mode (default: `lychee` on PATH; "
                         "not used by --quick unless given)")
    ap.add_argument("--no-lychee", action="store_true", help="skip lychee in the check mode")
    ap.add_argument("--design", action="store_true",
                    help="also time cold `check` and cold and warm `build` of the design folder "
                         "(bench/designsite.py: 17 pages, 16 real-sized diagrams)")
    ap.add_argument("--native-ab", action="store_true",
                    help="also time cold builds of each size with mermaid's grammars run "
                         "natively and with mermaid in QuickJS alone (ARCHSITE_MERMAID_NATIVE=0), "
                         "alternated (without --mode: only these)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--tools",
                    help="comma-separated: %s (default: archsite plus every peer on PATH; "
                         "--quick: archsite); a peer that is not installed is skipped"
                         % ", ".join(TOOLS))
    ap.add_argument("--no-size-cap", action="store_true",
                    help="run every tool at every size (by default mdBook runs at %s pages "
                         "instead of a larger size)"
                         % "{:,}".format(peers.MdBook.max_size))
    ap.add_argument("--bin", help="use this archsite binary instead of cargo build --release")
    ap.add_argument("--json", default=str(cargo_target.scratch("bench-results.json")))
    ap.add_argument("--timeout", type=float, default=900, help="seconds per build")
    ap.add_argument("--keep-output", action="store_true",
                    help="keep OUT_ROOT/TOOL/N (kept anyway after a failure)")
    ap.add_argument("--out-root",
                    help="where the builds write (default: %s, else %s)"
                         % (TMPFS_ROOT, DISK_ROOT))
    ap.add_argument("--disk", action="store_true",
                    help="write the builds to %s on the disk, as a user's build would" % DISK_ROOT)
    ap.add_argument("--report", metavar="JSON",
                    help="print the tables of an earlier run's results file and exit "
                         "(nothing is built)")
    args = ap.parse_args(argv)
    if args.report:
        with open(args.report, encoding="utf-8") as f:
            saved = json.load(f)
        print(markdown_report(saved["results"], saved["scaling"], saved["meta"]))
        return 0 if saved.get("ok") else 1
    if args.quick:
        args.sizes, args.runs, args.warmup = "50", 1, False
        args.mode = args.mode or "all"
    else:
        args.warmup = True
        # --native-ab alone: only the alternated cold builds, not the whole build table.
        args.mode = args.mode or ("none" if args.native_ab else "build")
    if args.links_per_page < 0:
        ap.error("--links-per-page must be >= 0")
    try:
        sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        ap.error("--sizes: comma-separated integers")
    if not sizes or min(sizes) < 1 or args.runs < 1:
        ap.error("sizes and --runs must be >= 1")
    if args.tools is None:
        # archsite, plus every peer that is installed (not for --quick, nor
        # when only checks run: peers only build)
        names = ["archsite"]
        if not args.quick and args.mode != "check":
            names += [n for n, cls in peers.PEERS.items() if cls.find()]
    else:
        names = [t.strip() for t in args.tools.split(",") if t.strip()]
    unknown = [t for t in names if t not in TOOLS]
    if unknown:
        ap.error("unknown tool(s): %s (known: %s)" % (", ".join(unknown), ", ".join(TOOLS)))

    tools = []
    skipped = {}   # peer name -> why it was not measured
    if args.tools is None and not args.quick and args.mode != "check":
        for n, cls in peers.PEERS.items():
            if n not in names:
                skipped[n] = "`%s` is not on PATH" % cls.binary
    for name in names:
        t = TOOLS[name]()
        try:
            t.setup(args)
        except peers.PeerUnavailable as e:
            skipped[name] = str(e)
            continue
        except ToolError as e:
            print("error: %s: %s" % (name, e), file=sys.stderr)
            return 2
        tools.append(t)
    for name, why in skipped.items():
        print("%s: skipped (%s)" % (name, why), file=sys.stderr)
    for t in tools:
        if t.name != "archsite":
            print("%s: %s (%s)" % (t.name, t.bin, t.version() or "?"), file=sys.stderr)
    lychee = None
    if args.mode in ("check", "all") and not args.no_lychee:
        if args.lychee:
            found = shutil.which(args.lychee)
            if not found:
                print("error: --lychee %s: not an executable" % args.lychee, file=sys.stderr)
                return 2
            lychee = Lychee(found)
        elif not args.quick and shutil.which("lychee"):
            lychee = Lychee(shutil.which("lychee"))
        if lychee is not None:
            print("lychee: %s (%s)" % (lychee.bin, lychee.version() or "?"), file=sys.stderr)
        elif not args.quick:
            print("lychee: not on PATH, no lychee row", file=sys.stderr)
    archsite = next((t for t in tools if isinstance(t, Archsite)), None)
    if args.mode in ("check", "all") and archsite is None:
        ap.error("--mode %s needs the archsite tool" % args.mode)

    sites_root = cargo_target.scratch("bench-sites")
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
    capped = {}   # tool name -> [(asked size, size run instead)]
    plan = tool_sizes(tools, sizes, args.no_size_cap, capped)
    for n in sorted(set(sizes) | {m for ts in plan.values() for m in ts}):
        if args.mode in ("build", "all"):
            for t in tools:
                if n in plan[t.name]:
                    rows += bench_size(t, n, args, sites_root, out_root)
        if args.mode in ("check", "all") and n in sizes:
            rows += bench_check(archsite, lychee, n, args, sites_root, out_root)

    if args.design and archsite is not None:
        rows += bench_design(archsite, args, sites_root, out_root)
    if args.native_ab and archsite is not None:
        for n in sizes:
            rows += bench_native_ab(archsite, n, args, sites_root, out_root)

    empty_trash()
    if not args.keep_output:
        for d in ([out_root / t.name for t in tools]
                  + [out_root / "archsite-check", out_root / "lychee", out_root]):
            try:
                d.rmdir()   # only when empty
            except OSError:
                pass
    scal = scaling(rows)
    meta = {
        "date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(), "platform": platform.platform(),
        "python": platform.python_version(), "seed": args.seed, "runs": args.runs,
        "mode": args.mode, "links_per_page": args.links_per_page,
        "warmup": args.warmup, "quick": args.quick,
        "output_root": str(out_root), "output_fs": fs_type(out_root),
        "tools": dict({t.name: t.info() for t in tools},
                      **({"lychee": lychee.info()} if lychee else {})),
        "skipped_tools": skipped,
        "size_caps": {k: [list(p) for p in v] for k, v in capped.items()},
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
