//! Data tables, resolve's part (after the site's links are resolved; `pipeline.rs` runs it):
//! checks what each ```` ```table ```` directive and inline value names (errors at the
//! Markdown position), projects each table as its directive asks (environments, extra columns,
//! the derived columns of `model::columns`), computes totals and ratios (`eval.rs`), resolves
//! links in cells through the site's `LinkIndex` (errors at the YAML position), and decides
//! every text a reader sees (`view.rs`, and `diff.rs` for the environment-diff page). Returns
//! views (`model::data::DataView`): `render/tables.rs` draws them with the theme's template.
//!
//! The other parts of the feature: `parse/data.rs` reads the data files, `parse/table.rs` the
//! directives; see docs/data.md for the format.

mod diff;
mod eval;
mod view;

pub use diff::DIFF_PAGE;
pub use eval::{check_data, lookup, total, Lookup};

use crate::base::escape_html;
use crate::base::urls::{encode_fragment, parent, relative_href};
use crate::base::urls::{is_external, join};
use crate::config::Lang;
use crate::diag::codes;
use crate::diag::{closest, Diagnostic, Span};
use crate::model::columns::{Operands, DERIVED};
use crate::model::data::{
    Cell, Column, Data, DataRef, DataView, DiffView, Notes, Ref, Spanned, Table, TableDirective,
    TableView, Value,
};
use crate::model::decimal::{default_infinity, format_ratio};
use crate::model::{Link, LinkKind, LinkTarget, Page, PageId, Resolved};
use crate::resolve::LinkIndex;
use pulldown_cmark::{CowStr, Event, Parser, Tag, TagEnd};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::sync::Arc;
use view::Projection;

/// What every directive of every page shows, and the environment-diff page.
#[derive(Debug, Default)]
pub struct Tables {
    /// Per page, per directive in document order.
    pub pages: Vec<Vec<DataView>>,
    /// The environment-diff page, when the site has data tables with two or more
    /// environments.
    pub diff: Option<DiffView>,
}

/// Checks every directive against the data, resolves links in cells and decides what each
/// shows.
pub fn resolve(
    data: &Data,
    pages: &[Page],
    resolved: &Resolved,
    drafts: &[String],
) -> (Tables, Vec<Diagnostic>) {
    let lang = resolved.lang;
    let index = LinkIndex::new(
        pages,
        &resolved.urls,
        &resolved.files,
        drafts,
        Default::default(),
    );
    let has_diff = data.tables.values().any(|t| t.envs.len() > 1)
        && !resolved.urls.iter().any(|u| u == DIFF_PAGE);
    let cache = TableCache::default();
    let per_page: Vec<PageResult> = (0..pages.len())
        .into_par_iter()
        .map(|id| page_views(data, pages, resolved, &index, id, lang, has_diff, &cache))
        .collect();
    let mut out = Tables::default();
    let mut diags = Vec::new();
    // Per table: where the diff page links to (the master index if it shows the table, else
    // the first page in reading order).
    let mut shown: BTreeMap<String, ((usize, usize), PageId, String)> = BTreeMap::new();
    let mut ranks = vec![usize::MAX; pages.len()];
    for (i, &p) in resolved.order.iter().enumerate() {
        ranks[p] = i + 1;
    }
    if let Some(home) = resolved.home {
        ranks[home] = 0;
    }
    let rank = |id: PageId| ranks[id];
    for (id, (views, d, anchors)) in per_page.into_iter().enumerate() {
        out.pages.push(views);
        diags.extend(d);
        for (position, (table, anchor)) in anchors.into_iter().enumerate() {
            let r = (rank(id), position);
            if shown.get(&table).is_none_or(|(best, _, _)| r < *best) {
                shown.insert(table, (r, id, anchor));
            }
        }
    }
    if has_diff {
        let order: Vec<String> = {
            let mut v: Vec<_> = shown.iter().map(|(k, (r, _, _))| (*r, k.clone())).collect();
            v.sort();
            v.into_iter().map(|(_, k)| k).collect()
        };
        let shown: BTreeMap<String, String> = shown
            .into_iter()
            .map(|(k, (_, id, anchor))| {
                let href = format!(
                    "{}#{}",
                    relative_href(DIFF_PAGE, &resolved.urls[id]),
                    encode_fragment(&anchor)
                );
                (k, href)
            })
            .collect();
        // The diff page sits at the root, like the master index: links resolve as from there.
        let root_page = resolved
            .home
            .or_else(|| resolved.urls.iter().position(|u| !u.contains('/')));
        let text = |md: &str, table: &Table| {
            inline_markdown(md, &mut |dest: &str| {
                let from = root_page?;
                if is_external(dest) {
                    return None;
                }
                let link = Link {
                    kind: LinkKind::Link,
                    dest: absolute_dest(table, dest),
                    span: 0..0,
                };
                let r = index.resolve(from, &link).0;
                matches!(r.target, LinkTarget::Page { .. } | LinkTarget::File).then_some(r.href)
            })
        };
        out.diff = Some(diff::view(data, lang, &shown, &order, &text));
    }
    (out, diags)
}

