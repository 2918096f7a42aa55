//! Search, shards: the index as the small script files the browser loads on demand. Pure.
//!
//! Chromium refuses `fetch` of `file://` URLs, so every file is a script that hands its data
//! to `window.__archsiteSearch` (defined by `assets/search.js`), loaded by adding a `<script>`
//! element with a path relative to the page. Three kinds of file, under `search/`:
//!
//! - `meta.js`: the first term of each shard, the number of sections and pages, and the suffix
//!   table of the Korean stemmer (so that the browser strips exactly the particles the index
//!   stripped);
//! - `t/N.js`: a range of terms in sorted order, up to `SHARD_BYTES` (so terms sharing a prefix
//!   sit together, and a prefix query reads one shard or a few neighbours), each with its
//!   posting count and its postings;
//! - `p/N.js`: page N's title, URL and sections (anchor, heading, text), for the results' titles
//!   and snippets: only the pages shown are loaded.
//!
//! A query thus loads `meta.js`, the shards of its terms and up to ten page files: a few
//! hundred KB at most whatever the size of the site. Postings are strings of base-32 digits
//! (`encode_numbers`): (page delta, section, weight) per posting. A term found in more than
//! `MAX_POSTINGS` sections keeps only its best-weighted ones, plus the list of every page that
//! has it, so that a query combining it with a rarer word still finds every page.
//!
//! Every file is serde_json output inside a function call, with U+2028, U+2029 and `</`
//! escaped as well, so that any text (quotes, `</script>`, control characters) stays data.

use super::extract::Section;
use super::index::{Postings, Terms};
use super::numbers::encode_numbers;
use super::tokenize::suffix_table;
use rayon::prelude::*;
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeMap;

/// The output folder of the index, relative to the site root.
pub const DIR: &str = "search";
/// A shard grows no larger than this (bytes of JSON) unless one term alone is larger.
pub const SHARD_BYTES: usize = 24_000;
/// Sections kept for one term; beyond, the best ones and the full page list.
pub const MAX_POSTINGS: usize = 1_000;
/// Characters of a section's text kept for snippets.
pub const MAX_TEXT: usize = 1_500;

/// A term's entry: `[count, postings]`, or `[count, best postings, every page]`.
#[derive(Serialize)]
#[serde(untagged)]
enum Entry {
    Full(usize, String),
    Cut(usize, String, String),
}

impl Entry {
    /// Bytes of its JSON, near enough for packing shards.
    fn size(&self) -> usize {
        match self {
            Entry::Full(_, p) => p.len() + 12,
            Entry::Cut(_, p, pages) => p.len() + pages.len() + 15,
        }
    }
}

fn entry(list: Postings) -> Entry {
    if list.len() <= MAX_POSTINGS {
        return Entry::Full(list.len(), list.encoded);
    }
    let mut best = list.decode();
    let mut pages = String::new();
    let mut prev = 0;
    let mut last = None;
    for p in &best {
        if last != Some(p.page) {
            encode_numbers([p.page - prev], &mut pages);
            prev = p.page;
            last = Some(p.page);
        }
    }
    best.select_nth_unstable_by(MAX_POSTINGS - 1, |a, b| {
        b.impact
            .cmp(&a.impact)
            .then((a.page, a.section).cmp(&(b.page, b.section)))
    });
    best.truncate(MAX_POSTINGS);
    best.sort_unstable_by_key(|p| (p.page, p.section));
    let postings: Postings = best.into_iter().collect::<Postings>();
    Entry::Cut(list.len(), postings.encoded, pages)
}

/// Wraps `value` as a call of `window.__archsiteSearch.<method>`, safe for any text: the
/// argument is a JSON string holding `value`'s JSON.
pub fn script(method: &str, id: Option<usize>, value: &impl Serialize) -> String {
    wrap(
        method,
        id,
        &serde_json::to_string(value).expect("index values serialise"),
    )
}

