//! Search, extraction: a page → its sections (one per heading, with the heading's id) and the
//! text of each, by kind: headings, prose, data table cells, diagram labels, code. Pure.
//!
//! Reads the page's `Document` (the events `parse` read, or a page kind made): each heading's
//! slot names its id, each directive's its rendered table or value (whose HTML is stripped to
//! the text a reader sees), each code block's whether it is a diagram (whose language gives
//! the labels a reader sees).

use crate::model::document::{Block, Document, Slot};
use crate::model::Page;
use pulldown_cmark::{Event, Tag, TagEnd};
use std::sync::Arc;

/// How much of a source file's text search indexes.
const SOURCE_INDEXED: usize = 32 * 1024;

/// What a piece of text is; it decides its weight in the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// The page title.
    Title,
    Heading,
    Body,
    /// Cells and captions of data tables from YAML, and inline values.
    Table,
    /// Labels of Mermaid diagrams.
    Diagram,
    Code,
}

impl Field {
    /// How much one occurrence counts: titles and headings say what a section is about, code
    /// mostly repeats identifiers the prose explains.
    pub fn weight(self) -> f32 {
        match self {
            Field::Title => 3.0,
            Field::Heading => 3.0,
            Field::Body | Field::Table => 1.0,
            Field::Diagram => 0.8,
            Field::Code => 0.3,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Section {
    /// The heading id (`""`: the top of the page, before any heading).
    pub anchor: String,
    /// The heading text (the page title for the top of the page).
    pub title: String,
    pub parts: Vec<(Field, String)>,
}

impl Section {
    /// The text shown in result snippets: everything but the headings, in reading order, with
    /// whitespace collapsed.
    pub fn text(&self) -> String {
        let mut out = String::new();
        self.text_into(&mut out);
        out
    }

    /// `text` into `out` (cleared first), so that a caller can reuse one buffer.
    pub fn text_into(&self, out: &mut String) {
        let prose = |(field, _): &&(Field, String)| !matches!(field, Field::Title | Field::Heading);
        out.clear();
        out.reserve(self.parts.iter().filter(prose).map(|p| p.1.len()).sum());
        for (_, text) in self.parts.iter().filter(prose) {
            // ASCII whitespace only: byte-wise, and the rest (U+3000, NBSP) is rare in prose.
            // Between runs of whitespace (ASCII bytes, so the cuts are character boundaries)
            // the text is copied whole; a single space stays as it is.
            let text = text.trim_ascii();
            if text.is_empty() {
                continue;
            }
            if !out.is_empty() {
                out.push(' ');
            }
            let bytes = text.as_bytes();
            let mut from = 0;
            let mut i = 0;
            while i < bytes.len() {
                let b = bytes[i];
                if !b.is_ascii_whitespace() || (b == b' ' && !bytes[i + 1].is_ascii_whitespace()) {
                    // Trimmed: whitespace is never last, so `i + 1` is in the text.
                    i += 1;
                    continue;
                }
                out.push_str(&text[from..i]);
                out.push(' ');
                while bytes[i].is_ascii_whitespace() {
                    i += 1;
                }
                from = i;
            }
            out.push_str(&text[from..]);
        }
    }
}

/// The sections of a page, from its `document` (`Page::document`, or lent: `Lending`). `data`
/// is the rendered HTML of the page's data directives in document order
/// (`render::tables::Drawn::pages`).
pub fn sections(page: &Page, document: &Document, data: &[Arc<str>]) -> Vec<Section> {
    let mut out: Vec<Section> = Vec::new();
    let mut current = Section {
        anchor: String::new(),
        title: page.title.clone(),
        // A source page's title is its file name: an identifier, weighed as code, so that
        // `place-service.yaml` does not outrank the documents about the service.
        parts: vec![(
            match page.kind {
                crate::model::PageKind::Source => Field::Code,
                _ => Field::Title,
            },
            page.title.clone(),
        )],
    };
    let mut buf = String::new();
    let mut heading: Option<String> = None;
    let mut code: Option<(Block, String)> = None;
    let table = |i: u32| data.get(i as usize);
    let flush = |buf: &mut String, section: &mut Section| {
        if !buf.trim().is_empty() {
            section.parts.push((Field::Body, std::mem::take(buf)));
        }
        buf.clear();
    };
    for (event, slot) in document.events(&page.text) {
        if let Some((block, text)) = &mut code {
            match event {
                Event::Text(t) => text.push_str(&t),
                Event::End(TagEnd::CodeBlock) => {
                    flush(&mut buf, &mut current);
                    let part = match block {
                        Block::Table(i) => table(*i).map(|html| (Field::Table, strip_tags(html))),
                        Block::Diagram(i) => {
                            let language = page
                                .diagrams
                                .get(*i as usize)
                                .and_then(|d| crate::diagram::language(d.language));
                            language.map(|l| (Field::Diagram, (l.labels)(text).join(" · ")))
                        }
                        Block::Code => Some((Field::Code, std::mem::take(text))),
                        // A source file is indexed as code, up to its first 32 KiB: enough for
                        // its tables, keys and names without a 1 MiB dump in the index.
                        Block::Source => {
                            let mut end = text.len().min(SOURCE_INDEXED);
                            while !text.is_char_boundary(end) {
                                end -= 1;
                            }
                            text.truncate(end);
                            Some((Field::Code, std::mem::take(text)))
                        }
                    };
                    current
                        .parts
                        .extend(part.filter(|(_, t)| !t.trim().is_empty()));
                    code = None;
                }
                _ => {}
            }
            continue;
        }
        match (event, slot) {
            (Event::Start(Tag::Heading { .. }), _) => {
                flush(&mut buf, &mut current);
                heading = Some(String::new());
            }
            (Event::End(TagEnd::Heading(_)), slot) => {
                let title = heading.take().unwrap_or_default().trim().to_string();
                let anchor = match slot {
                    Some(Slot::Heading(i)) => page
                        .headings
                        .get(*i as usize)
                        .map_or_else(String::new, |h| h.id.clone()),
                    _ => String::new(),
                };
                let previous = std::mem::replace(
                    &mut current,
                    Section {
                        anchor,
                        title: title.clone(),
                        parts: vec![(Field::Heading, title)],
                    },
                );
                // The top of a page that starts with its heading has nothing but the title:
                // the title then belongs to the first section.
                if previous.anchor.is_empty() && previous.parts.len() == 1 {
                    current.parts.insert(0, previous.parts[0].clone());
                } else {
                    out.push(previous);
                }
            }
            (Event::Text(t), _) => match &mut heading {
                Some(h) => h.push_str(&t),
                None => buf.push_str(&t),
            },
            (Event::Code(c), slot) => {
                let text = match slot {
                    // An inline value reads as part of its sentence: `99.9%입니다`.
                    Some(Slot::Value(i)) => table(*i)
                        .map_or_else(|| c.to_string(), |h| strip_tags(h).trim().to_string()),
                    _ => c.to_string(),
                };
                match &mut heading {
                    Some(h) => h.push_str(&text),
                    None => buf.push_str(&text),
                }
            }
            (Event::Html(h) | Event::InlineHtml(h), _) => {
                let text = strip_tags(&h);
                match &mut heading {
                    Some(hd) => hd.push_str(&text),
                    None => {
                        buf.push_str(&text);
                    }
                }
            }
            (Event::Start(Tag::CodeBlock(_)), Some(Slot::Code { block, .. })) => {
                code = Some((*block, String::new()));
            }
            (Event::SoftBreak | Event::HardBreak, _) => buf.push(' '),
            (Event::End(_), _) => buf.push(' '),
            _ => {}
        }
    }
    flush(&mut buf, &mut current);
    out.push(current);
    out
}

/// The text of an HTML fragment that a reader sees: tags removed (each leaves a space, so table
/// cells do not run together), entities decoded, and the content of `.visually-hidden`
/// (screen-reader repeats), `.table-actions` (buttons and links), `<script>` and `<style>` left
/// out.
pub fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len() / 2);
    let mut rest = html;
    // (tag name, depth) of an element whose content is skipped.
    let mut skipping: Option<(String, usize)> = None;
    while let Some(lt) = rest.find('<') {
        if skipping.is_none() {
            out.push_str(&decode_entities(&rest[..lt]));
        }
        let Some(gt) = rest[lt..].find('>') else {
            rest = "";
            break;
        };
        let tag = &rest[lt + 1..lt + gt];
        rest = &rest[lt + gt + 1..];
        out.push(' ');
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        let void = tag.ends_with('/') || matches!(name.as_str(), "br" | "img" | "hr" | "input");
        match &mut skipping {
            Some((skip, depth)) if *skip == name && !void => {
                if closing {
                    *depth -= 1;
                    if *depth == 0 {
                        skipping = None;
                    }
                } else {
                    *depth += 1;
                }
            }
            Some(_) => {}
            None if !closing && !void => {
                let hidden = ["visually-hidden", "table-actions"]
                    .iter()
                    .any(|c| class_has(tag, c));
                if hidden || name == "script" || name == "style" {
                    skipping = Some((name, 1));
                }
            }
            None => {}
        }
    }
    if skipping.is_none() {
        out.push_str(&decode_entities(rest));
    }
    out
}

fn class_has(tag: &str, class: &str) -> bool {
    tag.split_once("class=\"")
        .and_then(|(_, rest)| rest.split('"').next())
        .is_some_and(|classes| classes.split_whitespace().any(|c| c == class))
}

fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(text: &str) -> Page {
        let file = crate::model::SourceFile {
            rel: "a.md".into(),
            abs: "a.md".into(),
            display: "a.md".into(),
        };
        crate::parse::parse_page(file, text.into(), false)
            .0
            .unwrap()
    }

