#!/usr/bin/env python3
"""Benchmark: what generated data tables add to a build.

Generates two sites of N pages (default 1,000) with the same prose: in one, every page also
places 3 tables from shared YAML data (a grouped cost table with totals and a ratio, a
three-environment SLA table, a one-environment projection) and quotes 2 values inline; in the
other, the pages have no tables. Times `archsite build` on each (median of 5 runs after a
warm-up) and prints the added time. The issue's target: under 20 %.

Usage: python3 bench/tables.py [--pages 1000] [--runs 5] [--bin PATH]
Standalone on purpose: it does not touch bench/run.py or bench/gensite.py.
"""

import argparse
import os
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

ENVIRONMENTS = """environments:
  - {id: dev, name: Development}
  - {id: prod, name: Production}
  - {id: global, name: Global}
"""


# Sized like the sample's cost table: 8 rows in 5 groups, totals, subtotals, a ratio.
COST_ROWS = [
    ("Compute", "Control plane", 0, 70), ("Compute", "System pool", 70, 280),
    ("Compute", "App pool", 50, 850), ("Data", "PostgreSQL", 0, 450), ("Data", "Redis", 0, 250),
    ("Network", "Gateway", 20, 150), ("Messaging", "Service Bus", 10, 150),
    ("Operations", "Monitoring", 0, 100),
]


def cost_yaml():
    rows = []
    for i, (group, label, dev, prod) in enumerate(COST_ROWS):
        rows.append(
            f"  - id: item-{i}\n    group: {group}\n    label: {label}\n"
            f"    dev: {{value: {dev}, note: Spot}}\n    prod: {{value: {prod}, note: Reserved}}\n"
        )
    return "caption: Monthly cost\nunit: usd\ntotal: true\nsubtotals: true\nrows:\n" + "".join(rows)


def markdown_tables():
    """The same three tables written by hand, as a writer would without archsite's data."""
    dev_total = sum(r[2] for r in COST_ROWS)
    prod_total = sum(r[3] for r in COST_ROWS)
    cost = ["| Group | Component | Development | Production | Ratio |", "|---|---|--:|--:|--:|"]
    for group, label, dev, prod in COST_ROWS:
        ratio = f"{prod / dev:.1f}x" if dev else "∞"
        cost.append(f"| {group} | {label} | ${dev:,} (Spot) | ${prod:,} (Reserved) | {ratio} |")
    cost.append(f"| **Total** | | **${dev_total:,}** | **${prod_total:,}** | **{prod_total / dev_total:.1f}x** |")
    sla = ["| Item | Development | Production | Global |", "|---|---|---|---|",
           "| Availability | 95% | 99.9% | 99.95% |", "| Response time | < 10 s | < 5 s | < 2 s |",
           "| Deployment | 30 min | 10 min | 5 min |", "| Users | 5 people | 100,000 people | 1,000,000 people |",
           f"| Monthly cost | ${dev_total:,} | ${prod_total:,} | ≥ $15,000 |",
           "| Security incidents | not monitored | zero target | zero target |"]
    dev = ["| Component | Spec | Development |", "|---|---|--:|"]
    for group, label, d, _ in COST_ROWS:
        dev.append(f"| {label} | Spot | ${d:,} |")
    dev.append(f"| **Total** | | **${dev_total:,}** |")
    return (f"\nProduction costs ${prod_total:,} a month, {prod_total / dev_total:.1f}x development.\n\n"
            + "\n".join(cost) + "\n\n" + "\n".join(sla) + "\n\n" + "\n".join(dev) + "\n")


def sla_yaml():
    return """caption: Service levels
rows:
  - {id: availability, label: Availability, unit: percent, dev: 95, prod: 99.9, global: 99.95}
  - {id: response, label: Response time, unit: seconds, dev: {below: 10}, prod: {below: 5}, global: {below: 2}}
  - {id: deploy, label: Deployment, unit: minutes, dev: 30, prod: 10, global: 5}
  - {id: users, label: Users, unit: people, dev: 5, prod: 100000, global: 1000000}
  - {id: cost, label: Monthly cost, dev: {ref: cost.total.dev}, prod: {ref: cost.total.prod}, global: {min: 15000, unit: usd}}
  - {id: incidents, label: Security incidents, dev: not monitored, prod: zero target, global: zero target}
"""


PROSE = """
## {n}.1 Overview

This section describes component {n} of the platform: its responsibilities, the services it
talks to and how it is deployed. See [the index](index.md) and [the previous page](page-{prev}.md).

- Runs in every environment with the same container image.
- Scales horizontally; state lives in the managed database.
- Logs go to the central workspace.

## {n}.2 Details

```yaml
replicas: 3
resources: {{cpu: 500m, memory: 1Gi}}
```

Text paragraph with **emphasis**, `code` and a [link to the next page](page-{next}.md#{next}1-overview).
"""