type PageResult = (Vec<DataView>, Vec<Diagnostic>, Vec<(String, String)>);

/// What a table directive's view depends on besides the data: its keys (not their positions),
/// the figure's id and the folder of the page.
fn directive_key(d: &TableDirective, folder: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    let text = |s: &Option<Spanned>| s.as_ref().map(|s| s.text.clone());
    let list = |l: &Option<Vec<Spanned>>| {
        l.as_ref()
            .map(|l| l.iter().map(|s| s.text.clone()).collect::<Vec<_>>())
    };
    let derived: Vec<(&str, &str)> = d
        .derived
        .iter()
        .map(|(c, s)| (c.key, s.text.as_str()))
        .collect();
    (
        text(&d.table),
        list(&d.envs),
        list(&d.columns),
        derived,
        d.notes as u8,
        d.highlight,
        &d.caption,
        d.subtotals,
        d.total,
        &d.zero,
    )
        .hash(&mut h);
    (&d.anchor, folder).hash(&mut h);
    h.finish()
}

/// Table views by projection and folder, shared by the pages of one build.
#[derive(Default)]
struct TableCache {
    /// By `directive_key`.
    tables: std::sync::Mutex<std::collections::HashMap<u64, Arc<TableView>>>,
    values: std::sync::Mutex<std::collections::HashMap<String, Result<String, eval::RefError>>>,
}

/// What the directives of one page show, their diagnostics, and (table name, figure id) of
/// each table shown.
#[allow(clippy::too_many_arguments)]
fn page_views(
    data: &Data,
    pages: &[Page],
    resolved: &Resolved,
    index: &LinkIndex,
    id: PageId,
    lang: Lang,
    has_diff: bool,
    cache: &TableCache,
) -> PageResult {
    let page = &pages[id];
    let mut views = Vec::with_capacity(page.data.len());
    let mut diags = Vec::new();
    let mut anchors = Vec::new();
    let file = &page.file.display;
    for r in page.data.iter() {
        match r {
            DataRef::Value(v) => {
                let reference = v.reference.to_string();
                match cached_value(cache, data, &v.reference, lang) {
                    Ok(html) => views.push(DataView::Value { reference, html }),
                    Err(e) => {
                        diags.push(
                            Diagnostic::new(codes::DATA_REF, e.message)
                                .at(file, v.span.clone())
                                .help_opt(e.help),
                        );
                        views.push(DataView::BrokenValue { reference });
                    }
                }
            }
            DataRef::Table(d) => {
                // The same directive shows the same table on every page of a folder (links in
                // cells are relative to the folder), unless a cell links to `#anchor` of the
                // page itself: check and decide each once. (A directive that fails its checks
                // is never stored, so each page showing it reports its own errors.)
                let key = directive_key(d, parent(&resolved.urls[id]));
                let hit = cache.tables.lock().expect("table cache").get(&key).cloned();
                if let Some(view) = hit {
                    anchors.push((view.name.clone(), d.anchor.clone()));
                    views.push(DataView::Table(view));
                    continue;
                }
                let Some(p) = projection(data, d, resolved, id, has_diff, file, &mut diags) else {
                    views.push(DataView::BrokenTable);
                    continue;
                };
                let table = p.table;
                let cacheable = !table.source.contains("](#");
                let mut md = |text: &str, cell: &Cell| {
                    inline_markdown(text, &mut |dest: &str| {
                        let (href, diag) = cell_link(index, page, id, table, cell, dest);
                        diags.extend(diag);
                        href
                    })
                };
                let view = Arc::new(view::table(&p, data, lang, &mut md));
                if cacheable {
                    cache
                        .tables
                        .lock()
                        .expect("table cache")
                        .insert(key, view.clone());
                }
                anchors.push((table.name.clone(), d.anchor.clone()));
                views.push(DataView::Table(view));
            }
        }
    }
    (views, diags, anchors)
}

