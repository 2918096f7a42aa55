//! Search, index: sections → an inverted index (term → sections, each with a precomputed
//! weight), and the reference implementation of a query over it. Pure.
//!
//! The browser runs the same query algorithm (`search.js`) over the sharded form of this index
//! (`shard.rs`); the Rust side is what the query-set test measures, and the place where the
//! matching techniques are compared (see docs/search.md).
//!
//! Weights are BM25's term-frequency part (k1 = 1.2, b = 0.75) over field-weighted counts
//! (`Field::weight`), quantised to 1..=31 so that a posting costs one character in the browser
//! index; the inverse document frequency is computed at query time from the posting count.

use super::extract::Section;
use super::tokenize::{bigrams, stem, words, Word};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};

/// How text is turned into terms and a query is matched: the chosen technique and the
/// alternatives it was measured against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Technique {
    /// Words as written (split at spaces and punctuation, lowercased), exact matches only: what
    /// a whitespace tokenizer without Korean support gives.
    Words,
    /// Korean particles and endings stripped; exact or prefix matches of the stems.
    Stems,
    /// Hangul as syllable bigrams (every bigram of the query word must occur in the section),
    /// other words exact or by prefix: the CJK n-gram approach.
    Bigrams,
    /// Stems (exact or prefix), and, for Hangul, the query stem's bigrams as a fallback that
    /// matches inside and across compounds. The default.
    StemsBigrams,
}

impl Technique {
    pub const ALL: [Technique; 4] = [
        Technique::Words,
        Technique::Stems,
        Technique::Bigrams,
        Technique::StemsBigrams,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Technique::Words => "words (whitespace, exact)",
            Technique::Stems => "particle stripping + prefix",
            Technique::Bigrams => "character bigrams",
            Technique::StemsBigrams => "stems + prefix + bigram fallback",
        }
    }
}

/// How much a match counts, by kind: the word itself, a longer word it begins, or its bigrams
/// found in the section (inside a compound or across words).
pub const EXACT: f32 = 1.0;
pub const PREFIX: f32 = 0.6;
pub const COVER: f32 = 0.5;
/// Highest quantised weight.
pub const MAX_IMPACT: u8 = 31;
const K1: f32 = 1.2;
const B: f32 = 0.75;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Posting {
    pub page: u32,
    pub section: u16,
    /// Quantised BM25 term-frequency weight, 1..=31.
    pub impact: u8,
}

/// A page as the results show it.
#[derive(Debug, Clone)]
pub struct IndexedPage {
    /// Output URL, relative to the site root.
    pub url: String,
    pub title: String,
    pub sections: Vec<IndexedSection>,
}

#[derive(Debug, Clone)]
pub struct IndexedSection {
    pub anchor: String,
    pub title: String,
    pub text: String,
}

#[derive(Debug, Default)]
pub struct Index {
    pub pages: Vec<IndexedPage>,
    /// Stems and other words → sections, sorted by (page, section).
    pub words: BTreeMap<String, Vec<Posting>>,
    /// Hangul syllable bigrams → sections.
    pub grams: BTreeMap<String, Vec<Posting>>,
    /// Number of sections in the site (for the inverse document frequency).
    pub sections: u32,
}

/// One page to index: its URL, title and sections.
pub struct PageInput {
    pub url: String,
    pub title: String,
    pub sections: Vec<Section>,
}

/// Weighted term counts of one section.
struct Counts {
    len: f32,
    words: HashMap<String, f32>,
    grams: HashMap<String, f32>,
}

fn count(section: &Section, technique: Technique) -> Counts {
    let mut c = Counts {
        len: 0.0,
        words: HashMap::new(),
        grams: HashMap::new(),
    };
    for (field, text) in &section.parts {
        let weight = field.weight();
        for word in words(text) {
            c.len += weight;
            let (term, grams) = index_terms(&word, technique);
            if let Some(term) = term {
                *c.words.entry(term).or_default() += weight;
            }
            for g in grams {
                *c.grams.entry(g).or_default() += weight;
            }
        }
    }
    c
}

