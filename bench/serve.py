#!/usr/bin/env python3
"""Live-preview benchmark: how fast `archsite serve` gets a save to the browser, and how many
page requests it answers.

    python3 bench/serve.py                      # sample site + 1,000 pages, 20 edits, 10 s load
    python3 bench/serve.py --quick              # CI smoke: sample site, 3 edits, 2 s load
    python3 bench/serve.py --sites sample,1000,10000 --edits 20
    python3 bench/serve.py --bin path/to/archsite   # skip `cargo build --release`

For each site it copies the site (archsite.yaml + content/) to a temp folder, starts
`archsite serve COPY --port 0`, opens a Server-Sent Events connection to /__archsite/events
(raw socket, HTTP/1.1) and then, --edits times (after one warm-up edit that is not counted),
rewrites one page's Markdown with a new word at its end and measures from the moment the file
is written and closed:

  edit->event   until the `reload` event naming the page's HTML arrives on the SSE connection;
  edit->HTML    until a GET of the page (polled every --poll-ms over a keep-alive connection)
                returns HTML that contains the new word;
  rebuild       the server's own `Rebuilt in N ms` figure for that edit (stderr).

Edits are --gap-ms apart (default 300 ms) so that each one is a rebuild of its own.

Then a load test of one static page on 127.0.0.1: `wrk -t2 -cC -dDs --latency` when wrk is on
PATH (unless --python-load), else a built-in asyncio load generator with C keep-alive
connections for D seconds. It reports requests/s, p50/p99 latency and errors (connection
errors, timeouts, non-2xx answers). With --sse-clients K (default 100, 0 with --quick) the
load test is repeated while K open previews (SSE connections) are connected.

Only loopback addresses are contacted; every wait is bounded and the servers are stopped at
the end. Markdown table on stdout, progress on stderr, everything in target/bench-serve.json
(--json PATH). Exit status: 0 on success; 1 when a server did not start, an edit was not seen
(no event or no new HTML within --timeout seconds), the build reported errors, or the load
test had errors or no successful request; 2 when archsite could not be built.

Stdlib only (Python 3.11).
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import platform
import queue
import re
import selectors
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
import cargo_target  # noqa: E402
HOST = "127.0.0.1"


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


class BenchError(Exception):
    pass


# ------------------------------------------------------------------------------------------
# sites


class Site:
    """A site to serve: where it comes from, which page to edit and the page's HTML path."""

    def __init__(self, name: str, src: Path, page_md: str, page_html: str, pages: int):
        self.name, self.src, self.page_md, self.page_html, self.pages = name, src, page_md, page_html, pages


def sample_site() -> Site:
    pages = sum(1 for _ in (REPO / "content").rglob("*.md"))
    return Site("sample", REPO, "content/physical-architecture-dev.md", "physical-architecture-dev.html", pages)


def generated_site(n: int, seed: int = 1) -> Site:
    """target/bench-sites/N-SEED (as bench/run.py lays it out), generated when missing."""
    folder = cargo_target.scratch("bench-sites", f"{n}-{seed}")
    if not (folder / "content" / "index.md").is_file():
        log(f"+ python3 bench/gensite.py {n} {folder} --seed {seed}")
        if folder.exists():
            shutil.rmtree(folder)
        r = subprocess.run([sys.executable, str(REPO / "bench" / "gensite.py"), str(n), str(folder), "--seed", str(seed)])
        if r.returncode != 0:
            raise BenchError(f"gensite.py {n} failed (exit {r.returncode})")
    return Site(str(n), folder, "content/s00/t00/page-00001.md", "s00/t00/page-00001.html", n)


def copy_site(site: Site) -> Path:
    tmp = Path(tempfile.mkdtemp(prefix="archsite-serve-bench-"))
    shutil.copy2(site.src / "archsite.yaml", tmp / "archsite.yaml")
    shutil.copytree(site.src / "content", tmp / "content")
    return tmp


# ------------------------------------------------------------------------------------------
# the server and its event stream