fn cached_value(
    cache: &TableCache,
    data: &Data,
    r: &Ref,
    lang: Lang,
) -> Result<String, eval::RefError> {
    let key = r.to_string();
    if let Some(hit) = cache.values.lock().expect("value cache").get(&key) {
        return hit.clone();
    }
    let result = value_html(data, r, lang);
    cache
        .values
        .lock()
        .expect("value cache")
        .insert(key, result.clone());
    result
}

/// The HTML of an inline value: a formatted number, or a text's inline Markdown.
fn value_html(data: &Data, r: &Ref, lang: Lang) -> Result<String, eval::RefError> {
    Ok(match eval::lookup(data, r)? {
        Lookup::Value(Value::Text(t)) => inline_markdown(&t, &mut |_| None),
        Lookup::Value(v) => escape_html(&view::format_value(&v, lang).unwrap_or_default()),
        Lookup::Ratio(a, b) => {
            let infinity = data
                .infinity
                .clone()
                .unwrap_or_else(|| default_infinity(lang).to_string());
            escape_html(&format_ratio(a, b, lang, &infinity))
        }
    })
}

/// Validates a directive against the data; `None` (with diagnostics) when it cannot be shown.
#[allow(clippy::too_many_arguments)]
fn projection<'a>(
    data: &'a Data,
    d: &TableDirective,
    resolved: &Resolved,
    page: PageId,
    has_diff: bool,
    file: &std::sync::Arc<str>,
    diags: &mut Vec<Diagnostic>,
) -> Option<Projection<'a>> {
    let name = d.table.as_ref()?;
    let mut error = |span: &std::ops::Range<usize>, message: String, help: Option<String>| {
        diags.push(
            Diagnostic::new(codes::DATA_REF, message)
                .at(file, span.clone())
                .help_opt(help),
        );
    };
    let table = match eval::table(data, &name.text) {
        Ok(t) => t,
        Err(e) => {
            error(&name.span, e.message, e.help);
            return None;
        }
    };
    let mut ok = true;
    let mut env_of = |s: &Spanned, ok: &mut bool| -> Option<&'a str> {
        match table.envs.iter().find(|e| **e == s.text) {
            Some(e) => Some(e.as_str()),
            None => {
                let known = data.env(&s.text).is_some();
                let message = if known {
                    format!("the table `{}` has no values for `{}`", table.name, s.text)
                } else {
                    format!("unknown environment `{}`", s.text)
                };
                let help = closest(&s.text, table.envs.iter().map(String::as_str))
                    .map(|b| format!("did you mean `{b}`?"))
                    .or_else(|| {
                        Some(format!(
                            "this table's environments: {}",
                            table.envs.join(", ")
                        ))
                    });
                error(&s.span, message, help);
                *ok = false;
                None
            }
        }
    };
    let envs: Vec<&str> = match &d.envs {
        Some(list) => list.iter().filter_map(|s| env_of(s, &mut ok)).collect(),
        None => table.envs.iter().map(String::as_str).collect(),
    };
    // Derived columns, in the order they are shown; each operand is checked in the order
    // it is written, and a column stops at its first unknown environment.
    let mut derived = Vec::new();
    for column in DERIVED {
        let Some((_, s)) = d.derived.iter().find(|(c, _)| c.key == column.key) else {
            continue;
        };
        let Some(parts) = column.split(&s.text) else {
            continue;
        };
        let mut operands = Vec::with_capacity(parts.len());
        for (part, offset) in &parts {
            let operand = match column.operands {
                Operands::Pair { .. } => {
                    let at = s.span.start + offset;
                    Spanned {
                        text: part.trim().to_string(),
                        span: at..at + part.len(),
                    }
                }
                Operands::One => s.clone(),
            };
            match env_of(&operand, &mut ok) {
                Some(env) => operands.push(env.to_string()),
                None => break,
            }
        }
        if operands.len() == parts.len() {
            derived.push((column, operands));
        }
    }
    let (mut before, mut after) = (Vec::new(), Vec::new());
    let chosen: Vec<&Column> = match &d.columns {
        None => table.columns.iter().collect(),
        Some(list) => list
            .iter()
            .filter_map(|s| {
                let c = table.columns.iter().find(|c| c.id == s.text);
                if c.is_none() {
                    let help = closest(&s.text, table.columns.iter().map(|c| c.id.as_str()))
                        .map(|b| format!("did you mean `{b}`?"))
                        .or_else(|| {
                            Some(if table.columns.is_empty() {
                                "the table has no extra columns".to_string()
                            } else {
                                format!(
                                    "this table's columns: {}",
                                    table
                                        .columns
                                        .iter()
                                        .map(|c| c.id.as_str())
                                        .collect::<Vec<_>>()
                                        .join(", ")
                                )
                            })
                        });
                    error(
                        &s.span,
                        format!("the table `{}` has no column `{}`", table.name, s.text),
                        help,
                    );
                    ok = false;
                }
                c
            })
            .collect(),
    };
    for c in chosen {
        if c.before {
            before.push(c);
        } else {
            after.push(c);
        }
    }
    let total = d.total.unwrap_or(table.total.is_some());
    let subtotals = d.subtotals.unwrap_or(table.subtotals);
    if (total || subtotals) && table.total.is_none() && !table.subtotals {
        error(
            &d.span,
            format!("the table `{}` is not summed", table.name),
            Some(format!("add `total: true` to `{}`", table.rel)),
        );
        ok = false;
    }
    if d.notes == Notes::Column && envs.len() != 1 {
        error(
            &d.span,
            "`notes: column` needs exactly one environment".into(),
            Some("use `notes: inline` to show notes after each value".into()),
        );
        ok = false;
    }
    if !ok {
        return None;
    }
    let url = &resolved.urls[page];
    let multi = envs.len() > 1;
    Some(Projection {
        table,
        envs,
        before,
        after,
        derived,
        notes: d.notes,
        highlight: d.highlight,
        caption: d.caption.clone().unwrap_or_else(|| table.caption.clone()),
        total,
        subtotals,
        infinity: d.zero.clone(),
        anchor: d.anchor.clone(),
        diff_href: (has_diff && multi).then(|| {
            format!(
                "{}#{}",
                relative_href(url, DIFF_PAGE),
                encode_fragment(&diff::section_id(&table.name))
            )
        }),
        source_href: resolved
            .files
            .contains_key(&table.rel)
            .then(|| relative_href(url, &table.rel)),
    })
}