/// Wraps JSON text as a call of `window.__archsiteSearch.<method>`, safe for any text.
fn wrap(method: &str, id: Option<usize>, json: &str) -> String {
    let mut out = String::with_capacity(json.len() + 48);
    out.push_str("window.__archsiteSearch.");
    out.push_str(method);
    out.push('(');
    if let Some(id) = id {
        out.push_str(&id.to_string());
        out.push(',');
    }
    // The JSON is passed as a string for `JSON.parse`: a JavaScript engine scans a string
    // literal and parses JSON much faster than it compiles the same data as an object literal.
    // Inside the literal, `"` and `\` are escaped (JSON text has no raw control characters),
    // and so are U+2028/U+2029 and `</`, which JSON allows but older engines and an HTML parser
    // (should anyone inline the file) do not. One pass over the bytes, copying the runs between.
    out.push('"');
    push_escaped(
        &mut out,
        json,
        |v| !any_special(v),
        |bytes, i| {
            let b = bytes[i];
            if !SPECIAL[b as usize] {
                return None;
            }
            match b {
                b'"' => Some(("\\\"", 1)),
                b'\\' => Some(("\\\\", 1)),
                _ => literal_escape(bytes, i),
            }
        },
    );
    out.push_str("\");\n");
    out
}

/// Whether any of the eight bytes of `v` is one of `SPECIAL` (`"`, `\`, `<`, 0xE2): a byte
/// equal to `c` is a zero byte of `v ^ c…c`, and `(x - 0x01…01) & !x & 0x80…80` is non-zero
/// exactly when `x` has a zero byte.
#[inline]
fn any_special(v: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero = |c: u8| {
        let x = v ^ (ONES * u64::from(c));
        x.wrapping_sub(ONES) & !x & HIGH
    };
    (zero(b'"') | zero(b'\\') | zero(b'<') | zero(0xE2)) != 0
}

/// The bytes that may start something `wrap` escapes.
const SPECIAL: [bool; 256] = {
    let mut t = [false; 256];
    t[b'"' as usize] = true;
    t[b'\\' as usize] = true;
    t[b'<' as usize] = true;
    t[0xE2] = true;
    t
};

/// Where each shard starts: the first term of each, in order. Terms are packed in sorted order
/// into shards of at most `SHARD_BYTES` (one term larger than that has a shard of its own), so
/// a small site has a few shards and a large one many, all of about the same size.
pub fn shard_starts(sizes: &BTreeMap<String, usize>) -> Vec<String> {
    let mut starts = Vec::new();
    let mut used = 0;
    for (term, &size) in sizes {
        if starts.is_empty() || used + size > SHARD_BYTES {
            starts.push(term.clone());
            used = 0;
        }
        used += size;
    }
    starts
}

/// The shard a term belongs to: the last one starting at or before it.
pub fn shard_of(starts: &[String], term: &str) -> Option<usize> {
    starts
        .partition_point(|s| s.as_str() <= term)
        .checked_sub(1)
}

/// The term files of the index, `meta.js` first then the shards: (path under the site root,
/// contents). The page files are made page by page (`page_json`, `page_script`). Takes the
/// index, so that each posting list becomes its entry without a copy.
pub fn files(index: Terms) -> Vec<(String, String)> {
    let Terms {
        words,
        grams,
        sections,
        pages,
    } = index;
    // Each term with its entry; words and bigrams share shards (a Hangul query needs both).
    let mut entries: BTreeMap<String, (Option<Entry>, Option<Entry>)> = BTreeMap::new();
    let encode = |map: BTreeMap<String, Postings>| -> Vec<(String, Entry)> {
        map.into_par_iter()
            .map(|(t, list)| (t, entry(list)))
            .collect()
    };
    for (term, e) in encode(words) {
        entries.entry(term).or_default().0 = Some(e);
    }
    for (term, e) in encode(grams) {
        entries.entry(term).or_default().1 = Some(e);
    }
    let sizes: BTreeMap<String, usize> = entries
        .iter()
        .map(|(t, (w, g))| {
            let size = |v: &Option<Entry>| v.as_ref().map_or(0, Entry::size);
            (t.to_string(), t.len() + 8 + size(w) + size(g))
        })
        .collect();
    let keys = shard_starts(&sizes);
    // Per shard: its words and its bigrams.
    type ShardTerms<'a> = BTreeMap<&'a str, &'a Entry>;
    let mut shards: Vec<(ShardTerms, ShardTerms)> = vec![Default::default(); keys.len()];
    for (term, (w, g)) in &entries {
        let Some(i) = shard_of(&keys, term.as_str()) else {
            continue;
        };
        if let Some(w) = w {
            shards[i].0.insert(term.as_str(), w);
        }
        if let Some(g) = g {
            shards[i].1.insert(term.as_str(), g);
        }
    }
    let mut out = Vec::with_capacity(keys.len() + 1);
    let meta = json!({
        "v": 2,
        "sections": sections,
        "pages": pages,
        "starts": keys,
        "suffixes": suffix_table(),
    });
    out.push((format!("{DIR}/meta.js"), script("meta", None, &meta)));
    #[derive(Serialize)]
    struct ShardFile<'a> {
        w: &'a ShardTerms<'a>,
        g: &'a ShardTerms<'a>,
    }
    let shard_files: Vec<(String, String)> = shards
        .par_iter()
        .enumerate()
        .map(|(i, (w, g))| {
            let file = ShardFile { w, g };
            (format!("{DIR}/t/{i}.js"), script("shard", Some(i), &file))
        })
        .collect();
    out.extend(shard_files);
    out
}

