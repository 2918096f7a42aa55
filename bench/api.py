#!/usr/bin/env python3
"""Benchmark: what OpenAPI spec pages add to a build, and what an API page weighs.

Three comparisons, each between the same folder with its specs read as specs ("API pages") and
with their `openapi:` key renamed (`x-openapi:`), so that the same files are what they would
be without API pages: source pages (numbered, highlighted listings; "source"), interleaved,
each build cold (a fresh copy of the site, an empty output folder and an empty cache folder):

  fixture   tests/fixtures/api (6 specs: 15 operations, 16 schemas; 3 Markdown pages)
  1000      bench/gensite.py 1000 pages, plus the fixture's backend/ folder (its specs, the
            overview page linking to them, a config)
  big       one generated spec of 3,000 operations (40 tags, 40 schemas) on its own

Prints medians (wall and CPU) and the added time, and the size of the fixture's API pages
(bytes, gzip). Usage: python3 bench/api.py [--runs 5] [--bin PATH] [--quick]
(`--quick`: one run, 100 pages instead of 1,000 and 300 operations instead of 3,000: it proves
the harness works; scripts/test.sh runs it so).
"""

import argparse
import gzip
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))
import cargo_target  # noqa: E402

FIXTURE = os.path.join(ROOT, "tests", "fixtures", "api", "site")


def big_spec(operations=3000, tags=40):
    out = ["openapi: 3.0.3", "info: {title: 대형 API, version: '1'}", "tags:"]
    out += [f"  - name: tag{t}\n    description: 태그 {t}의 설명" for t in range(tags)]
    out.append("paths:")
    for i in range(operations // 2):
        t = i % tags
        out.append(f"""  /items{i}/{{id}}:
    get:
      tags: [tag{t}]
      operationId: get{i}
      summary: 항목 {i} 조회
      description: 항목 {i}을 돌려준다. **굵게** `code`.
      parameters:
        - {{name: id, in: path, required: true, schema: {{type: string}}}}
      responses:
        '200':
          description: 항목
          content:
            application/json:
              schema: {{$ref: '#/components/schemas/Item{t}'}}
    delete:
      tags: [tag{t}]
      summary: 항목 {i} 삭제
      responses:
        '204': {{description: 삭제됨}}""")
    out.append("components:\n  schemas:")
    for t in range(tags):
        out.append(f"    Item{t}:\n      type: object\n      properties:\n        id: {{type: string}}\n"
                   f"        name: {{type: string, description: 이름}}")
    return "\n".join(out) + "\n"


def make_sites(tmp, pages=1000, operations=3000):
    sites = {}
    fixture = os.path.join(tmp, "fixture")
    shutil.copytree(FIXTURE, fixture)
    sites["fixture"] = fixture
    thousand = os.path.join(tmp, str(pages))
    subprocess.run([sys.executable, os.path.join(ROOT, "bench", "gensite.py"), str(pages), thousand],
                   check=True, capture_output=True)
    shutil.copytree(os.path.join(FIXTURE, "content", "backend"),
                    os.path.join(thousand, "content", "backend"))
    with open(os.path.join(thousand, "archsite.yaml"), "a") as f:
        f.write("severity:\n  orphan-page: off\n")
    sites[str(pages)] = thousand
    big = os.path.join(tmp, "big")
    os.makedirs(os.path.join(big, "content"))
    with open(os.path.join(big, "content", "big-api.yaml"), "w") as f:
        f.write(big_spec(operations))
    with open(os.path.join(big, "content", "index.md"), "w") as f:
        f.write("# 대형 API\n\n[명세](big-api.yaml)\n")
    sites["big"] = big
    return sites


def as_files(site, dest):
    """A copy of `site` whose specs are not specs (their `openapi:` key renamed): source pages."""
    shutil.copytree(site, dest)
    for folder, _, names in os.walk(os.path.join(dest, "content")):
        for name in names:
            if name.endswith(".md"):
                # A source page's anchors are its lines: links to operations go to the page.
                path = os.path.join(folder, name)
                with open(path, encoding="utf-8") as f:
                    text = f.read()
                with open(path, "w", encoding="utf-8") as f:
                    f.write(re.sub(r'#(?:op|schema)-[^)\s]*\)', ')', text))
            if name.endswith((".yaml", ".json")):
                path = os.path.join(folder, name)
                with open(path, encoding="utf-8") as f:
                    text = f.read()
                renamed = re.sub(r'^openapi:', 'x-openapi:', text, flags=re.M).replace('"openapi":', '"x-openapi":')
                with open(path, "w", encoding="utf-8") as f:
                    f.write(renamed)
    return dest


def cold_build(binary, site, scratch):
    """Wall and CPU seconds of a build of a fresh copy of `site`, with empty output and cache."""
    copy = os.path.join(scratch, "site")
    shutil.rmtree(scratch, ignore_errors=True)
    shutil.copytree(site, copy)
    env = dict(os.environ, ARCHSITE_CACHE_DIR=os.path.join(scratch, "cache"), NO_COLOR="1")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run([binary, "build", copy, "--output", os.path.join(scratch, "out")],
                            capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        sys.exit(f"build of {site} failed:\n{result.stdout}\n{result.stderr}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def page_sizes(binary, site, scratch):
    cold_build(binary, site, scratch)
    out = os.path.join(scratch, "out", "backend", "api")
    rows = []
    for name in sorted(os.listdir(out)):
        if name.endswith(".html"):
            with open(os.path.join(out, name), "rb") as f:
                data = f.read()
            rows.append((name, len(data), len(gzip.compress(data, 9))))
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--bin", help="archsite binary (default: cargo build --release)")
    ap.add_argument("--quick", action="store_true", help="a smoke run: nothing is timed")
    args = ap.parse_args()
    if args.quick:
        args.runs = 1
    binary = args.bin or str(cargo_target.release_binary())
    with tempfile.TemporaryDirectory(prefix="archsite-api-bench-") as tmp:
        sites = make_sites(os.path.join(tmp, "sites"), *((100, 300) if args.quick else (1000, 3000)))
        variants = {}
        for name, site in sites.items():
            variants[(name, "pages")] = site
            variants[(name, "files")] = as_files(site, site + "-files")
        scratch = os.path.join(tmp, "scratch")
        for v in variants.values():
            cold_build(binary, v, scratch)  # warm the page cache of the binary, not of archsite
        samples = {k: ([], []) for k in variants}
        for _ in range(args.runs):
            for key, site in variants.items():
                wall, cpu = cold_build(binary, site, scratch)
                samples[key][0].append(wall)
                samples[key][1].append(cpu)
        print(f"cold builds (fresh copy, empty output and cache), median of {args.runs} interleaved; "
              f"load {os.getloadavg()[0]:.1f}")
        for name in sites:
            p = [statistics.median(x) * 1000 for x in samples[(name, "pages")]]
            f = [statistics.median(x) * 1000 for x in samples[(name, "files")]]
            print(f"  {name:<8} specs as API pages {p[0]:8.1f} ms (CPU {p[1]:7.1f})   as source pages {f[0]:8.1f} ms "
                  f"(CPU {f[1]:7.1f})   added {p[0] - f[0]:+7.1f} ms ({(p[0] / f[0] - 1) * 100:+.1f} %)")
        print("API pages of the fixture (bytes, gzip -9):")
        for name, size, gz in page_sizes(binary, sites["fixture"], scratch):
            print(f"  {name:<40} {size:8,d} {gz:7,d}")


if __name__ == "__main__":
    sys.exit(main())