/// Resolves a link written in a cell of `table` for the page `from`: relative to the data file,
/// through the site's link index, so it is checked like any other link; a problem is reported at
/// the link in the YAML. Returns the href to write.
fn cell_link(
    index: &LinkIndex,
    page: &Page,
    from: PageId,
    table: &Table,
    cell: &Cell,
    dest: &str,
) -> (Option<String>, Option<Diagnostic>) {
    let dest = dest.trim();
    if is_external(dest) {
        return (None, None);
    }
    let link = Link {
        kind: LinkKind::Link,
        dest: absolute_dest(table, dest),
        span: 0..0,
    };
    let (resolved, diag) = index.resolve(from, &link);
    let diag = diag.map(|mut d| {
        // The link is written in the YAML: point there, and say how to write it from there.
        let text = &table.source[cell.span.clone()];
        let range = text.find(dest).map_or(cell.span.clone(), |i| {
            cell.span.start + i..cell.span.start + i + dest.len()
        });
        d.span = Some(Span {
            file: table.file.clone(),
            range,
        });
        d.target = Some(dest.to_string());
        d.help = d
            .help
            .map(|h| rebase_help(&h, parent(&page.file.rel), parent(&table.rel)));
        d
    });
    let href = match resolved.target {
        LinkTarget::Page { .. } | LinkTarget::File => Some(resolved.href),
        _ => None,
    };
    (href, diag)
}

/// A cell's link destination made relative to the content root (`/…`): links in data files are
/// written relative to the data file; `#anchor` stays on the page showing the table.
fn absolute_dest(table: &Table, dest: &str) -> String {
    if dest.starts_with('#') || dest.starts_with('/') {
        return dest.to_string();
    }
    let (path, rest) = match dest.find(['#', '?']) {
        Some(i) => dest.split_at(i),
        None => (dest, ""),
    };
    match join(parent(&table.rel), path) {
        Some(p) => format!("/{p}{rest}"),
        None => dest.to_string(),
    }
}

/// A help such as "did you mean `x.md`?" names a path relative to the page; rewrite it
/// relative to the data file.
fn rebase_help(help: &str, page_dir: &str, data_dir: &str) -> String {
    for prefix in ["did you mean `", "write `"] {
        if let Some(rest) = help.strip_prefix(prefix) {
            if let Some((path, tail)) = rest.split_once('`') {
                if path.starts_with('#') {
                    return help.to_string();
                }
                if let Some(target) = join(page_dir, path) {
                    let rel = relative_href(&format!("{data_dir}/x"), &target);
                    let rel = percent_encoding::percent_decode_str(&rel).decode_utf8_lossy();
                    return format!("{prefix}{rel}`{tail}");
                }
            }
        }
    }
    help.to_string()
}