TABLES = """
Production costs `=cost.total.prod` a month, `=cost.total.prod/dev` development.

```table
table: cost
ratio: prod/dev
```

```table
table: sla
highlight: true
```

```table
table: cost
envs: [dev]
notes: column
subtotals: false
```
"""


def generate(dest, pages, kind):
    """kind: "plain" (no tables), "markdown" (hand-written tables) or "data" (directives)."""
    content = os.path.join(dest, "content")
    os.makedirs(content)
    if kind == "data":
        os.makedirs(os.path.join(content, "data"))
        for name, text in [("environments", ENVIRONMENTS), ("cost", cost_yaml()), ("sla", sla_yaml())]:
            with open(os.path.join(content, "data", name + ".yaml"), "w") as f:
                f.write(text)
    with open(os.path.join(dest, "archsite.yaml"), "w") as f:
        f.write("title: Tables benchmark\nlanguage: en\nseverity:\n  orphan-page: off\n")
    with open(os.path.join(content, "index.md"), "w") as f:
        f.write("# Index\n\n" + "".join(f"- [Page {i}](page-{i}.md)\n" for i in range(pages)))
    for i in range(pages):
        body = f"# Page {i}\n" + PROSE.format(n=i, prev=(i - 1) % pages, next=(i + 1) % pages)
        if kind == "data":
            body += TABLES
        elif kind == "markdown":
            body += markdown_tables()
        with open(os.path.join(content, f"page-{i}.md"), "w") as f:
            f.write(body)


def build_once(binary, site, out):
    """Wall and CPU (user + system) seconds of one build."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run([binary, "build", site, "--output", out], capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        sys.exit(f"build of {site} failed:\n{result.stdout}\n{result.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--bin", help="archsite binary (default: cargo build --release)")
    args = ap.parse_args()
    if not args.bin:
        args.bin = str(cargo_target.release_binary())
    if not os.path.exists(args.bin):
        sys.exit(f"{args.bin} not found")
    kinds = ("plain", "markdown", "data")
    names = {"plain": "no tables", "markdown": "3 hand-written Markdown tables",
             "data": "3 generated tables + 2 inline values"}
    with tempfile.TemporaryDirectory(prefix="archsite-tables-bench-") as tmp:
        sites = {k: os.path.join(tmp, k) for k in kinds}
        for k in kinds:
            generate(sites[k], args.pages, k)
            build_once(args.bin, sites[k], os.path.join(sites[k], "out-warmup"))
        # Interleaved, so that load from other processes falls on all three alike.
        samples = {k: {"cold": [], "cold_cpu": [], "rebuild": [], "rebuild_cpu": []} for k in kinds}
        for i in range(args.runs):
            for k in kinds:
                wall, cpu = build_once(args.bin, sites[k], os.path.join(sites[k], f"out-{i}"))
                samples[k]["cold"].append(wall)
                samples[k]["cold_cpu"].append(cpu)
        for i in range(args.runs):
            for k in kinds:
                wall, cpu = build_once(args.bin, sites[k], os.path.join(sites[k], "out-0"))
                samples[k]["rebuild"].append(wall)
                samples[k]["rebuild_cpu"].append(cpu)
        med = {k: {m: statistics.median(v) for m, v in samples[k].items()} for k in kinds}
        print(f"{args.pages} pages, median of {args.runs} interleaved builds; cold = into an empty folder,"
              " rebuild = nothing changed; wall (CPU user+sys)")
        print(f"  {'site':<38} {'cold':>18} {'rebuild':>18}")
        for k in kinds:
            m = med[k]
            print(f"  {names[k]:<38} {m['cold'] * 1000:7.1f} ms ({m['cold_cpu'] * 1000:4.0f}) "
                  f"{m['rebuild'] * 1000:7.1f} ms ({m['rebuild_cpu'] * 1000:4.0f})")
        pct = lambda a, b, m: (med[a][m] - med[b][m]) / med[b][m] * 100
        for a, b in (("data", "plain"), ("data", "markdown"), ("markdown", "plain")):
            print(f"  {names[a]} vs {names[b]}: "
                  f"cold {pct(a, b, 'cold'):+.1f} % (CPU {pct(a, b, 'cold_cpu'):+.1f} %), "
                  f"rebuild {pct(a, b, 'rebuild'):+.1f} % (CPU {pct(a, b, 'rebuild_cpu'):+.1f} %)")
        return 0 if pct("data", "plain", "cold") < 20 else 1


if __name__ == "__main__":
    sys.exit(main())