/// The data of a page file: title, URL, and (anchor, heading, text clipped to `MAX_TEXT`
/// characters) per section: what `page_literal` holds, by way of serde_json (the reference the
/// tests compare it with).
#[cfg(test)]
fn page_json(url: &str, title: &str, sections: &[Section]) -> String {
    let texts: Vec<String> = sections.iter().map(Section::text).collect();
    let file = PageFile {
        t: title,
        u: url,
        s: sections
            .iter()
            .zip(&texts)
            .map(|(s, text)| (s.anchor.as_str(), s.title.as_str(), clip(text, MAX_TEXT)))
            .collect(),
    };
    serde_json::to_string(&file).expect("index values serialise")
}

/// Page `id`'s file, `search/p/<id>.js`, from its `page_literal`.
pub fn page_script(id: usize, literal: &str) -> (String, Vec<u8>) {
    let mut out = String::with_capacity(literal.len() + 48);
    out.push_str("window.__archsiteSearch.page(");
    out.push_str(&id.to_string());
    out.push_str(",\"");
    out.push_str(literal);
    out.push_str("\");\n");
    (format!("{DIR}/p/{id}.js"), out.into_bytes())
}

/// What `wrap` puts between the quotes of a page file for `page_json`, made in one pass over
/// the text instead of three (snippet text, JSON, string literal): the page files hold most of
/// the text of the site.
pub fn page_literal(url: &str, title: &str, sections: &[Section]) -> String {
    let mut out = String::with_capacity(64 + url.len() + title.len());
    // The JSON's own quotes are escaped too: `"` becomes `\"`.
    out.push_str("{\\\"t\\\":\\\"");
    push_literal(&mut out, title);
    out.push_str("\\\",\\\"u\\\":\\\"");
    push_literal(&mut out, url);
    out.push_str("\\\",\\\"s\\\":[");
    let mut text = String::new();
    for (i, s) in sections.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("[\\\"");
        push_literal(&mut out, &s.anchor);
        out.push_str("\\\",\\\"");
        push_literal(&mut out, &s.title);
        out.push_str("\\\",\\\"");
        s.text_into(&mut text);
        push_literal(&mut out, clip(&text, MAX_TEXT));
        out.push_str("\\\"]");
    }
    out.push_str("]}");
    out
}

/// `s` as a JSON string's content (serde_json's escapes: `"`, `\\`, control characters) and
/// that as the content of a `wrap` string literal (`"`, `\\`, `</`, U+2028, U+2029).
fn push_literal(out: &mut String, s: &str) {
    let plain = |v| !any_special(v) && !any_control(v);
    push_escaped(out, s, plain, |bytes, i| match bytes[i] {
        b'"' => Some(("\\\\\\\"", 1)),
        b'\\' => Some(("\\\\\\\\", 1)),
        0x08 => Some(("\\\\b", 1)),
        0x0C => Some(("\\\\f", 1)),
        b'\n' => Some(("\\\\n", 1)),
        b'\r' => Some(("\\\\r", 1)),
        b'\t' => Some(("\\\\t", 1)),
        b @ 0..=0x1F => {
            let escape = &CONTROL_ESCAPES[usize::from(b)];
            Some((std::str::from_utf8(escape).expect("ASCII"), 1))
        }
        _ => literal_escape(bytes, i),
    });
}