/// Renders a cell's inline Markdown: emphasis, code and links; raw HTML is shown as text and
/// block syntax (a leading `-`, `#`, `1.`) stays literal. `link` gives the href for a
/// destination (`None`: keep it as written). Links with script-like schemes become plain text.
pub fn inline_markdown(text: &str, link: &mut dyn FnMut(&str) -> Option<String>) -> String {
    // Most cells are plain words: no need to run the Markdown parser on them.
    let plain = !text.contains(['[', '`', '*', '_', '~', '<', '\\', '&', '\n', '!'])
        && !text
            .trim_start()
            .starts_with(['#', '-', '+', '>', '=', '|'])
        && !text.contains("://")
        && !text.trim_start().starts_with(|c: char| c.is_ascii_digit());
    if plain {
        return escape_html(text.trim());
    }
    let one_line = text
        .split('\n')
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ");
    let source = escape_block_start(&one_line);
    let mut events = Vec::new();
    let mut dropped_links = 0usize;
    for event in Parser::new_ext(&source, crate::base::markdown::markdown_options()) {
        match event {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let scheme = dest_url
                    .split(':')
                    .next()
                    .unwrap_or("")
                    .to_ascii_lowercase();
                let unsafe_scheme = dest_url.contains(':')
                    && matches!(scheme.trim(), "javascript" | "vbscript" | "data");
                if unsafe_scheme {
                    dropped_links += 1;
                    continue;
                }
                let dest_url = link(&dest_url).map_or(dest_url, CowStr::from);
                events.push(Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                }));
            }
            Event::End(TagEnd::Link) if dropped_links > 0 => dropped_links -= 1,
            Event::Start(Tag::Paragraph) | Event::End(TagEnd::Paragraph) => {}
            Event::Html(h) | Event::InlineHtml(h) => events.push(Event::Text(h)),
            Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => {}
            e @ (Event::Text(_)
            | Event::Code(_)
            | Event::SoftBreak
            | Event::HardBreak
            | Event::Start(Tag::Emphasis | Tag::Strong | Tag::Strikethrough)
            | Event::End(
                TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough | TagEnd::Link,
            )) => events.push(e),
            _ => {}
        }
    }
    let mut out = String::with_capacity(text.len() + 8);
    pulldown_cmark::html::push_html(&mut out, events.into_iter());
    out
}

/// Escapes what would make a one-line cell a list, heading, quote or code block.
fn escape_block_start(text: &str) -> String {
    let t = text.trim_start();
    let needs = t.starts_with(['#', '-', '+', '*', '>', '=', '|', '~', '`'])
        || t.split_once(['.', ')']).is_some_and(|(n, _)| {
            !n.is_empty() && n.len() < 10 && n.bytes().all(|b| b.is_ascii_digit())
        });
    if !needs {
        return t.to_string();
    }
    if t.starts_with(['#', '-', '+', '*', '>', '=', '|', '~']) {
        return format!("\\{t}");
    }
    if t.starts_with('`') {
        return t.to_string();
    }
    // `1. x` → `1\. x`
    let i = t.find(['.', ')']).unwrap_or(0);
    format!("{}\\{}", &t[..i], &t[i..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_escape_html_and_keep_block_syntax_literal() {
        let none = &mut |_: &str| None;
        assert_eq!(
            inline_markdown("<b>x</b> & y", none),
            "&lt;b&gt;x&lt;/b&gt; &amp; y"
        );
        assert_eq!(inline_markdown("- a", none), "- a");
        assert_eq!(inline_markdown("1. a", none), "1. a");
        assert_eq!(inline_markdown("`max: 1`", none), "<code>max: 1</code>");
        assert_eq!(inline_markdown("[x](javascript:alert(1))", none), "x");
        let mut rewrite = |d: &str| Some(format!("{d}.html"));
        assert_eq!(
            inline_markdown("[a](b) *c*", &mut rewrite),
            "<a href=\"b.html\">a</a> <em>c</em>"
        );
    }

    #[test]
    fn help_is_rebased_to_the_data_folder() {
        assert_eq!(
            rebase_help("did you mean `prod.md`?", "", "data"),
            "did you mean `../prod.md`?"
        );
        assert_eq!(
            rebase_help("did you mean `#x` (heading)?", "", "data"),
            "did you mean `#x` (heading)?"
        );
    }
}