/// The word term and the bigram terms a word is indexed under.
fn index_terms(word: &Word, technique: Technique) -> (Option<String>, Vec<String>) {
    match (technique, word.hangul) {
        (_, false) | (Technique::Words, true) => (Some(word.text.clone()), Vec::new()),
        (Technique::Stems, true) => (Some(stem(&word.text).to_string()), Vec::new()),
        (Technique::Bigrams, true) => {
            let grams = bigrams(&word.text);
            // A one-syllable word has no bigram: it is its own term.
            let single = grams.is_empty().then(|| word.text.clone());
            (single, grams)
        }
        (Technique::StemsBigrams, true) => {
            (Some(stem(&word.text).to_string()), bigrams(&word.text))
        }
    }
}

fn impact(tf: f32, len: f32, avg: f32) -> u8 {
    let norm = tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * len / avg.max(1.0)));
    let q = (norm / (K1 + 1.0) * f32::from(MAX_IMPACT)).round();
    q.clamp(1.0, f32::from(MAX_IMPACT)) as u8
}

/// Builds the index of `pages` (in their final order: page ids are positions).
pub fn build(pages: Vec<PageInput>, technique: Technique) -> Index {
    let counted: Vec<Vec<Counts>> = pages
        .par_iter()
        .map(|p| p.sections.iter().map(|s| count(s, technique)).collect())
        .collect();
    let sections: usize = counted.iter().map(Vec::len).sum();
    let total_len: f32 = counted.iter().flatten().map(|c| c.len).sum();
    let avg = total_len / sections.max(1) as f32;
    let mut words: HashMap<String, Vec<Posting>> = HashMap::new();
    let mut grams: HashMap<String, Vec<Posting>> = HashMap::new();
    for (page, counts) in counted.into_iter().enumerate() {
        for (section, c) in counts.into_iter().enumerate() {
            let at = |tf: f32| Posting {
                page: page as u32,
                section: section as u16,
                impact: impact(tf, c.len, avg),
            };
            for (term, tf) in c.words {
                words.entry(term).or_default().push(at(tf));
            }
            for (term, tf) in c.grams {
                grams.entry(term).or_default().push(at(tf));
            }
        }
    }
    let pages = pages
        .into_iter()
        .map(|p| IndexedPage {
            url: p.url,
            title: p.title,
            sections: p
                .sections
                .iter()
                .map(|s| IndexedSection {
                    anchor: s.anchor.clone(),
                    title: s.title.clone(),
                    text: s.text(),
                })
                .collect(),
        })
        .collect();
    Index {
        pages,
        words: words.into_iter().collect(),
        grams: grams.into_iter().collect(),
        sections: sections as u32,
    }
}

/// Inverse document frequency of a term found in `df` of `n` sections.
pub fn idf(df: usize, n: u32) -> f32 {
    let n = n as f32;
    let df = df as f32;
    (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
}

/// The bigrams whose presence stands for a Hangul stem of two or more syllables: a cover of
/// the stem by non-overlapping bigrams, the last one overlapping when the length is odd
/// (`운영환경` → `운영` `환경`; `가용성` → `가용` `용성`).
pub fn cover(stem: &str) -> Vec<String> {
    let chars: Vec<char> = stem.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 1 < chars.len() {
        out.push(chars[i..i + 2].iter().collect());
        i += 2;
    }
    if chars.len() > 2 && chars.len() % 2 == 1 {
        out.push(chars[chars.len() - 2..].iter().collect());
    }
    out
}

/// A query word as matched: the term, whether it may match longer terms, and the bigrams
/// that must all occur when neither matches.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryWord {
    pub term: String,
    pub prefix: bool,
    pub grams: Vec<String>,
}