    fn kinds(s: &Section) -> Vec<(Field, &str)> {
        s.parts.iter().map(|(f, t)| (*f, t.trim())).collect()
    }

    #[test]
    fn one_section_per_heading_with_its_id() {
        let p = page("# 제목\n\n소개 문단.\n\n## 2.1 환경별 특성\n\n본문 **강조** `코드`.\n\n### 하위\n\n끝.\n");
        let s = sections(&p, &p.document, &[]);
        let anchors: Vec<_> = s.iter().map(|s| s.anchor.as_str()).collect();
        assert_eq!(anchors, ["제목", "21-환경별-특성", "하위"]);
        assert_eq!(s[0].title, "제목");
        assert_eq!(
            kinds(&s[0]),
            [
                (Field::Title, "제목"),
                (Field::Heading, "제목"),
                (Field::Body, "소개 문단.")
            ]
        );
        assert_eq!(s[1].title, "2.1 환경별 특성");
        assert_eq!(s[1].text(), "본문 강조 코드.");
    }

    #[test]
    fn text_before_the_first_heading_is_the_top_section() {
        let p = page("---\ntitle: 페이지\n---\n머리말.\n\n## 첫 절\n\n본문.\n");
        let s = sections(&p, &p.document, &[]);
        assert_eq!(s[0].anchor, "");
        assert_eq!(s[0].title, "페이지");
        assert_eq!(s[0].text(), "머리말.");
        assert_eq!(s[1].anchor, "첫-절");
    }

