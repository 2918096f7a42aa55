#!/usr/bin/env python3
"""Deterministic synthetic site generator for the archsite benchmarks.

    python3 bench/gensite.py N OUT_DIR [--seed S] [--links-per-page K]
    python3 bench/gensite.py --self-check [N OUT_DIR] [--seed S] [--links-per-page K]

Writes a site of exactly N Markdown files (index pages included) into OUT_DIR:

    OUT_DIR/archsite.yaml                 title: Bench N, language: ko
    OUT_DIR/content/index.md              home page, lists the sections
    OUT_DIR/content/s03/index.md          section page, lists its leaf folders
    OUT_DIR/content/s03/t07/index.md      leaf index, lists its pages
    OUT_DIR/content/s03/t07/page-00371.md a content page

Folders are filled in order: a section holds up to 10 leaf folders, a leaf
folder holds its index.md and up to 10 pages, so `content/s00/t00/page-00001.md`
exists for every N >= 4 and its text does not depend on N (only its link
targets do).  Page numbers are global and contiguous (page-00001 ...).

A content page is plain CommonMark + GFM: YAML front matter (`title`,
`weight`), ~600 words of mixed Korean/English prose, 8 numbered h2/h3
headings, one GFM table, one ```yaml block, a ```mermaid block (graph TB with
a subgraph) on every 10th page, and K (--links-per-page, default 6) relative
links to other pages, each with a #fragment naming one of the target's
headings (GitHub anchor rules, see `github_anchor`).  Same N, seed and K ->
byte-identical files; K = 6 writes exactly what this script wrote before K
existed.  Index pages link to their children (no #fragment).

--self-check generates a site (by default 300 files into a temporary folder,
twice, to prove determinism) and re-reads every written file: recomputes the
anchors from the headings actually written and checks that every relative link
resolves to a file and, when it has a #fragment, to one of that file's heading
anchors.  Exit status 1 on any failure.

Stdlib only (Python 3.11).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import re
import shutil
import sys
import tempfile
import time
import unicodedata

PAGES_PER_LEAF = 10
LEAVES_PER_SECTION = 10
HEADINGS_PER_PAGE = 8
LINKS_PER_PAGE = 6   # default K (--links-per-page)
# Where link i of a content page points: cycles through these pools, so
# K = 6 gives 2 in the same leaf folder, 2 elsewhere in the same section and 2
# anywhere, and K = 10 adds 2 more in the leaf folder and 2 in the section.
LINK_POOLS = ("leaf", "leaf", "section", "section", "any", "any")
MERMAID_EVERY = 10
PROSE_WORDS = 540  # target words of prose per content page; with overshoot and link text ~600


# --------------------------------------------------------------------------
# GitHub heading anchors
# --------------------------------------------------------------------------

def github_anchor(text: str) -> str:
    """Anchor GitHub gives a heading (before duplicate suffixes).

    Lowercase; drop every character that is not a letter, a mark, a digit,
    `_`, `-` or a space; then each space becomes `-`.
      "3. 네트워크 Gateway 구성 421" -> "3-네트워크-gateway-구성-421"
    """
    out = []
    for ch in text.lower():
        if ch == " ":
            out.append("-")
        elif ch in "_-":
            out.append(ch)
        else:
            cat = unicodedata.category(ch)
            if cat[0] in "LM" or cat == "Nd":
                out.append(ch)
    return "".join(out)


def unique_anchors(headings: list[str]) -> list[str]:
    """Anchors for a page's headings in order, with GitHub's -1, -2 suffixes
    (the github-slugger algorithm)."""
    occurrences: dict[str, int] = {}
    result = []
    for h in headings:
        base = a = github_anchor(h)
        while a in occurrences:
            occurrences[base] += 1
            a = "%s-%d" % (base, occurrences[base])
        occurrences[a] = 0
        result.append(a)
    return result


# --------------------------------------------------------------------------
# Word lists
# --------------------------------------------------------------------------

KO_NOUNS = (
    "운영환경 개발환경 스테이징 가용성 백업 네트워크 보안 비용 서비스 데이터베이스 캐시 모니터링 "
    "장애 복구 배포 인증 로그 확장성 성능 요청 응답 지연 설정 구성 정책 클러스터 노드 저장소 "
    "트래픽 부하 분산 이중화 알림 감사 암호화 접근제어 스토리지 용량 계획 운영 점검 자동화 "
    "게이트웨이 인스턴스 리전 가상머신 방화벽 인증서 대시보드 지표 임계값 장애조치 세션 큐 "
    "파티션 복제본 스냅샷 보존기간 예산 담당자 절차 변경관리 검증"
).split()
KO_VERBS = (
    "구성합니다 확인합니다 검토합니다 적용합니다 유지합니다 분리합니다 기록합니다 제한합니다 "
    "측정합니다 관리합니다 보장합니다 줄입니다 늘립니다 설정합니다 점검합니다 자동화합니다"
).split()
KO_ADVERBS = "항상 먼저 주기적으로 별도로 반드시 최소한 자동으로 수동으로 매일 함께".split()
EN_WORDS = (
    "cluster latency gateway Redis throughput replica failover ingress Kubernetes PostgreSQL "
    "TLS endpoint snapshot region zone queue Kafka p99 SLA RPO RTO autoscaling timeout retry "
    "CDN DNS VPC subnet pod node cache backup rollout canary quota budget alert dashboard "
    "metric tracing OpenTelemetry Prometheus Grafana S3 bucket IAM role policy certificate"
).split()
EN_CODE = (
    "max_connections maxmemory-policy readinessProbe replicas ttl_seconds "
    "pool_size retention_days min_available"
).split()

TOPICS = (
    "네트워크 Gateway 구성",
    "Redis 캐시 정책",
    "데이터베이스 Replica 구성",
    "보안 TLS 설정",
    "모니터링 Alert 규칙",
    "백업 Snapshot 주기",
    "비용 Capacity 계획",
    "가용성 Failover 절차",
    "서비스 Endpoint 목록",
    "운영환경 Cluster 개요",
    "Latency 목표와 SLA",
    "Throughput 측정 (p99)",
    "접근제어 / IAM 정책",
    "배포 Pipeline & 롤백",
    "로그 수집: Kafka 연동",
    "max_connections 튜닝",
    "장애 대응 Runbook",
    "스토리지 Volume 관리",
    "DNS 및 CDN 설정",
    "Autoscaling 기준",
)
TITLE_TOPICS = (
    "운영환경 아키텍처", "Gateway 설계", "캐시 계층 설계", "데이터베이스 운영", "보안 Baseline",
    "모니터링 체계", "백업과 복구", "비용 최적화", "Network 토폴로지", "서비스 카탈로그",
)

def _with_particles(word: str) -> list[str]:
    """The word bare and with common particles (은/는, 을/를, 이/가, 과/와, 의, 에서)."""
    c = ord(word[-1])
    b = 0xAC00 <= c <= 0xD7A3 and (c - 0xAC00) % 28 != 0
    return [word, word + ("은" if b else "는"), word + ("을" if b else "를"),
            word + ("이" if b else "가"), word + ("과" if b else "와"), word + "의",
            word + "에서"]


def _token_pool() -> tuple[list[str], list[float]]:
    """Every prose token with its cumulative weight, for one rng.choices call
    per sentence: 50% Korean nouns (with particles), 35% English words (a few
    in bold), 8% Korean adverbs, 3% inline code, 4% numbers."""
    groups = (
        (0.50, [w for n in KO_NOUNS for w in _with_particles(n)]),
        (0.336, EN_WORDS),
        (0.014, ["**%s**" % w for w in EN_WORDS]),
        (0.08, KO_ADVERBS),
        (0.03, ["`%s`" % w for w in EN_CODE]),
        (0.04, [str(i) for i in range(2, 1000)]),
    )
    tokens, cum, total = [], [], 0.0
    for weight, words in groups:
        each = weight / len(words)
        for w in words:
            total += each
            tokens.append(w)
            cum.append(total)
    return tokens, cum


_TOKENS, _CUM = _token_pool()


def sentence(rng: random.Random) -> tuple[str, int]:
    """One prose sentence and its word count."""
    n = rng.randint(7, 13)
    words = rng.choices(_TOKENS, cum_weights=_CUM, k=n - 1)
    words.append(rng.choice(KO_VERBS))
    s = " ".join(words)
    if s[0].isascii() and s[0].isalpha():
        s = s[0].upper() + s[1:]
    return s + ".", n


def paragraph(rng: random.Random, target_words: int) -> tuple[str, int]:
    parts, total = [], 0
    while total < target_words:
        s, n = sentence(rng)
        parts.append(s)
        total += n
    return " ".join(parts), total


# --------------------------------------------------------------------------
# Layout
# --------------------------------------------------------------------------

class Page:
    __slots__ = ("rel", "kind", "num", "section", "leaf", "pos", "children")

    def __init__(self, rel, kind, num=0, section=-1, leaf=-1, pos=0):
        self.rel = rel          # path relative to content/, posix
        self.kind = kind        # "home" | "section" | "leaf" | "page"
        self.num = num          # global page number (kind == "page")
        self.section = section
        self.leaf = leaf        # leaf index within the section
        self.pos = pos          # position within its folder (weight)
        self.children = []


def layout(n: int) -> list[Page]:
    """The N Markdown files of the site, in generation order."""
    if n < 1:
        raise ValueError("N must be >= 1")
    files = [Page("index.md", "home")]
    home = files[0]
    remaining = n - 1
    s = num = 0
    while remaining > 0:
        sname = "s%02d" % s
        sec = Page(sname + "/index.md", "section", section=s, pos=s + 1)
        files.append(sec)
        home.children.append(sec)
        remaining -= 1
        for t in range(LEAVES_PER_SECTION):
            if remaining == 0:
                break
            tname = "t%02d" % t
            leaf = Page("%s/%s/index.md" % (sname, tname), "leaf", section=s, leaf=t, pos=t + 1)
            files.append(leaf)
            sec.children.append(leaf)
            remaining -= 1
            for p in range(PAGES_PER_LEAF):
                if remaining == 0:
                    break
                num += 1
                pg = Page("%s/%s/page-%05d.md" % (sname, tname, num), "page", num=num,
                          section=s, leaf=t, pos=p + 1)
                files.append(pg)
                leaf.children.append(pg)
                remaining -= 1
        s += 1
    return files


def rel_link(src: Page, dst: Page) -> str:
    """Relative link from one content page to another (both two folders deep)."""
    name = dst.rel.rsplit("/", 1)[1]
    if src.section == dst.section and src.leaf == dst.leaf:
        return name
    if src.section == dst.section:
        return "../t%02d/%s" % (dst.leaf, name)
    return "../../" + dst.rel


# --------------------------------------------------------------------------
# Page text
# --------------------------------------------------------------------------

def _rng(seed: int, num: int, what: str) -> random.Random:
    # str seeds are hashed with SHA-512 by random.seed (version 2): stable
    # across runs and independent of PYTHONHASHSEED.
    return random.Random("%d:%d:%s" % (seed, num, what))


class PageText:
    """Title and headings of a content page: a function of (seed, num) only."""
    __slots__ = ("title", "headings", "levels", "anchors")

    def __init__(self, seed: int, num: int):
        rng = _rng(seed, num, "head")
        self.title = "%s %d" % (rng.choice(TITLE_TOPICS), num)
        topics = rng.sample(TOPICS, HEADINGS_PER_PAGE)
        # 8 headings: h2 1, h3 1.1, h2 2, h2 3, h3 3.1, h2 4, h3 4.1, h2 5
        numbers = ("1.", "1.1", "2.", "3.", "3.1", "4.", "4.1", "5.")
        self.levels = tuple(3 if "." in n.rstrip(".") else 2 for n in numbers)
        self.headings = tuple("%s %s %d" % (nb, tp, num) for nb, tp in zip(numbers, topics))
        self.anchors = tuple(unique_anchors(list(self.headings)))


def table(rng: random.Random, num: int) -> str:
    rows = ["| 구성 요소 | Environment | Latency (ms) | 비고 |", "|---|---|---:|---|"]
    envs = ("운영환경", "스테이징", "개발환경", "DR 리전")
    for i in range(5):
        comp = rng.choice(("Gateway", "Redis 캐시", "PostgreSQL", "Kafka", "서비스 API",
                           "CDN", "모니터링", "백업 서버"))
        note = rng.choice(("이중화 구성", "single AZ", "p99 기준", "TLS 종료", "비용 검토 필요",
                           "autoscaling", "야간 백업", "-"))
        rows.append("| %s %d-%d | %s | %d | %s |" % (comp, num, i + 1, envs[i % 4],
                                                      rng.randint(1, 400), note))
    return "\n".join(rows)


def yaml_block(rng: random.Random, num: int) -> str:
    return "\n".join((
        "```yaml",
        "service: gateway-%d" % num,
        "environment: %s" % rng.choice(("운영환경", "스테이징", "개발환경")),
        "replicas: %d" % rng.randint(2, 9),
        "resources:",
        "  cpu: \"%dm\"" % rng.choice((250, 500, 1000, 2000)),
        "  memory: %dMi" % rng.choice((256, 512, 1024, 2048)),
        "redis:",
        "  host: redis-%02d.internal" % rng.randint(0, 99),
        "  ttl_seconds: %d" % rng.choice((60, 300, 900, 3600)),
        "monitoring: %s  # 모니터링 활성화" % rng.choice(("true", "false")),
        "```",
    ))


def mermaid_block(num: int) -> str:
    return "\n".join((
        "```mermaid",
        "graph TB",
        "  subgraph prod [운영환경 %d]" % num,
        "    GW[Gateway] --> SVC[서비스 API]",
        "    SVC --> CACHE[Redis 캐시]",
        "  end",
        "  SVC --> DB[(데이터베이스)]",
        "  USER((사용자)) --> GW",
        "```",
    ))


def content_page(seed: int, pg: Page, pages: list[Page], by_leaf, by_section,
                 texts, links_per_page: int = LINKS_PER_PAGE) -> str:
    num = pg.num
    txt = texts(num)
    rng = _rng(seed, num, "body")

    # Link targets: pool i % 6 of LINK_POOLS (for K = 6: 2 in the same leaf
    # folder, 2 elsewhere in the same section, 2 anywhere); fall back to
    # "anywhere" when a group is empty.  Links are drawn in order from one
    # rng, so the first 6 links are the same for every K >= 6.
    lrng = _rng(seed, num, "links")

    def pick(pool):
        if len(pool) > 1 or (pool and pool[0] is not pg):
            while True:
                c = pool[lrng.randrange(len(pool))]
                if c is not pg:
                    return c
        return None

    same_leaf = by_leaf[(pg.section, pg.leaf)]
    same_sec = [p for p in by_section[pg.section] if p.leaf != pg.leaf]
    pools = {"leaf": same_leaf, "section": same_sec, "any": pages}
    links = []
    for i in range(links_per_page):
        pool = pools[LINK_POOLS[i % len(LINK_POOLS)]]
        tgt = pick(pool) or pick(pages) or pg
        tt = texts(tgt.num)
        h = lrng.randrange(HEADINGS_PER_PAGE)
        href = "%s#%s" % (rel_link(pg, tgt) if tgt is not pg else "", tt.anchors[h])
        links.append("[%s](%s)" % (tt.headings[h].split(" ", 1)[1], href))

    out = ["---", 'title: "%s"' % txt.title, "weight: %d" % pg.pos, "---", ""]
    intro, _ = paragraph(rng, 40)
    out += [intro, ""]
    # 8 sections of ~70 words; link j goes at the end of section j % 8
    # (K = 6: one link at the end of each of sections 0..5).
    per_section = (PROSE_WORDS - 40) // HEADINGS_PER_PAGE
    for i in range(HEADINGS_PER_PAGE):
        out += ["#" * txt.levels[i] + " " + txt.headings[i], ""]
        para, _ = paragraph(rng, per_section)
        for link in links[i::HEADINGS_PER_PAGE]:
            para += " 관련 내용은 %s 문서를 참고합니다." % link
        out += [para, ""]
        if i == 2:
            out += [table(rng, num), ""]
        elif i == 3:
            out += [yaml_block(rng, num), ""]
        elif i == 5 and num % MERMAID_EVERY == 0:
            out += [mermaid_block(num), ""]
    return "\n".join(out)


def index_page(seed: int, pg: Page, n: int, texts) -> str:
    rng = _rng(seed, -1, "index:" + pg.rel)
    if pg.kind == "home":
        title = "Bench %d 홈" % n
        heading = "## 섹션 목록 (Sections)"
    elif pg.kind == "section":
        title = "섹션 s%02d 개요" % pg.section
        heading = "## 하위 폴더 목록"
    else:
        title = "s%02d t%02d Overview" % (pg.section, pg.leaf)
        heading = "## 문서 목록 (Pages)"
    para, _ = paragraph(rng, 60)
    out = ["---", 'title: "%s"' % title, "weight: %d" % pg.pos, "---", "", para, "", heading, ""]
    base = pg.rel.rsplit("/", 1)[0] + "/" if "/" in pg.rel else ""
    for c in pg.children:
        if c.kind == "page":
            label = texts(c.num).title
        elif c.kind == "section":
            label = "섹션 s%02d" % c.section
        else:
            label = "s%02d t%02d" % (c.section, c.leaf)
        out.append("- [%s](%s)" % (label, c.rel[len(base):]))
    out.append("")
    return "\n".join(out)


def generate(n: int, out_dir: str, seed: int = 1,
             links_per_page: int = LINKS_PER_PAGE) -> dict:
    """Write the site; return a small summary, with the number of internal
    links written: `links` (all), `fragment_links` (the content pages'
    links, each with a #fragment) and `index_links` (index pages' links to
    their children, no fragment)."""
    if links_per_page < 0:
        raise ValueError("links_per_page must be >= 0")
    pages = layout(n)
    content_pages = [p for p in pages if p.kind == "page"]
    by_leaf: dict = {}
    by_section: dict = {}
    for p in content_pages:
        by_leaf.setdefault((p.section, p.leaf), []).append(p)
        by_section.setdefault(p.section, []).append(p)
    cache: dict[int, PageText] = {}

    def texts(num: int) -> PageText:
        t = cache.get(num)
        if t is None:
            t = cache[num] = PageText(seed, num)
        return t

    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "archsite.yaml"), "w", encoding="utf-8", newline="\n") as f:
        f.write("title: Bench %d\nlanguage: ko\n" % n)
    content = os.path.join(out_dir, "content")
    made = set()
    nbytes = index_links = 0
    for pg in pages:
        path = os.path.join(content, pg.rel)
        d = os.path.dirname(path)
        if d not in made:
            os.makedirs(d, exist_ok=True)
            made.add(d)
        if pg.kind == "page":
            text = content_page(seed, pg, content_pages, by_leaf, by_section, texts,
                                links_per_page)
        else:
            text = index_page(seed, pg, n, texts)
            index_links += len(pg.children)
        data = text.encode("utf-8")
        nbytes += len(data)
        with open(path, "wb") as f:
            f.write(data)
    frag_links = len(content_pages) * links_per_page
    return {"files": len(pages), "content_pages": len(content_pages), "bytes": nbytes,
            "links_per_page": links_per_page, "links": frag_links + index_links,
            "fragment_links": frag_links, "index_links": index_links}


# --------------------------------------------------------------------------
# Self-check
# --------------------------------------------------------------------------

ANCHOR_VECTORS = (
    ("3. 네트워크 Gateway 구성 421", "3-네트워크-gateway-구성-421"),
    ("2.1 환경별 특성 비교", "21-환경별-특성-비교"),
    ("1.1 Throughput 측정 (p99) 7", "11-throughput-측정-p99-7"),
    ("4. 접근제어 / IAM 정책 12", "4-접근제어--iam-정책-12"),
    ("5. 배포 Pipeline & 롤백 3", "5-배포-pipeline--롤백-3"),
    ("3.1 로그 수집: Kafka 연동 9", "31-로그-수집-kafka-연동-9"),
    ("2. max_connections 튜닝 1", "2-max_connections-튜닝-1"),
    ("Hello-World", "hello-world"),
)

HEADING_RE = re.compile(r"^(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
LINK_RE = re.compile(r"\[([^\]]*)\]\(([^)\s]+)\)")
WORD_RE = re.compile(r"\S+")


def parse_md(text: str):
    """Headings (outside fences, after front matter), link targets, stats."""
    lines = text.split("\n")
    i = 0
    if lines and lines[0] == "---":
        i = lines.index("---", 1) + 1
    headings, links = [], []
    fence = None
    stats = {"tables": 0, "yaml": 0, "mermaid": 0, "words": 0}
    for line in lines[i:]:
        if fence:
            if line.startswith(fence):
                fence = None
            continue
        if line.startswith("```"):
            fence = "```"
            lang = line[3:].strip()
            if lang in ("yaml", "mermaid"):
                stats[lang] += 1
            continue
        if line.startswith("|---"):
            stats["tables"] += 1
            continue
        m = HEADING_RE.match(line)
        if m:
            headings.append((len(m.group(1)), m.group(2)))
            continue
        links += [m.group(2) for m in LINK_RE.finditer(line)]
        if line and not line.startswith(("|", "- ")):
            stats["words"] += len(WORD_RE.findall(line))
    return headings, links, stats


def check_site(out_dir: str, links_per_page: int = LINKS_PER_PAGE,
               expect: dict | None = None) -> list[str]:
    content = os.path.join(out_dir, "content")
    errors: list[str] = []
    parsed = {}
    for d, _, files in os.walk(content):
        for fn in files:
            if fn.endswith(".md"):
                p = os.path.join(d, fn)
                with open(p, encoding="utf-8") as f:
                    parsed[os.path.normpath(p)] = parse_md(f.read())
    anchors = {p: set(unique_anchors([h for _, h in v[0]])) for p, v in parsed.items()}
    n_links = n_frag = 0
    words, pages = 0, 0
    for p, (heads, links, stats) in sorted(parsed.items()):
        rel = os.path.relpath(p, content)
        if os.path.basename(p).startswith("page-"):
            pages += 1
            words += stats["words"]
            num = int(os.path.basename(p)[5:10])
            want_mermaid = 1 if num % MERMAID_EVERY == 0 else 0
            if len(heads) != HEADINGS_PER_PAGE or {lv for lv, _ in heads} != {2, 3}:
                errors.append("%s: %d headings (want %d, h2 and h3)" % (rel, len(heads),
                                                                         HEADINGS_PER_PAGE))
            if (stats["tables"], stats["yaml"], stats["mermaid"]) != (1, 1, want_mermaid):
                errors.append("%s: tables/yaml/mermaid = %s" % (rel, stats))
            frags = [l for l in links if "#" in l]
            if len(frags) != links_per_page:
                errors.append("%s: %d anchored links (want %d)" % (rel, len(frags),
                                                                    links_per_page))
        for href in links:
            n_links += 1
            path, _, frag = href.partition("#")
            target = os.path.normpath(os.path.join(os.path.dirname(p), path)) if path else p
            if target not in parsed:
                errors.append("%s: link %s: no such page" % (rel, href))
                continue
            if frag:
                n_frag += 1
                if frag not in anchors[target]:
                    errors.append("%s: link %s: no heading with that anchor in %s"
                                  % (rel, href, os.path.relpath(target, content)))
    if expect is not None and (expect["links"], expect["fragment_links"]) != (n_links, n_frag):
        errors.append("generate() counted %d links (%d with #fragment), the files have %d (%d)"
                      % (expect["links"], expect["fragment_links"], n_links, n_frag))
    print("self-check: %d md files (%d content pages, avg %.0f words), %d links "
          "(%d with #fragment), %d problems"
          % (len(parsed), pages, words / max(pages, 1), n_links, n_frag, len(errors)))
    return errors


def tree_digest(root: str) -> str:
    h = hashlib.sha256()
    for d, dirs, files in os.walk(root):
        dirs.sort()
        for fn in sorted(files):
            p = os.path.join(d, fn)
            h.update(os.path.relpath(p, root).encode() + b"\0")
            with open(p, "rb") as f:
                h.update(f.read())
    return h.hexdigest()


def self_check(n: int | None, out_dir: str | None, seed: int,
               links_per_page: int = LINKS_PER_PAGE) -> int:
    errors = []
    for text, want in ANCHOR_VECTORS:
        got = github_anchor(text)
        if got != want:
            errors.append("github_anchor(%r) = %r, want %r" % (text, got, want))
    if unique_anchors(["A b", "A b", "a-b", "A b"]) != ["a-b", "a-b-1", "a-b-2", "a-b-3"]:
        errors.append("unique_anchors: wrong duplicate suffixes: %r"
                      % unique_anchors(["A b", "A b", "a-b", "A b"]))
    tmp = None
    try:
        if out_dir is None:
            tmp = tempfile.mkdtemp(prefix="gensite-check-")
            out_dir = os.path.join(tmp, "a")
            n = n or 300
        t0 = time.perf_counter()
        summary = generate(n, out_dir, seed, links_per_page)
        dt = time.perf_counter() - t0
        print("generated %d files (%d content pages, %.1f MB, %d links per page) in %.2fs"
              % (summary["files"], summary["content_pages"], summary["bytes"] / 1e6,
                 links_per_page, dt))
        errors += check_site(out_dir, links_per_page, summary)
        # Determinism: a second generation elsewhere must be byte-identical.
        if tmp is None:
            tmp = tempfile.mkdtemp(prefix="gensite-check-")
        other = os.path.join(tmp, "b")
        generate(n, other, seed, links_per_page)
        if tree_digest(out_dir) != tree_digest(other):
            errors.append("two generations with the same N and seed differ")
        else:
            print("determinism: second generation is byte-identical")
        # The fixed page must not depend on N apart from its link targets.
        if n >= 4:
            small = os.path.join(tmp, "small")
            generate(4, small, seed, links_per_page)
            with open(os.path.join(small, "content/s00/t00/page-00001.md"), encoding="utf-8") as f:
                a = LINK_RE.sub("", f.read())
            with open(os.path.join(out_dir, "content/s00/t00/page-00001.md"), encoding="utf-8") as f:
                b = LINK_RE.sub("", f.read())
            if a != b:
                errors.append("content/s00/t00/page-00001.md text depends on N")
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    for e in errors[:30]:
        print("  " + e)
    if len(errors) > 30:
        print("  ... %d more" % (len(errors) - 30))
    print("self-check %s" % ("FAILED" if errors else "passed"))
    return 1 if errors else 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("n", nargs="?", type=int, help="number of Markdown files")
    ap.add_argument("out_dir", nargs="?", help="site folder to write")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--links-per-page", type=int, default=LINKS_PER_PAGE, metavar="K",
                    help="relative links (each with a #fragment) per content page "
                         "(default %d)" % LINKS_PER_PAGE)
    ap.add_argument("--self-check", action="store_true",
                    help="generate (N OUT_DIR, or 300 files in a temp folder) and verify")
    a = ap.parse_args(argv)
    if a.links_per_page < 0:
        ap.error("--links-per-page must be >= 0")
    if a.self_check:
        if (a.n is None) != (a.out_dir is None):
            ap.error("--self-check takes both N and OUT_DIR, or neither")
        return self_check(a.n, a.out_dir, a.seed, a.links_per_page)
    if a.n is None or a.out_dir is None:
        ap.error("N and OUT_DIR are required")
    if a.n < 1:
        ap.error("N must be >= 1")
    t0 = time.perf_counter()
    s = generate(a.n, a.out_dir, a.seed, a.links_per_page)
    print("wrote %d Markdown files (%d content pages, %.1f MB) to %s in %.2fs; "
          "%d internal links (%d with #fragment)"
          % (s["files"], s["content_pages"], s["bytes"] / 1e6, a.out_dir,
             time.perf_counter() - t0, s["links"], s["fragment_links"]), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
