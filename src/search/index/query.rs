//! The reference query over the index: what `search.js` does in the browser over the sharded
//! index, here over the whole index in memory (for the query-set test and the comparison of
//! techniques). Pure.

use super::{Index, Technique, Terms};
use crate::search::tokenize::{bigrams, stem, words};
use std::collections::{BTreeMap, HashMap};

/// How much a match counts, by kind: the word itself, a longer word it begins, or its bigrams
/// found in the section (inside a compound or across words).
pub const EXACT: f32 = 1.0;
pub const PREFIX: f32 = 0.6;
pub const COVER: f32 = 0.5;

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
                    term: w.text.into_owned(),
                    prefix: false,
                    grams: Vec::new(),
                },
                (_, false) => QueryWord {
                    term: w.text.into_owned(),
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
                            w.text.into_owned()
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
fn match_word(terms: &Terms, q: &QueryWord) -> Scores {
    let n = terms.sections;
    let mut scores = Scores::new();
    if !q.term.is_empty() {
        if let Some(list) = terms.words.get(&q.term) {
            let w = EXACT * idf(list.len(), n);
            for p in list.decode() {
                add_max(&mut scores, (p.page, p.section), w * f32::from(p.impact));
            }
        }
        if q.prefix {
            let longer = terms
                .words
                .range::<str, _>((
                    std::ops::Bound::Excluded(q.term.as_str()),
                    std::ops::Bound::Unbounded,
                ))
                .take_while(|(t, _)| t.starts_with(&q.term));
            for (_, list) in longer {
                let w = PREFIX * idf(list.len(), n);
                for p in list.decode() {
                    add_max(&mut scores, (p.page, p.section), w * f32::from(p.impact));
                }
            }
        }
    }
    if !q.grams.is_empty() {
        let weight = if q.term.is_empty() { EXACT } else { COVER };
        let mut lists = Vec::new();
        for g in &q.grams {
            match terms.grams.get(g) {
                Some(list) => lists.push(list),
                None => return scores,
            }
        }
        let mut all: Option<Scores> = None;
        for list in lists {
            let w = weight * idf(list.len(), n);
            let here: Scores = list
                .decode()
                .into_iter()
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

/// Runs a query: the pages that match every word somewhere (or, when none does, as many words
/// as any page matches), best first, each with its best sections (those matching the most
/// words, then the highest scores). A page's score is the sum, per word, of its best section
/// for that word, plus its best section's own score, which favours words found together.
pub fn search(index: &Index, query: &str, technique: Technique) -> Vec<Hit> {
    let words = query_words(query, technique);
    if words.is_empty() {
        return Vec::new();
    }
    let n = words.len();
    let mut per_section: HashMap<(u32, u16), Vec<f32>> = HashMap::new();
    for (i, q) in words.iter().enumerate() {
        for (k, v) in match_word(&index.terms, q) {
            per_section.entry(k).or_insert_with(|| vec![0.0; n])[i] = v;
        }
    }
    let mut by_page: BTreeMap<u32, Vec<(u16, Vec<f32>)>> = BTreeMap::new();
    for ((page, section), scores) in per_section {
        by_page.entry(page).or_default().push((section, scores));
    }
    let ranked: Vec<(usize, Hit)> = by_page
        .into_iter()
        .map(|(page, sections)| rank_page(page, sections, n))
        .collect();
    let best = ranked.iter().map(|r| r.0).max().unwrap_or(0);
    let mut hits: Vec<Hit> = ranked
        .into_iter()
        .filter(|r| r.0 == best)
        .map(|r| r.1)
        .collect();
    hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.page.cmp(&b.page)));
    hits
}

/// A page's matched word count and its hit, from its sections' per-word scores.
fn rank_page(page: u32, sections: Vec<(u16, Vec<f32>)>, n: usize) -> (usize, Hit) {
    let mut word_best = vec![0.0f32; n];
    for (_, scores) in &sections {
        for (b, v) in word_best.iter_mut().zip(scores) {
            *b = b.max(*v);
        }
    }
    let matched = word_best.iter().filter(|v| **v > 0.0).count();
    let mut summed: Vec<(usize, u16, f32)> = sections
        .iter()
        .map(|(id, scores)| {
            let count = scores.iter().filter(|v| **v > 0.0).count();
            (count, *id, scores.iter().sum())
        })
        .collect();
    summed.sort_by(|a, b| b.0.cmp(&a.0).then(b.2.total_cmp(&a.2)).then(a.1.cmp(&b.1)));
    summed.truncate(SECTIONS_PER_PAGE);
    let score = word_best.iter().sum::<f32>() + summed.first().map_or(0.0, |s| s.2);
    let hit = Hit {
        page,
        score,
        sections: summed.into_iter().map(|(_, id, s)| (id, s)).collect(),
    };
    (matched, hit)
}

#[cfg(test)]
mod tests {
    use super::super::test_site::site;
    use super::super::{build, PageInput};
    use super::*;
    use crate::search::extract::{Field, Section};

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
    fn every_word_must_match_when_some_page_matches_all() {
        let i = site();
        assert_eq!(urls(&i, "백업 전략"), ["prod.html"]);
        // Words in two sections of one page: the page matches.
        assert_eq!(
            found(&i, "redis 환경별"),
            [("dev.html".into(), "환경별-특성".into())]
        );
        // No page has both: the pages with either come back.
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
    fn a_section_named_by_the_query_ranks_above_one_naming_it_in_passing() {
        // The sample's case: the glossary entry is short and names Redis in its heading and
        // twice in its text; the dev document's section is called Redis and is longer.
        let heading = |url: &str, title: &str, text: &str| PageInput {
            url: url.into(),
            title: url.into(),
            sections: vec![Section {
                anchor: title.into(),
                title: title.into(),
                parts: vec![
                    (Field::Heading, title.to_string()),
                    (Field::Body, text.to_string()),
                ],
            }],
        };
        let index = build(
            vec![
                heading(
                    "glossary.html",
                    "Azure Cache for Redis",
                    "Azure의 관리형 Redis입니다.",
                ),
                heading(
                    "dev.html",
                    "4.2 Redis",
                    "redis:7 단일 Pod, 영속화 없음. 캐시이므로 원본에서 다시 채웁니다. \
                     메모리 256Mi, 요청 100m, 노드풀 system에 배치합니다.",
                ),
            ],
            Technique::StemsBigrams,
        );
        assert_eq!(urls(&index, "Redis"), ["dev.html", "glossary.html"]);
    }
}