/// The query's words, as `technique` matches them.
pub fn query_words(query: &str, technique: Technique) -> Vec<QueryWord> {
    words(query)
        .into_iter()
        .map(|w| {
            let latin_prefix = !w.hangul && w.text.chars().count() >= 2;
            match (technique, w.hangul) {
                (Technique::Words, _) => QueryWord {
                    term: w.text,
                    prefix: false,
                    grams: Vec::new(),
                },
                (_, false) => QueryWord {
                    term: w.text,
                    prefix: latin_prefix,
                    grams: Vec::new(),
                },
                (Technique::Stems, true) => QueryWord {
                    term: stem(&w.text).to_string(),
                    prefix: true,
                    grams: Vec::new(),
                },
                (Technique::Bigrams, true) => {
                    let grams = bigrams(&w.text);
                    QueryWord {
                        // One syllable: no bigram, the syllable is the term.
                        term: if grams.is_empty() {
                            w.text
                        } else {
                            String::new()
                        },
                        prefix: false,
                        grams,
                    }
                }
                (Technique::StemsBigrams, true) => {
                    let term = stem(&w.text).to_string();
                    QueryWord {
                        grams: cover(&term),
                        term,
                        prefix: true,
                    }
                }
            }
        })
        .filter(|q| !q.term.is_empty() || !q.grams.is_empty())
        .collect()
}

/// One page of the results: its best sections, best first.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub page: u32,
    pub score: f32,
    /// (section, score), best first.
    pub sections: Vec<(u16, f32)>,
}

/// How many sections of a page the results show.
pub const SECTIONS_PER_PAGE: usize = 3;

type Scores = HashMap<(u32, u16), f32>;

fn add_max(scores: &mut Scores, key: (u32, u16), value: f32) {
    let e = scores.entry(key).or_insert(0.0);
    if value > *e {
        *e = value;
    }
}

/// Sections matching one query word, with their scores.
fn match_word(index: &Index, q: &QueryWord) -> Scores {
    let n = index.sections;
    let mut scores = Scores::new();
    if !q.term.is_empty() {
        if let Some(list) = index.words.get(&q.term) {
            let w = EXACT * idf(list.len(), n);
            for p in list {
                add_max(&mut scores, (p.page, p.section), w * f32::from(p.impact));
            }
        }
        if q.prefix {
            let longer = index
                .words
                .range::<str, _>((
                    std::ops::Bound::Excluded(q.term.as_str()),
                    std::ops::Bound::Unbounded,
                ))
                .take_while(|(t, _)| t.starts_with(&q.term));
            for (_, list) in longer {
                let w = PREFIX * idf(list.len(), n);
                for p in list {
                    add_max(&mut scores, (p.page, p.section), w * f32::from(p.impact));
                }
            }
        }
    }
    if !q.grams.is_empty() {
        let weight = if q.term.is_empty() { EXACT } else { COVER };
        let mut lists = Vec::new();
        for g in &q.grams {
            match index.grams.get(g) {
                Some(list) => lists.push(list),
                None => return scores,
            }
        }
        let mut all: Option<Scores> = None;
        for list in lists {
            let w = weight * idf(list.len(), n);
            let here: Scores = list
                .iter()
                .map(|p| ((p.page, p.section), w * f32::from(p.impact)))
                .collect();
            all = Some(match all {
                None => here,
                Some(prev) => prev
                    .into_iter()
                    .filter_map(|(k, v)| here.get(&k).map(|h| (k, v.min(*h))))
                    .collect(),
            });
        }
        for (k, v) in all.unwrap_or_default() {
            add_max(&mut scores, k, v);
        }
    }
    scores
}

/// Runs a query: sections matching every word (or, when none does, as many words as any
/// section matches), grouped by page; pages best first.
pub fn search(index: &Index, query: &str, technique: Technique) -> Vec<Hit> {
    let words = query_words(query, technique);
    if words.is_empty() {
        return Vec::new();
    }
    let mut total: HashMap<(u32, u16), (usize, f32)> = HashMap::new();
    for q in &words {
        for (k, v) in match_word(index, q) {
            let e = total.entry(k).or_insert((0, 0.0));
            e.0 += 1;
            e.1 += v;
        }
    }
    let best = total.values().map(|v| v.0).max().unwrap_or(0);
    let mut by_page: BTreeMap<u32, Vec<(u16, f32)>> = BTreeMap::new();
    for ((page, section), (matched, score)) in total {
        if matched == best {
            by_page.entry(page).or_default().push((section, score));
        }
    }
    let mut hits: Vec<Hit> = by_page
        .into_iter()
        .map(|(page, mut sections)| {
            sections.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            sections.truncate(SECTIONS_PER_PAGE);
            Hit {
                page,
                score: page_score(&sections),
                sections,
            }
        })
        .collect();
    hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.page.cmp(&b.page)));
    hits
}