/// What a string literal of `wrap` escapes besides `"` and `\\`, starting at byte `i`: `</`
/// (which would end an inline script) and U+2028/U+2029 (line ends to older engines).
#[inline]
fn literal_escape(bytes: &[u8], i: usize) -> Option<(&'static str, usize)> {
    match bytes[i] {
        b'<' if bytes.get(i + 1) == Some(&b'/') => Some(("<\\/", 2)),
        0xE2 if bytes.get(i + 1) == Some(&0x80) && bytes.get(i + 2) == Some(&0xA8) => {
            Some(("\\u2028", 3))
        }
        0xE2 if bytes.get(i + 1) == Some(&0x80) && bytes.get(i + 2) == Some(&0xA9) => {
            Some(("\\u2029", 3))
        }
        _ => None,
    }
}

/// Control characters as `push_literal` writes them: JSON's `\u00XX`, its backslash escaped
/// again for the string literal.
static CONTROL_ESCAPES: [[u8; 7]; 32] = {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut table = [[0; 7]; 32];
    let mut b = 0;
    while b < 32 {
        table[b] = [b'\\', b'\\', b'u', b'0', b'0', HEX[b >> 4], HEX[b & 0xF]];
        b += 1;
    }
    table
};

/// Copies `s` into `out` in one pass, replacing what `escape` escapes: `escape(bytes, i)` gives
/// the escape of what starts at byte `i` and how many bytes it replaces, or `None` to keep the
/// byte. The runs between escapes are copied whole, and eight bytes are skipped at a time while
/// `plain` says none of them may start an escape (most of the text).
#[inline(always)]
fn push_escaped(
    out: &mut String,
    s: &str,
    plain: impl Fn(u64) -> bool,
    escape: impl Fn(&[u8], usize) -> Option<(&'static str, usize)>,
) {
    let bytes = s.as_bytes();
    let mut from = 0;
    let mut i = 0;
    while i < bytes.len() {
        if let Some(chunk) = bytes.get(i..i + 8) {
            if plain(u64::from_le_bytes(chunk.try_into().expect("8 bytes"))) {
                i += 8;
                continue;
            }
        }
        match escape(bytes, i) {
            Some((text, len)) => {
                out.push_str(&s[from..i]);
                out.push_str(text);
                i += len;
                from = i;
            }
            None => i += 1,
        }
    }
    out.push_str(&s[from..]);
}

/// Whether any of the eight bytes of `v` is below 0x20 (`x - 0x20…20` borrows into the top
/// bit of a byte below 0x20; `!x` keeps only bytes below 0x80).
#[inline]
fn any_control(v: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    v.wrapping_sub(ONES * 0x20) & !v & HIGH != 0
}

/// A page file: title, URL, and (anchor, heading, text) per section.
#[cfg(test)]
#[derive(Serialize)]
struct PageFile<'a> {
    t: &'a str,
    u: &'a str,
    s: Vec<(&'a str, &'a str, &'a str)>,
}

/// The first `max` characters of `text`.
fn clip(text: &str, max: usize) -> &str {
    // No more bytes than `max`: no more characters either (most sections).
    if text.len() <= max {
        return text;
    }
    text.char_indices()
        .nth(max)
        .map_or(text, |(i, _)| &text[..i])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::extract::Field;
    use crate::search::index::Posting;
    use crate::search::numbers::decode_numbers;

    #[test]
    fn scripts_are_valid_json_whatever_the_text() {
        let nasty = "따옴표 \" 역슬래시 \\ </script><script>alert(1)</script> \u{2028}\u{2029} \u{0} \u{1b} \t\n";
        let js = script("page", Some(7), &json!({"t": nasty}));
        assert!(!js.contains("</script"), "{js}");
        assert!(!js.contains('\u{2028}') && !js.contains('\u{2029}'));
        assert!(!js.chars().any(|c| c.is_control() && c != '\n'), "{js:?}");
        let inner = js
            .strip_prefix("window.__archsiteSearch.page(7,")
            .and_then(|s| s.strip_suffix(");\n"))
            .unwrap();
        let text: String = serde_json::from_str(inner).unwrap();
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back["t"], nasty);
    }

    #[test]
    fn any_special_finds_every_special_byte_anywhere() {
        for at in 0..8 {
            for b in 0..=255u8 {
                let mut bytes = *b"abcdefgh";
                bytes[at] = b;
                assert_eq!(
                    any_special(u64::from_le_bytes(bytes)),
                    SPECIAL[b as usize],
                    "{b} at {at}"
                );
            }
        }
        // Escapes across the eight-byte steps.
        for pad in 0..10 {
            let text = format!("{}\"x</y\u{2028}\\", "가".repeat(pad));
            let js = wrap("page", None, &serde_json::to_string(&text).unwrap());
            let inner = js
                .strip_prefix("window.__archsiteSearch.page(")
                .and_then(|s| s.strip_suffix(");\n"))
                .unwrap();
            let json: String = serde_json::from_str(inner).unwrap();
            assert_eq!(serde_json::from_str::<String>(&json).unwrap(), text);
            assert!(!js.contains("</") && !js.contains('\u{2028}'));
        }
    }

    #[test]
    fn shards_pack_sorted_terms_up_to_the_size_limit() {
        let sizes: BTreeMap<String, usize> = [
            ("redis", 100),
            ("serv", SHARD_BYTES - 100),
            ("service", SHARD_BYTES * 2),
            ("sql", 100),
            ("가용", 100),
        ]
        .into_iter()
        .map(|(t, n)| (t.to_string(), n))
        .collect();
        let starts = shard_starts(&sizes);
        assert_eq!(starts, ["redis", "service", "sql"]);
        assert_eq!(shard_of(&starts, "serv"), Some(0));
        assert_eq!(shard_of(&starts, "service"), Some(1));
        assert_eq!(shard_of(&starts, "servicez"), Some(1));
        assert_eq!(shard_of(&starts, "가용성"), Some(2));
        assert_eq!(shard_of(&starts, "a"), None);
    }

    #[test]
    fn long_posting_lists_keep_the_best_and_every_page() {
        let list: Vec<Posting> = (0..(MAX_POSTINGS as u32 + 10))
            .map(|i| Posting {
                page: i / 2,
                section: (i % 2) as u16,
                impact: if i % 2 == 0 { 5 } else { 9 },
            })
            .collect();
        let v = serde_json::to_value(entry(list.iter().copied().collect())).unwrap();
        assert_eq!(v[0], list.len());
        let postings = decode_numbers(v[1].as_str().unwrap());
        assert_eq!(postings.len(), MAX_POSTINGS * 3);
        let pages = decode_numbers(v[2].as_str().unwrap());
        assert_eq!(pages.len(), list.len() / 2);
        assert!(pages.iter().skip(1).all(|&d| d == 1));
    }
    #[test]
    fn page_literal_is_page_json_wrapped() {
        let hostile = [
            "",
            "plain",
            "따옴표 \"와\" 역슬래시 \\ 그리고 </script> <a/> <",
            "\u{0}\u{1}\u{8}\u{9}\u{a}\u{b}\u{c}\u{d}\u{1f}\u{7f} end",
            "line\u{2028}sep\u{2029}para \u{2027}\u{202a} → ·",
            "12345678\"12345678\\1234567<",
            "</",
        ];
        let long = "가나다 abc \"q\" ".repeat(400);
        for (n, text) in hostile.iter().copied().chain([long.as_str()]).enumerate() {
            let sections = [
                Section {
                    anchor: format!("a{n}\"</"),
                    title: text.to_string(),
                    parts: vec![
                        (Field::Heading, "h".into()),
                        (Field::Body, text.to_string()),
                    ],
                },
                Section {
                    anchor: String::new(),
                    title: "t".into(),
                    parts: vec![(Field::Code, format!(" {text}  {text}\t"))],
                },
            ];
            let url = format!("p/{n}.html?\"q\\");
            for sections in [&sections[..], &sections[..1], &[]] {
                let expected = wrap("page", Some(n), &page_json(&url, text, sections));
                let (_, got) = page_script(n, &page_literal(&url, text, sections));
                assert_eq!(String::from_utf8(got).unwrap(), expected, "{text:?}");
            }
        }
    }
}