class Server:
    """`archsite serve SITE --port 0`; collects stderr lines with their arrival time."""

    def __init__(self, binary: Path, site_dir: Path, timeout: float):
        self.lines: list[tuple[float, str]] = []
        self.proc = subprocess.Popen(
            [str(binary), "serve", str(site_dir), "--port", "0", "--color", "never", "--timings"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            env={**os.environ, "NO_COLOR": "1"}, text=True, encoding="utf-8", errors="replace",
        )
        self.port: int | None = None
        started = threading.Event()

        def read() -> None:
            for line in self.proc.stderr:
                line = line.rstrip("\n")
                self.lines.append((time.perf_counter(), line))
                m = re.match(r"Serving on http://[^:/]+:(\d+)/", line)
                if m and self.port is None:
                    self.port = int(m.group(1))
                    started.set()
            started.set()

        threading.Thread(target=read, daemon=True).start()
        if not started.wait(timeout) or self.port is None:
            self.stop()
            raise BenchError("archsite serve did not start:\n" + "\n".join(l for _, l in self.lines[-30:]))

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    def rebuild_after(self, t0: float, timeout: float) -> tuple[str, int, dict] | None:
        """The first `Rebuilt in N ms` / `Rebuild failed in N ms` line logged after t0, with
        the stage times of the `--timings` line before it ({"load": ms, ...}, maybe empty)."""
        end = time.perf_counter() + timeout
        while time.perf_counter() < end:
            lines = list(self.lines)
            stages: dict[str, float] = {}
            for t, line in lines:
                if t < t0:
                    continue
                found = re.findall(r"([a-z][a-z ]*?) ([\d.]+) ms", line) if line.startswith("  ") else []
                if found:
                    stages = {k.strip(): float(v) for k, v in found}
                m = re.match(r"(Rebuilt|Rebuild failed) in (\d+) ms", line)
                if m:
                    return m.group(1), int(m.group(2)), stages
            time.sleep(0.005)
        return None


def open_stream(port: int, timeout: float = 10.0) -> tuple[socket.socket, bytes]:
    """An SSE connection whose response head has been read: (socket, bytes read past the head)."""
    sock = socket.create_connection((HOST, port), timeout=timeout)
    sock.sendall(f"GET /__archsite/events HTTP/1.1\r\nHost: {HOST}:{port}\r\nAccept: text/event-stream\r\n\r\n".encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(4096)
        if not chunk:
            raise BenchError("the event stream closed before its head")
        head += chunk
    if not head.startswith(b"HTTP/1.1 200"):
        raise BenchError(f"event stream refused: {head.splitlines()[0]!r}")
    return sock, head.split(b"\r\n\r\n", 1)[1]


class EventStream:
    """Reads events from an SSE socket on a thread; `events` gets (time, name, data)."""

    def __init__(self, port: int):
        self.sock, self.rest = open_stream(port)
        self.sock.settimeout(None)
        self.events: queue.Queue[tuple[float, str, str]] = queue.Queue()
        self.closed = False
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        buf = self.rest
        name, data = "", []
        try:
            while True:
                while b"\n" in buf:
                    raw, buf = buf.split(b"\n", 1)
                    line = raw.decode("utf-8", "replace").rstrip("\r")
                    if line == "":
                        if name:
                            self.events.put((time.perf_counter(), name, "\n".join(data)))
                        name, data = "", []
                    elif line.startswith("event:"):
                        name = line[6:].strip()
                    elif line.startswith("data:"):
                        data.append(line[5:].lstrip(" "))
                chunk = self.sock.recv(65536)
                if not chunk:
                    break
                buf += chunk
        except OSError:
            pass
        self.closed = True
        self.events.put((time.perf_counter(), "__closed__", ""))

    def drain(self) -> None:
        while True:
            try:
                self.events.get_nowait()
            except queue.Empty:
                return

    def hello(self, timeout: float) -> None:
        """Waits for the stream's first event, which must be `hello`."""
        _, name, data = self.events.get(timeout=timeout)
        if name != "hello":
            raise BenchError(f"the event stream started with `{name}` instead of `hello`: {data[:300]}")

    def reload_of(self, page_html: str, t0: float, timeout: float) -> tuple[float | None, str | None]:
        """Seconds from t0 to the first `reload` event whose list of changed files names
        `page_html`, or None and why not: the build reported errors, the stream closed, or no
        such event within `timeout` seconds of t0."""
        deadline = t0 + timeout
        while time.perf_counter() < deadline:
            try:
                t, name, data = self.events.get(timeout=max(0.001, deadline - time.perf_counter()))
            except queue.Empty:
                break
            if name == "reload":
                try:
                    changed = json.loads(data)
                except ValueError:
                    changed = []
                if page_html in changed:
                    return t - t0, None
            elif name == "errors":
                return None, f"the build reported errors: {data[:300]}"
            elif name == "__closed__":
                return None, "the event stream closed"
        return None, f"no reload event for {page_html} within {timeout:.0f} s"

    def close(self) -> None:
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()


# ------------------------------------------------------------------------------------------
# other processes' CPU use (a benchmark on a busy machine measures the machine)

TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_sample(pid: int) -> tuple[float, float, float, float] | None:
    """(time, busy CPU s of the whole machine, CPU s of process `pid`, CPU s of this process)."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
        values = [int(v) for v in fields[:3]]
        # user + nice + system: irq and softirq time (loopback traffic under load) belongs to
        # no process and would be counted as "other" otherwise.
        busy = sum(values) / TICK
        stat = Path(f"/proc/{pid}/stat").read_text()
        after = stat[stat.rindex(")") + 2:].split()
        server = (int(after[11]) + int(after[12])) / TICK  # utime + stime
    except (OSError, ValueError, IndexError):
        return None
    own = os.times()  # this script's threads, and wrk once it has been waited for
    return time.perf_counter(), busy, server, own.user + own.system + own.children_user + own.children_system


def other_cpus(before, after) -> float | None:
    """CPUs kept busy on average by processes other than the server and this script."""
    if not before or not after or after[0] <= before[0]:
        return None
    return max(0.0, ((after[1] - before[1]) - (after[2] - before[2]) - (after[3] - before[3])) / (after[0] - before[0]))


# ------------------------------------------------------------------------------------------
# edit -> reload latency


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    s = sorted(values)
    k = max(0, min(len(s) - 1, -(-len(s) * p // 100) - 1))
    return s[int(k)]


def summary(values: list[float]) -> dict:
    if not values:
        return {"n": 0}
    return {
        "n": len(values),
        "median": statistics.median(values),
        "p90": percentile(values, 90),
        "min": min(values),
        "max": max(values),
    }


def get_once(port: int, path: str, timeout: float = 5.0) -> tuple[int, bytes]:
    """One HTTP/1.0 GET on a new connection (closed by the server after the answer)."""
    with socket.create_connection((HOST, port), timeout=timeout) as sock:
        sock.sendall(f"GET /{path} HTTP/1.0\r\nHost: {HOST}:{port}\r\n\r\n".encode())
        data = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/") else 0
    return status, body


def poll_html(port: int, path: str, word: str, t0: float, deadline: float, poll: float, out: dict) -> None:
    """GETs `path` until its body contains `word`; stores the time in out['html'].

    Every GET uses a new connection: on a reused keep-alive connection each answer of
    archsite serve currently waits ~40 ms for a delayed ACK (see bench/README.md), which
    would measure that instead of when the new page is ready."""
    while time.perf_counter() < deadline:
        try:
            status, body = get_once(port, path)
        except OSError:
            status, body = 0, b""
        if status == 200 and word.encode() in body:
            out["html"] = time.perf_counter() - t0
            return
        time.sleep(poll)


def measure_edits(server: Server, site: Site, copy: Path, edits: int, gap: float, timeout: float, poll: float) -> dict:
    page = copy / site.page_md
    original = page.read_text(encoding="utf-8")
    stream = EventStream(server.port)
    try:
        stream.hello(timeout)
        results = {"event_ms": [], "html_ms": [], "rebuild_ms": [], "stages": [], "failures": []}
        for i in range(edits + 1):  # edit 0 is the warm-up
            time.sleep(gap)
            stream.drain()
            # Alternate between two words (+ the edit number, so that the text really changes
            # and the HTML of this edit can be told apart from the previous one).
            word = f"{'alpha' if i % 2 else 'omega'}word{i:04d}"
            text = f"{original.rstrip()}\n\nBenchmark edit {i}: {word}.\n"
            with open(page, "w", encoding="utf-8") as f:
                f.write(text)
            t0 = time.perf_counter()
            deadline = t0 + timeout
            html: dict = {}
            poller = threading.Thread(target=poll_html, args=(server.port, site.page_html, word, t0, deadline, poll, html))
            poller.start()
            event_s, why = stream.reload_of(site.page_html, t0, timeout)
            poller.join(timeout + 1)
            rebuilt = server.rebuild_after(t0, 1.0)
            if why:
                results["failures"].append(f"edit {i}: {why}")
            if "html" not in html:
                results["failures"].append(f"edit {i}: GET /{site.page_html} did not return the new word within {timeout:.0f} s")
            if results["failures"]:
                break
            if i == 0:
                continue
            results["event_ms"].append(event_s * 1000)
            results["html_ms"].append(html["html"] * 1000)
            if rebuilt and rebuilt[0] == "Rebuilt":
                results["rebuild_ms"].append(float(rebuilt[1]))
                results["stages"].append(rebuilt[2])
            log(f"  edit {i:2d}: event {event_s * 1000:6.1f} ms, html {html['html'] * 1000:6.1f} ms, rebuild {rebuilt[1] if rebuilt else '?'} ms")
    finally:
        stream.close()
        page.write_text(original, encoding="utf-8")
    return results


# ------------------------------------------------------------------------------------------
# load test


def probe_connections(port: int, path: str, count: int, timeout: float = 2.0) -> dict:
    """Opens `count` connections at once (as a browser or wrk does), sends one keep-alive
    GET on each and counts those answered within `timeout` s."""
    socks = []
    try:
        for _ in range(count):
            socks.append(socket.create_connection((HOST, port), timeout=timeout))
        request = f"GET /{path} HTTP/1.1\r\nHost: {HOST}:{port}\r\n\r\n".encode()
        for sock in socks:
            sock.sendall(request)
            sock.setblocking(False)
        answered: set[int] = set()
        end = time.perf_counter() + timeout
        sel = selectors.DefaultSelector()
        for i, sock in enumerate(socks):
            sel.register(sock, selectors.EVENT_READ, i)
        while len(answered) < count and time.perf_counter() < end:
            for key, _ in sel.select(max(0.0, end - time.perf_counter())):
                try:
                    if key.fileobj.recv(65536):
                        answered.add(key.data)
                except OSError:
                    pass
                sel.unregister(key.fileobj)
        sel.close()
        return {"connections": count, "answered": len(answered), "stuck": count - len(answered), "timeout_s": timeout}
    finally:
        for sock in socks:
            sock.close()


def parse_duration(text: str) -> float:
    """wrk's `1.23ms` / `456.00us` / `1.01s` / `2.00m` -> milliseconds."""
    m = re.match(r"([\d.]+)(us|ms|s|m)$", text.strip())
    if not m:
        return float("nan")
    value, unit = float(m.group(1)), m.group(2)
    return value * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def wrk_load(port: int, path: str, seconds: float, connections: int) -> dict:
    url = f"http://{HOST}:{port}/{path}"
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "2s", "--latency", url]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 30)
    out = r.stdout
    if r.returncode != 0:
        raise BenchError(f"wrk failed (exit {r.returncode}): {r.stderr.strip() or out.strip()}")
    result = {"tool": "wrk", "connections": connections, "seconds": seconds, "raw": out}
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    result["rps"] = float(m.group(1)) if m else 0.0
    m = re.search(r"(\d+) requests in ([\d.]+\w+)", out)
    result["requests"] = int(m.group(1)) if m else 0
    for pct in ("50", "99"):
        m = re.search(rf"^\s+{pct}%\s+(\S+)", out, re.M)
        result[f"p{pct}_ms"] = parse_duration(m.group(1)) if m else float("nan")
    errors = {}
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if m:
        errors = {k: int(v) for k, v in zip(("connect", "read", "write", "timeout"), m.groups()) if int(v)}
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if m:
        errors["status"] = int(m.group(1))
    result["errors"] = errors
    return result


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """The status of one response, read to its end, and whether the server closes the
    connection after it (`Connection: close`, which archsite's preview server always sends)."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int((await reader.readline()).split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while (await reader.readline()) not in (b"\r\n", b""):
                    pass
                break
            await reader.readexactly(size + 2)
    elif "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    return status, headers.get("connection", "").lower() == "close"


async def _python_load(port: int, path: str, seconds: float, connections: int, request_timeout: float) -> dict:
    latencies: list[float] = []
    errors: dict[str, int] = {}
    statuses: dict[int, int] = {}
    request = f"GET /{path} HTTP/1.1\r\nHost: {HOST}:{port}\r\n\r\n".encode()
    start = time.perf_counter()
    deadline = start + seconds

    def count(kind: str) -> None:
        errors[kind] = errors.get(kind, 0) + 1

    async def client() -> None:
        conn = None
        answers = 0
        while time.perf_counter() < deadline:
            if conn is None:
                try:
                    conn = await asyncio.wait_for(asyncio.open_connection(HOST, port), request_timeout)
                except (OSError, asyncio.TimeoutError):
                    count("connect")
                    await asyncio.sleep(0.01)
                    continue
            reader, writer = conn
            t = time.perf_counter()
            try:
                writer.write(request)
                status, closing = await asyncio.wait_for(_read_response(reader), request_timeout)
            except asyncio.TimeoutError:
                count("timeout")
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError, IndexError):
                count("read")
            else:
                latencies.append((time.perf_counter() - t) * 1000)
                answers += 1
                statuses[status] = statuses.get(status, 0) + 1
                if not 200 <= status < 400:
                    count("status")
                if not closing:
                    continue
            writer.close()
            conn = None
        if conn is not None:
            conn[1].close()
        if answers == 0:
            count("unanswered-connection")

    await asyncio.gather(*(client() for _ in range(connections)))
    elapsed = time.perf_counter() - start
    return {
        "tool": "python-asyncio",
        "connections": connections,
        "seconds": round(elapsed, 2),
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50_ms": percentile(latencies, 50) if latencies else float("nan"),
        "p99_ms": percentile(latencies, 99) if latencies else float("nan"),
        "errors": errors,
        "statuses": statuses,
    }


def python_load(port: int, path: str, seconds: float, connections: int) -> dict:
    return asyncio.run(_python_load(port, path, seconds, connections, request_timeout=2.0))


def load_test(port: int, path: str, seconds: float, connections: int, use_wrk: bool) -> dict:
    if use_wrk:
        return wrk_load(port, path, seconds, connections)
    return python_load(port, path, seconds, connections)


# ------------------------------------------------------------------------------------------
# main


def fmt(v: float | None) -> str:
    return "–" if v is None or v != v else f"{v:.1f}"


def build_binary(binary: str | None) -> Path:
    if binary:
        path = Path(binary).resolve()
    else:
        path = cargo_target.release_binary()
    if not (path.is_file() and os.access(path, os.X_OK)):
        log(f"archsite binary not found: {path}")
        raise SystemExit(2)
    return path


def run_site(binary: Path, site: Site, args: argparse.Namespace, use_wrk: bool) -> dict:
    copy = copy_site(site)
    result: dict = {"site": site.name, "pages": site.pages, "page": site.page_html, "failures": []}
    server = None
    sse: list[socket.socket] = []
    try:
        t = time.perf_counter()
        server = Server(binary, copy, timeout=args.start_timeout)
        result["startup_s"] = round(time.perf_counter() - t, 3)
        log(f"{site.name}: serving {site.pages} pages on port {server.port} (ready in {result['startup_s']} s); {args.edits} edits of {site.page_md}")
        cpu0 = cpu_sample(server.proc.pid)
        edits = measure_edits(server, site, copy, args.edits, args.gap_ms / 1000, args.timeout, args.poll_ms / 1000)
        result["other_cpus"] = other_cpus(cpu0, cpu_sample(server.proc.pid))
        if result["other_cpus"] is not None and result["other_cpus"] > 0.3:
            log(f"warning: other processes kept {result['other_cpus']:.1f} CPUs busy during the edits of {site.name}: the latencies are not archsite's alone")
        result.update({
            "event": summary(edits["event_ms"]),
            "html": summary(edits["html_ms"]),
            "rebuild": summary(edits["rebuild_ms"]),
            "samples": {k: edits[k] for k in ("event_ms", "html_ms", "rebuild_ms", "stages")},
        })
        names = [n for st in edits["stages"] for n in st]
        result["stages"] = {n: statistics.median([st.get(n, 0.0) for st in edits["stages"]]) for n in dict.fromkeys(names)}
        result["failures"] += edits["failures"]
        if args.load_seconds > 0 and not result["failures"]:
            time.sleep(0.5)
            def load_phase(key: str) -> None:
                probe = probe_connections(server.port, site.page_html, args.connections)
                log(f"{site.name}: {args.connections} connections opened at once: {probe['answered']} answered within {probe['timeout_s']} s")
                if probe["stuck"]:
                    result["failures"].append(f"{key}: {probe['stuck']} of {args.connections} connections opened at once got no answer within {probe['timeout_s']} s")
                time.sleep(0.5)
                log(f"{site.name}: load test, {args.connections} connections, {len(sse)} open previews, {args.load_seconds} s ({'wrk' if use_wrk else 'python'})")
                cpu0 = cpu_sample(server.proc.pid)
                load = load_test(server.port, site.page_html, args.load_seconds, args.connections, use_wrk)
                load.update(probe=probe, sse_clients=len(sse), other_cpus=other_cpus(cpu0, cpu_sample(server.proc.pid)))
                if load["other_cpus"] is not None and load["other_cpus"] > 0.3:
                    log(f"warning: other processes kept {load['other_cpus']:.1f} CPUs busy during the load test")
                result[key] = load

            load_phase("load")
            if args.sse_clients > 0:
                for _ in range(args.sse_clients):
                    sse.append(open_stream(server.port)[0])
                time.sleep(0.2)
                load_phase("load_sse")
            for key in ("load", "load_sse"):
                load = result.get(key)
                if load is None:
                    continue
                if load["requests"] == 0:
                    result["failures"].append(f"{key}: no request succeeded")
                if load["errors"]:
                    result["failures"].append(f"{key}: errors {load['errors']}")
        if not server.alive():
            result["failures"].append("the server exited")
    except BenchError as e:
        result["failures"].append(str(e))
    finally:
        for s in sse:
            s.close()
        if server:
            server.stop()
            result["server_log_tail"] = [l for _, l in server.lines[-20:]]
        shutil.rmtree(copy, ignore_errors=True)
    return result


def print_tables(results: list[dict]) -> None:
    print("| site | pages | edits | edit→event median ms | p90 | min | max | edit→HTML median ms | p90 | min | max | rebuild median ms | other CPUs |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        e, h, b = r.get("event", {}), r.get("html", {}), r.get("rebuild", {})
        print(f"| {r['site']} | {r['pages']} | {e.get('n', 0)} | {fmt(e.get('median'))} | {fmt(e.get('p90'))} | {fmt(e.get('min'))} | {fmt(e.get('max'))} "
              f"| {fmt(h.get('median'))} | {fmt(h.get('p90'))} | {fmt(h.get('min'))} | {fmt(h.get('max'))} | {fmt(b.get('median'))} "
              f"| {'–' if r.get('other_cpus') is None else format(r['other_cpus'], '.2f')} |")
    staged = [r for r in results if r.get("stages")]
    if staged:
        names = list(dict.fromkeys(n for r in staged for n in r["stages"]))
        print()
        print("| site | edit→event median ms | rebuild median ms | " + " | ".join(f"{n} ms" for n in names) + " | rest of edit→event ms |")
        print("|---|---:|---:|" + "---:|" * len(names) + "---:|")
        for r in staged:
            e, b = r["event"].get("median"), r["rebuild"].get("median")
            rest = e - b if e is not None and b is not None else None
            print(f"| {r['site']} | {fmt(e)} | {fmt(b)} | " + " | ".join(fmt(r["stages"].get(n)) for n in names) + f" | {fmt(rest)} |")
    loads = [(r, k) for r in results for k in ("load", "load_sse") if r.get(k)]
    if loads:
        print()
        print("| site | page | tool | connections | open previews | answered at once | seconds | requests | requests/s | p50 ms | p99 ms | errors | other CPUs |")
        print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|")
        for r, k in loads:
            l = r[k]
            probe = l.get("probe") or {}
            at_once = f"{probe['answered']}/{probe['connections']}" if probe else ""
            errors = ", ".join(f"{n} {c}" for c, n in l["errors"].items()) or "0"
            other = "–" if l.get("other_cpus") is None else format(l["other_cpus"], ".2f")
            print(f"| {r['site']} | {r['page']} | {l['tool']} | {l['connections']} | {l.get('sse_clients', 0)} | {at_once} | {l['seconds']} | {l['requests']} "
                  f"| {l['rps']:.0f} | {fmt(l['p50_ms'])} | {fmt(l['p99_ms'])} | {errors} | {other} |")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="CI smoke: sample site, 3 edits, 2 s load, no SSE clients")
    ap.add_argument("--sites", default=None, help="comma-separated: `sample` and/or page counts (default sample,1000)")
    ap.add_argument("--edits", type=int, default=None, help="counted edits per site (default 20; 3 with --quick)")
    ap.add_argument("--gap-ms", type=float, default=300, help="pause before each edit (default 300)")
    ap.add_argument("--poll-ms", type=float, default=2, help="pause between GETs while waiting for the new HTML (default 2)")
    ap.add_argument("--timeout", type=float, default=10, help="seconds an edit may take to show (default 10)")
    ap.add_argument("--start-timeout", type=float, default=120, help="seconds the server may take to start (default 120)")
    ap.add_argument("--load-seconds", type=float, default=None, help="load test duration (default 10; 2 with --quick; 0 skips it)")
    ap.add_argument("--connections", type=int, default=50, help="load test connections (default 50)")
    ap.add_argument("--sse-clients", type=int, default=None, help="open previews during a second load test (default 100; 0 with --quick)")
    ap.add_argument("--python-load", action="store_true", help="use the built-in load generator even when wrk is installed")
    ap.add_argument("--bin", help="archsite binary to use instead of `cargo build --release`")
    ap.add_argument("--json", default=str(cargo_target.scratch("bench-serve.json")), help="where to write all results")
    args = ap.parse_args()
    q = args.quick
    args.sites = args.sites or ("sample" if q else "sample,1000")
    args.edits = args.edits if args.edits is not None else (3 if q else 20)
    args.load_seconds = args.load_seconds if args.load_seconds is not None else (2 if q else 10)
    args.sse_clients = args.sse_clients if args.sse_clients is not None else (0 if q else 100)

    binary = build_binary(args.bin)
    use_wrk = bool(shutil.which("wrk")) and not args.python_load
    results = []
    try:
        for name in args.sites.split(","):
            name = name.strip()
            site = sample_site() if name == "sample" else generated_site(int(name))
            results.append(run_site(binary, site, args, use_wrk))
    except BenchError as e:
        log(f"error: {e}")
        return 1
    print_tables(results)
    failures = [f"{r['site']}: {f}" for r in results for f in r["failures"]]
    for f in failures:
        print(f"FAILED {f}")
    env = {
        "binary": str(binary),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "load_tool": "wrk" if use_wrk else "python-asyncio",
        "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    try:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps({"env": env, "args": vars(args), "results": results}, indent=2, ensure_ascii=False) + "\n")
        log(f"results: {args.json}")
    except OSError as e:
        log(f"warning: could not write {args.json}: {e}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
