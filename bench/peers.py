"""Peer static site generators for bench/run.py: Hugo, Zola and mdBook.

Each peer is measured on the same generated site as archsite
(bench/gensite.py: `archsite.yaml` + `content/**/*.md`), laid out the way the
peer requires it by `prepare_site` into a cache folder of its own
(target/bench-sites/TOOL-N-SEED/), rebuilt when the generated site, this file
or the peer's version changes.  The harness never installs or downloads a
peer: a peer is used when its binary is on PATH (`hugo`, `zola`, `mdbook`).

The layouts (minimal themes: a title, a breadcrumb, the table of contents
where the tool has one, and the page's content):

- Hugo: `hugo.toml` (uglyURLs, no taxonomies, no RSS), `layouts/_default/`
  `baseof.html`, `single.html`, `list.html` and a link render hook
  (`_markup/render-link.html`) that resolves every relative `.md` link with
  `relref` (an unknown page fails the build); `X/index.md` becomes the
  section file `X/_index.md` (links to it follow).  Front matter unchanged
  (YAML).  Pages land in `a/b.html`, sections in `a.html` (uglyURLs).
- Zola: `config.toml` (code highlighting on, as archsite and Hugo do;
  no search index, no feed), `templates/index.html`, `section.html`,
  `page.html`; `X/index.md` becomes `X/_index.md` (a section, pages sorted by
  weight); front matter converted to TOML; every relative link rewritten to
  Zola's internal form `@/path.md#anchor` (checked by Zola at build time);
  each heading gets an explicit `{#id}` with the GitHub anchor the generator's
  links use (Zola's own slugs transliterate Korean to ASCII).  Pages land in
  `a/b/index.html`, sections in `a/index.html`.
- mdBook: `book.toml` + `src/SUMMARY.md` listing every file (the home page as
  a prefix chapter, then sections, leaf folders and pages nested as the
  folders are) and the pages under `src/`; the front matter becomes a
  `# title` heading (mdBook has no front matter); links unchanged (mdBook
  rewrites `.md` to `.html` itself).  mdBook's defaults stay on: the search
  index, `print.html` (the whole book on one page) and the sidebar with every
  chapter (one `toc.js`).  Pages land in `a/b.html`.

None of them validates or renders Mermaid: the ```mermaid blocks stay code
blocks (archsite validates each diagram at build time).

Stdlib only (Python 3.11).
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import re
import shutil
import subprocess
from pathlib import Path

import gensite   # bench/ is on sys.path (run.py's folder)

HERE = Path(__file__).resolve().parent

FRONT_RE = re.compile(r"\A---\n(.*?)\n---\n", re.S)
# the generator's links: [text](target) with no spaces in the target
LINK_RE = re.compile(r"(\[[^\]]*\]\()([^)\s]+)(\))")
HEADING_RE = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t]*$")


class PeerUnavailable(Exception):
    """The peer is not installed (or unusable): skipped, never an error."""


def front_matter(text: str) -> tuple[dict, str]:
    """The generator's YAML front matter (`title: "..."`, `weight: N`) and
    the body after it."""
    m = FRONT_RE.match(text)
    if not m:
        return {}, text
    meta = {}
    for line in m.group(1).splitlines():
        k, _, v = line.partition(":")
        v = v.strip()
        if v.startswith('"') and v.endswith('"'):
            v = json.loads(v)
        elif v.isdigit():
            v = int(v)
        meta[k.strip()] = v
    return meta, text[m.end():]


def toml_value(v) -> str:
    return str(v) if isinstance(v, int) else json.dumps(str(v), ensure_ascii=False)


def split_link(target: str) -> tuple[str, str]:
    path, sep, frag = target.partition("#")
    return path, sep + frag


def is_relative_md(path: str) -> bool:
    return bool(path) and path.endswith(".md") and ":" not in path and not path.startswith("/")


def section_file(rel: str) -> str:
    """content-relative path of a generated file in the Hugo/Zola layout:
    `X/index.md` (and `index.md`) become the section file `_index.md`."""
    d, name = posixpath.split(rel)
    return posixpath.join(d, "_index.md") if name == "index.md" else rel


def markdown_files(content: Path) -> list[str]:
    out = []
    for d, _, names in os.walk(content):
        for fn in names:
            if fn.endswith(".md"):
                out.append(os.path.relpath(os.path.join(d, fn), content).replace(os.sep, "/"))
    out.sort()
    return out


def run_version(cmd: list[str]) -> str:
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
        return (r.stdout or r.stderr).strip().splitlines()[0] if r.returncode == 0 else ""
    except (OSError, subprocess.SubprocessError, IndexError):
        return ""


class Peer:
    """One peer generator: the same protocol as run.py's `Tool`."""

    name = "?"
    binary = "?"
    version_args: tuple[str, ...] = ("--version",)
    # Sizes above this are measured at this size instead (unless the harness
    # is told --no-size-cap): for a tool whose build time grows faster than
    # linearly, so that a full run stays within minutes.
    max_size: int | None = None
    # What the comparison table should say about this tool's output.
    notes = ""

    def __init__(self):
        self.bin: str | None = None
        self._version: str | None = None

    @classmethod
    def find(cls) -> str | None:
        return shutil.which(cls.binary)

    def setup(self, args) -> None:
        self.bin = self.find()
        if not self.bin:
            raise PeerUnavailable("`%s` is not on PATH" % self.binary)
        if not self.version():
            raise PeerUnavailable("`%s %s` failed" % (self.bin, " ".join(self.version_args)))

    def version(self) -> str:
        if self._version is None:
            self._version = run_version([self.bin, *self.version_args]) if self.bin else ""
        return self._version

    def info(self) -> dict:
        return {"version": self.version(), "binary": self.bin, "layout": self.notes}

    # -- layout ------------------------------------------------------------

    def prepare_site(self, generated: Path, work: Path) -> Path:
        """Lay the generated site out for this tool in `work` (cached: done
        again only when the generated site, this file or the tool's version
        changed; written to a temporary folder and renamed)."""
        stamp = "%s\n%s\n%s\n" % (
            (generated / ".gensite").read_text(encoding="utf-8").strip(),
            hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16],
            self.version())
        try:
            if (work / ".prepared").read_text(encoding="utf-8") == stamp:
                return work
        except OSError:
            pass
        tmp = work.parent / (".%s.tmp" % work.name)
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        meta = {}
        try:
            meta = json.loads((generated / ".gensite.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            pass
        title = "Bench %s" % meta.get("files", "")
        self.lay_out(generated / "content", tmp, title.strip())
        (tmp / ".prepared").write_text(stamp, encoding="utf-8")
        shutil.rmtree(work, ignore_errors=True)
        os.replace(tmp, work)
        return work

    def lay_out(self, content: Path, dest: Path, title: str) -> None:
        raise NotImplementedError

    @staticmethod
    def write(path: Path, text: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)


# --------------------------------------------------------------------------
# Hugo
# --------------------------------------------------------------------------

HUGO_CONFIG = """\
baseURL = "/"
title = {title}
languageCode = "ko"
uglyURLs = true
disableKinds = ["taxonomy", "term", "RSS"]

[markup.goldmark.parser]
autoHeadingIDType = "github"

[markup.tableOfContents]
startLevel = 2
endLevel = 3
"""

HUGO_BASEOF = """\
<!DOCTYPE html>
<html lang="ko">
<head>
<meta charset="utf-8">
<title>{{ .Title }} - {{ site.Title }}</title>
</head>
<body>
<nav class="breadcrumb">{{ range .Ancestors.Reverse }}<a href="{{ .RelPermalink }}">{{ .Title }}</a> / {{ end }}</nav>
<main>
<h1>{{ .Title }}</h1>
{{ block "main" . }}{{ end }}
</main>
</body>
</html>
"""

HUGO_SINGLE = """\
{{ define "main" }}<aside class="toc">{{ .TableOfContents }}</aside>
<article>{{ .Content }}</article>{{ end }}
"""

HUGO_LIST = """\
{{ define "main" }}<article>{{ .Content }}</article>{{ end }}
"""

# Relative links to Markdown files are resolved by Hugo (relref: the target
# page must exist, else the build fails), the #fragment is kept.
HUGO_RENDER_LINK = """\
{{- $d := .Destination -}}
{{- $path := index (split $d "#") 0 -}}
{{- if and (strings.HasSuffix $path ".md") (not (strings.Contains $d ":")) -}}
{{- $d = relref .Page $d -}}
{{- end -}}
<a href="{{ $d | safeURL }}"{{ with .Title }} title="{{ . }}"{{ end }}>{{ .Text | safeHTML }}</a>
{{- /* no trailing newline */ -}}
"""


class Hugo(Peer):
    name = "hugo"
    binary = "hugo"
    version_args = ("version",)
    notes = ("minimal layout (breadcrumb, TOC, content), links resolved with relref, "
             "code highlighted (Chroma), uglyURLs, no taxonomies/RSS")

    def version(self) -> str:
        v = super().version()
        # "hugo v0.111.3+extended linux/amd64 BuildDate=... VendorInfo=debian:0.111.3-1"
        return " ".join(v.split()[:2]) if v else v

    def lay_out(self, content: Path, dest: Path, title: str) -> None:
        self.write(dest / "hugo.toml", HUGO_CONFIG.format(title=toml_value(title)))
        lay = dest / "layouts" / "_default"
        self.write(lay / "baseof.html", HUGO_BASEOF)
        self.write(lay / "single.html", HUGO_SINGLE)
        self.write(lay / "list.html", HUGO_LIST)
        self.write(lay / "_markup" / "render-link.html", HUGO_RENDER_LINK)

        def link(m):
            path, frag = split_link(m.group(2))
            if is_relative_md(path):
                path = section_file(path)
            return m.group(1) + path + frag + m.group(3)

        for rel in markdown_files(content):
            text = (content / rel).read_text(encoding="utf-8")
            self.write(dest / "content" / section_file(rel), LINK_RE.sub(link, text))

    def command(self, site: Path, out: Path) -> list[str]:
        return [self.bin, "--source", str(site), "--destination", str(out), "--quiet"]

    def html_for(self, md_rel: str) -> str:
        # uglyURLs: a/b.md -> a/b.html; a/index.md (section) -> a.html
        d, name = posixpath.split(md_rel)
        if name == "index.md":
            return d + ".html" if d else "index.html"
        return md_rel[:-3] + ".html"


# --------------------------------------------------------------------------
# Zola
# --------------------------------------------------------------------------

ZOLA_CONFIG = """\
base_url = "/"
title = {title}
default_language = "ko"
compile_sass = false
build_search_index = false
{highlight}"""

# Zola 0.22 moved highlighting (now Giallo) into [markdown.highlighting];
# older versions use [markdown] highlight_code.  Unknown keys are errors.
ZOLA_HIGHLIGHT_NEW = """
[markdown.highlighting]
theme = "github-light"
"""
ZOLA_HIGHLIGHT_OLD = """
[markdown]
highlight_code = true
highlight_theme = "base16-ocean-dark"
"""

ZOLA_BASE = """\
<!DOCTYPE html>
<html lang="ko">
<head>
<meta charset="utf-8">
<title>{% block title %}{% endblock %} - {{ config.title }}</title>
</head>
<body>
{% block body %}{% endblock %}
</body>
</html>
"""

ZOLA_CRUMBS = """\
<nav class="breadcrumb">{% for a in ancestors %}{% set s = get_section(path=a, metadata_only=true) %}<a href="{{ s.permalink }}">{{ s.title }}</a> / {% endfor %}</nav>
"""

ZOLA_PAGE = """\
{% extends "base.html" %}
{% block title %}{{ page.title }}{% endblock %}
{% block body %}{% set ancestors = page.ancestors %}""" + ZOLA_CRUMBS + """\
<main>
<h1>{{ page.title }}</h1>
<aside class="toc"><ul>{% for h in page.toc %}<li><a href="#{{ h.id }}">{{ h.title }}</a>{% if h.children %}<ul>{% for c in h.children %}<li><a href="#{{ c.id }}">{{ c.title }}</a></li>{% endfor %}</ul>{% endif %}</li>{% endfor %}</ul></aside>
<article>{{ page.content | safe }}</article>
</main>
{% endblock %}
"""

ZOLA_SECTION = """\
{% extends "base.html" %}
{% block title %}{{ section.title }}{% endblock %}
{% block body %}{% set ancestors = section.ancestors %}""" + ZOLA_CRUMBS + """\
<main>
<h1>{{ section.title }}</h1>
<article>{{ section.content | safe }}</article>
</main>
{% endblock %}
"""


def zola_version_tuple(v: str) -> tuple[int, ...]:
    m = re.search(r"(\d+)\.(\d+)(?:\.(\d+))?", v or "")
    return tuple(int(x or 0) for x in m.groups()) if m else (0, 0, 0)


class Zola(Peer):
    name = "zola"
    binary = "zola"
    notes = ("minimal templates (breadcrumb, TOC, content), links as `@/` internal links "
             "(checked by Zola), explicit heading ids, code highlighted, no search index/feed")

    def lay_out(self, content: Path, dest: Path, title: str) -> None:
        new = zola_version_tuple(self.version()) >= (0, 22, 0)
        self.write(dest / "config.toml", ZOLA_CONFIG.format(
            title=toml_value(title), highlight=ZOLA_HIGHLIGHT_NEW if new else ZOLA_HIGHLIGHT_OLD))
        tpl = dest / "templates"
        self.write(tpl / "base.html", ZOLA_BASE)
        self.write(tpl / "page.html", ZOLA_PAGE)
        self.write(tpl / "section.html", ZOLA_SECTION)
        self.write(tpl / "index.html", ZOLA_SECTION)
        anchors_re = re.compile(r"\{#[^}]*\}\s*$")

        for rel in markdown_files(content):
            meta, body = front_matter((content / rel).read_text(encoding="utf-8"))
            base = posixpath.dirname(rel)
            is_section = posixpath.basename(rel) == "index.md"

            def link(m):
                path, frag = split_link(m.group(2))
                if not is_relative_md(path):
                    return m.group(0)
                target = section_file(posixpath.normpath(posixpath.join(base, path)))
                return m.group(1) + "@/" + target + frag + m.group(3)

            # explicit heading ids = the GitHub anchors the links were written for
            lines, headings, idx = body.split("\n"), [], []
            fence = False
            for i, line in enumerate(lines):
                if line.startswith("```"):
                    fence = not fence
                    continue
                hm = None if fence else HEADING_RE.match(line)
                if hm and not anchors_re.search(line):
                    headings.append(hm.group(2))
                    idx.append(i)
            for i, a in zip(idx, gensite.unique_anchors(headings)):
                lines[i] = "%s {#%s}" % (lines[i], a)
            body = LINK_RE.sub(link, "\n".join(lines))
            fm = ["+++", "title = %s" % toml_value(meta.get("title", ""))]
            if "weight" in meta:
                fm.append("weight = %s" % toml_value(meta["weight"]))
            if is_section:
                fm.append('sort_by = "weight"')
            fm.append("+++")
            self.write(dest / "content" / section_file(rel), "\n".join(fm) + "\n" + body)

    def command(self, site: Path, out: Path) -> list[str]:
        # --force: the no-change rebuilds write into an existing folder
        return [self.bin, "--root", str(site), "build", "--output-dir", str(out), "--force"]

    def html_for(self, md_rel: str) -> str:
        # a/b.md -> a/b/index.html; a/index.md (section) -> a/index.html
        d, name = posixpath.split(md_rel)
        if name == "index.md":
            return md_rel[:-3] + ".html"
        return md_rel[:-3] + "/index.html"


# --------------------------------------------------------------------------
# mdBook
# --------------------------------------------------------------------------

MDBOOK_CONFIG = """\
[book]
title = {title}
language = "ko"
src = "src"

[build]
create-missing = false
"""


def md_label(text: str) -> str:
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


class MdBook(Peer):
    name = "mdbook"
    binary = "mdbook"
    max_size = 5000
    notes = ("default theme: sidebar with every chapter (one toc.js), search index and "
             "print.html (the whole book on one page) on, code highlighted in the browser "
             "(highlight.js)")

    def lay_out(self, content: Path, dest: Path, title: str) -> None:
        self.write(dest / "book.toml", MDBOOK_CONFIG.format(title=toml_value(title)))
        files = markdown_files(content)
        titles = {}
        for rel in files:
            meta, body = front_matter((content / rel).read_text(encoding="utf-8"))
            t = str(meta.get("title", posixpath.basename(rel)[:-3]))
            titles[rel] = t
            self.write(dest / "src" / rel, "# %s\n\n%s" % (t, body))
        # SUMMARY.md: index.md as a prefix chapter, then every folder's
        # index.md with the folder's files nested below it, in the order the
        # generator numbered them (the weights follow the same order).
        children: dict[str, list[str]] = {}
        for rel in files:
            if rel == "index.md":
                continue
            d = posixpath.dirname(rel)
            if posixpath.basename(rel) == "index.md":
                parent = posixpath.dirname(d)
            else:
                parent = d
            children.setdefault(parent, []).append(rel)
        lines = ["# Summary", ""]
        if "index.md" in titles:
            lines += ["[%s](index.md)" % md_label(titles["index.md"]), ""]

        def walk(folder: str, depth: int):
            for rel in children.get(folder, []):
                lines.append("%s- [%s](%s)" % ("    " * depth, md_label(titles[rel]), rel))
                if posixpath.basename(rel) == "index.md":
                    walk(posixpath.dirname(rel), depth + 1)

        walk("", 0)
        self.write(dest / "src" / "SUMMARY.md", "\n".join(lines) + "\n")

    def command(self, site: Path, out: Path) -> list[str]:
        return [self.bin, "build", str(site), "--dest-dir", str(out)]

    def html_for(self, md_rel: str) -> str:
        return md_rel[:-3] + ".html"


PEERS = {"hugo": Hugo, "zola": Zola, "mdbook": MdBook}