/// A page's score: its best section, plus a little for each further matching section.
pub fn page_score(sections: &[(u16, f32)]) -> f32 {
    let best = sections.first().map_or(0.0, |s| s.1);
    best + 0.25 * sections.iter().skip(1).map(|s| s.1).sum::<f32>()
}

#[cfg(test)]
mod tests {
    use super::super::extract::Field;
    use super::*;

    fn page(url: &str, sections: &[(&str, &str)]) -> PageInput {
        PageInput {
            url: url.into(),
            title: url.into(),
            sections: sections
                .iter()
                .map(|(anchor, text)| Section {
                    anchor: anchor.to_string(),
                    title: anchor.to_string(),
                    parts: vec![
                        (Field::Heading, anchor.to_string()),
                        (Field::Body, text.to_string()),
                    ],
                })
                .collect(),
        }
    }

    fn site() -> Index {
        build(
            vec![
                page(
                    "dev.html",
                    &[
                        ("개요", "개발환경은 단일 노드 Redis를 씁니다."),
                        ("환경별-특성", "환경별 특성을 비교합니다."),
                    ],
                ),
                page(
                    "prod.html",
                    &[("백업", "운영 환경의 백업 전략과 Service Bus 구성")],
                ),
                page(
                    "glossary.html",
                    &[("용어", "고가용성 설계, HPA, serverless")],
                ),
            ],
            Technique::StemsBigrams,
        )
    }

    fn found(index: &Index, q: &str) -> Vec<(String, String)> {
        search(index, q, Technique::StemsBigrams)
            .iter()
            .map(|h| {
                let p = &index.pages[h.page as usize];
                (
                    p.url.clone(),
                    p.sections[h.sections[0].0 as usize].anchor.clone(),
                )
            })
            .collect()
    }

    fn urls(index: &Index, q: &str) -> Vec<String> {
        found(index, q).into_iter().map(|(u, _)| u).collect()
    }

    #[test]
    fn particles_on_either_side_match() {
        let i = site();
        assert_eq!(
            found(&i, "환경별로"),
            [("dev.html".into(), "환경별-특성".into())]
        );
        assert_eq!(urls(&i, "백업은"), ["prod.html"]);
        assert_eq!(urls(&i, "Redis"), ["dev.html"]);
    }

    #[test]
    fn compounds_match_their_parts_and_parts_match_compounds() {
        let i = site();
        // 운영환경의 → 운영환경 → 운영 + 환경, written apart on prod.html.
        assert_eq!(urls(&i, "운영환경의"), ["prod.html"]);
        // 가용성 inside 고가용성.
        assert_eq!(urls(&i, "가용성"), ["glossary.html"]);
    }

    #[test]
    fn english_is_case_insensitive_with_prefixes() {
        let i = site();
        assert_eq!(urls(&i, "hpa"), ["glossary.html"]);
        let mut serv = urls(&i, "SERV");
        serv.sort();
        assert_eq!(serv, ["glossary.html", "prod.html"]);
        assert_eq!(urls(&i, "service bus"), ["prod.html"]);
    }

    #[test]
    fn every_word_must_match_when_some_section_matches_all() {
        let i = site();
        assert_eq!(urls(&i, "백업 전략"), ["prod.html"]);
        // No section has both: the sections with either come back.
        let mut either = urls(&i, "redis 백업");
        either.sort();
        assert_eq!(either, ["dev.html", "prod.html"]);
    }

    #[test]
    fn cover_bigrams() {
        assert_eq!(cover("운영환경"), ["운영", "환경"]);
        assert_eq!(cover("가용성"), ["가용", "용성"]);
        assert_eq!(cover("백업"), ["백업"]);
        assert!(cover("망").is_empty());
    }

    #[test]
    fn impacts_are_quantised_into_one_base32_digit() {
        assert_eq!(impact(0.0001, 10.0, 10.0), 1);
        assert_eq!(impact(1000.0, 1.0, 10.0), MAX_IMPACT);
        assert!(impact(3.0, 10.0, 10.0) > impact(1.0, 10.0, 10.0));
    }
}