    #[test]
    fn code_diagrams_and_data_tables_are_their_own_fields() {
        let p = page(
            "## 절\n\n```yaml\nreplicas: 3\n```\n\n```mermaid\ngraph TB\n  A[\"인그레스\"] --> B(서비스)\n```\n\n```table\ntable: sla\n```\n\n값은 `=sla.availability.prod`입니다.\n",
        );
        let data: Vec<Arc<str>> = vec![
            "<figure><table><caption>서비스 수준</caption><tr><th>가용성<span class=\"visually-hidden\"> (환경별로 다름)</span></th><td>99.9%</td></tr></table><p class=\"table-actions\"><a href=\"x\">데이터: sla.yaml</a></p></figure>".into(),
            "<span class=\"data-value\">99.9%</span>".into(),
        ];
        let s = sections(&p, &p.document, &data);
        // The page starts with its heading: one section, which carries the page title.
        assert_eq!(s.len(), 1);
        let parts = kinds(&s[0]);
        assert_eq!(parts[0], (Field::Title, "a"));
        assert_eq!(parts[1], (Field::Heading, "절"));
        assert_eq!(parts[2], (Field::Code, "replicas: 3"));
        assert_eq!(parts[3], (Field::Diagram, "인그레스 · 서비스"));
        assert_eq!(parts[4].0, Field::Table);
        let table: Vec<&str> = parts[4].1.split_whitespace().collect();
        assert_eq!(table, ["서비스", "수준", "가용성", "99.9%"]);
        assert_eq!(parts[5].1, "값은 99.9%입니다.");
    }

    #[test]
    fn section_text_collapses_ascii_whitespace() {
        let texts = [
            "",
            "  ",
            " a  b\t\nc ",
            "가\u{3000}나 다",
            "\r\n",
            "x",
            " y\u{a0} z  ",
            "\x0c끝 .",
        ];
        for n in 0..texts.len() {
            let mut parts = vec![(Field::Heading, "제목 x".to_string())];
            parts.extend(texts[n..].iter().map(|t| (Field::Body, t.to_string())));
            parts.extend(texts[..n].iter().map(|t| (Field::Code, t.to_string())));
            let section = Section {
                parts,
                ..Section::default()
            };
            let words: Vec<&str> = section.parts[1..]
                .iter()
                .flat_map(|(_, t)| t.split_ascii_whitespace())
                .collect();
            assert_eq!(section.text(), words.join(" "));
        }
    }

    #[test]
    fn strip_tags_decodes_entities_and_skips_hidden_text() {
        assert_eq!(
            strip_tags(
                "<p>a &amp; b &lt;c&gt;<span class=\"x visually-hidden\">숨김<b>x</b></span>끝</p>"
            )
            .split_whitespace()
            .collect::<Vec<_>>(),
            ["a", "&", "b", "<c>", "끝"]
        );
        assert_eq!(strip_tags("<script>var a=1</script>보임").trim(), "보임");
    }
}
