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

use super::extract::{Field, Section};
use super::shard::{encode_number, read_number, small_digit};
use super::tokenize::{bigram_base, bigrams, each_word, stem, words};
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

/// A term's posting list, encoded as the browser reads it (`shard::encode_numbers`: page delta,
/// section, weight per posting), so that the merge holds about 3 bytes per posting instead of
/// a struct of 8, and the shard files copy the string as it is.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Postings {
    /// Number of postings.
    pub count: u32,
    /// Page of the last posting (the next one is encoded as a delta from it).
    last: u32,
    pub encoded: String,
}

impl Postings {
    fn push(&mut self, p: Posting) {
        self.push_raw(p.page, u32::from(p.section), u32::from(p.impact));
    }

    /// Appends a posting of `page` with any third number (the merge's weighted count).
    #[inline]
    fn push_raw(&mut self, page: u32, section: u32, value: u32) {
        encode_number(page - self.last, &mut self.encoded);
        encode_number(section, &mut self.encoded);
        encode_number(value, &mut self.encoded);
        self.last = page;
        self.count += 1;
    }

    /// The postings, sorted by (page, section).
    pub fn decode(&self) -> Vec<Posting> {
        let bytes = self.encoded.as_bytes();
        let mut out = Vec::with_capacity(self.len());
        let mut page = 0;
        let mut i = 0;
        while i < bytes.len() {
            let (delta, next) = read_number(bytes, i);
            let (section, next) = read_number(bytes, next);
            let (impact, next) = read_number(bytes, next);
            i = next;
            page += delta;
            out.push(Posting {
                page,
                section: section as u16,
                impact: impact as u8,
            });
        }
        out
    }

    pub fn len(&self) -> usize {
        self.count as usize
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }
}

impl FromIterator<Posting> for Postings {
    fn from_iter<I: IntoIterator<Item = Posting>>(iter: I) -> Self {
        let mut out = Postings::default();
        for p in iter {
            out.push(p);
        }
        out
    }
}

/// The inverted index without the pages' text: what the term shards are made of.
#[derive(Debug, Default)]
pub struct Terms {
    /// Stems and other words → sections, sorted by (page, section).
    pub words: BTreeMap<String, Postings>,
    /// Hangul syllable bigrams → sections.
    pub grams: BTreeMap<String, Postings>,
    /// Number of sections in the site (for the inverse document frequency).
    pub sections: u32,
    /// Number of pages.
    pub pages: u32,
}

/// The whole index in memory (for the reference query and the query-set test): the terms and
/// every page as the results show it.
#[derive(Debug, Default)]
pub struct Index {
    pub pages: Vec<std::sync::Arc<IndexedPage>>,
    pub terms: Terms,
}

/// One page to index: its URL, title and sections.
pub struct PageInput {
    pub url: String,
    pub title: String,
    pub sections: Vec<Section>,
}

/// A fast hash map for the short string keys of the index (rustc-hash's FxHash): the index
/// build hashes every word of every section, and SipHash's flood resistance buys nothing for
/// our own content. Iteration order never reaches the output (terms end up in `BTreeMap`s).
type FxMap<K, V> = rustc_hash::FxHashMap<K, V>;

/// The terms of one page, counted per section: computed for every page in parallel, then
/// merged. Terms are kept once per page, in one string, so that counting allocates per page
/// rather than per word.
#[derive(Debug)]
struct PageCounts {
    /// The page's distinct terms, one after the other.
    vocab: String,
    /// Per distinct term: its byte range in `vocab`, and whether it is a bigram.
    terms: Vec<(u32, u32, bool)>,
    /// Per distinct term: its `text_hash`, so that the merge does not hash it again.
    hashes: Vec<u64>,
    /// One per term and section: words', then bigrams' (each half of the merge reads its own).
    entries: [Vec<Count>; 2],
    /// Weighted length of each section.
    lens: Vec<f32>,
}

/// A term's weighted count in one section of a page (12 bytes: every page's counts are held
/// until the merge).
#[derive(Debug, Clone, Copy)]
struct Count {
    term: u32,
    tf: f32,
    section: u16,
    /// Whether the term is in the section's heading (or the page title), and how much of it
    /// (`Heading`).
    heading: u8,
}

/// How much of a section's heading a term is: `NONE` (not in it), `PART` of a heading of three
/// words or more, `HALF` of a two-word heading, `ALL` of it (`4.2 Redis`: section numbers do
/// not count). A search for `Redis` then ranks the section named Redis above one that names
/// it in passing (`Azure Cache for Redis`).
struct Heading;
impl Heading {
    const NONE: u8 = 0;
    const PART: u8 = 1;
    const HALF: u8 = 2;
    const ALL: u8 = 3;

    fn of(words: usize) -> u8 {
        match words {
            0 => Self::NONE,
            1 => Self::ALL,
            2 => Self::HALF,
            _ => Self::PART,
        }
    }
}

/// The words of a section's heading (and page title) that are not section numbers.
fn heading_words(section: &Section, buf: &mut String) -> usize {
    let mut n = 0;
    for (field, text) in &section.parts {
        if matches!(field, Field::Title | Field::Heading) {
            each_word(text, buf, |word, _| {
                if !word.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
                    n += 1;
                }
            });
        }
    }
    n
}

/// The hash a word or term is interned by (`flag`: Hangul for a word, bigram for a term).
/// Computed once per distinct term of a page, and carried to the merge with it.
fn text_hash(text: &str, flag: bool) -> u64 {
    use std::hash::Hasher;
    let mut h = rustc_hash::FxHasher::default();
    h.write(text.as_bytes());
    h.write_u8(u8::from(flag));
    h.finish()
}

/// No next id in an `Interner` chain.
const NONE: u32 = u32::MAX;

/// Distinct strings with a flag, numbered in the order first seen and found again by a hash
/// the caller computed (`text_hash`): the text is kept once, in one string, and a lookup hashes
/// a `u64` instead of the text. Equal hashes of different strings are chained.
#[derive(Default)]
struct Interner {
    heads: FxMap<u64, u32>,
    text: String,
    /// Per id: its byte range in `text`, its flag, and the next id with the same hash.
    spans: Vec<(u32, u32, bool, u32)>,
}

impl Interner {
    /// The id of `s` with `flag`, whose `text_hash` is `hash`, and whether it is new.
    #[inline]
    fn intern(&mut self, hash: u64, s: &str, flag: bool) -> (u32, bool) {
        let new = self.spans.len() as u32;
        let mut chain = NONE;
        match self.heads.entry(hash) {
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(new);
            }
            std::collections::hash_map::Entry::Occupied(mut o) => {
                let mut id = *o.get();
                while id != NONE {
                    let (start, end, f, next) = self.spans[id as usize];
                    if f == flag && &self.text[start as usize..end as usize] == s {
                        return (id, false);
                    }
                    id = next;
                }
                chain = o.insert(new);
            }
        }
        let start = self.text.len() as u32;
        self.text.push_str(s);
        self.spans
            .push((start, self.text.len() as u32, flag, chain));
        (new, true)
    }

    fn get(&self, id: u32) -> &str {
        let (start, end, _, _) = self.spans[id as usize];
        &self.text[start as usize..end as usize]
    }

    fn len(&self) -> usize {
        self.spans.len()
    }
}

/// What counting a page needs besides the page, kept per thread from one page to the next:
/// its maps and buffers are allocated once, and a word is stemmed and split into terms (and
/// those hashed) once per thread rather than once per page (words repeat across pages).
#[derive(Default)]
struct Scratch {
    /// What `words` was made with.
    technique: Option<Technique>,
    /// The words this thread has seen (flag: Hangul), each with its terms as a range of
    /// `word_terms` (ids in `terms`).
    words: Interner,
    word_ranges: Vec<(u32, u32)>,
    word_terms: Vec<u32>,
    /// The terms of those words (flag: bigram), and their hashes.
    terms: Interner,
    hashes: Vec<u64>,
    /// Per term: the last page that has it (a `page` number) and its id in that page.
    in_page: Vec<(u32, u32)>,
    /// The current page's number: a term whose `in_page` says another is new to the page.
    page: u32,
    /// Per term of the page, by its id in the page: the term, and its (weighted count, in the
    /// heading) in the current section.
    page_terms: Vec<u32>,
    acc: Vec<(f32, u8)>,
    touched: Vec<u32>,
    /// Words' entries, bigrams' entries.
    entries: [Vec<Count>; 2],
    /// A word being normalised.
    buf: String,
}

/// Words a thread remembers before it starts over: about 70 bytes each with their terms, so
/// some 18 MB per thread at most (a site's vocabulary is usually far smaller; the 10,000-page
/// bench site has a few thousand words).
const MAX_WORDS: usize = 1 << 18;

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::default();
}

fn count_page(page: &PageInput, technique: Technique) -> PageCounts {
    SCRATCH.with(|s| count_page_with(&mut s.borrow_mut(), page, technique))
}

fn count_page_with(scratch: &mut Scratch, page: &PageInput, technique: Technique) -> PageCounts {
    if scratch.technique != Some(technique)
        || scratch.words.len() > MAX_WORDS
        || scratch.page == u32::MAX
    {
        *scratch = Scratch {
            technique: Some(technique),
            ..Scratch::default()
        };
    }
    scratch.page += 1;
    let Scratch {
        words,
        word_ranges,
        word_terms,
        terms,
        hashes,
        in_page,
        page: page_number,
        page_terms,
        acc,
        touched,
        entries,
        buf,
        ..
    } = scratch;
    let page_number = *page_number;
    page_terms.clear();
    acc.clear();
    touched.clear();
    entries[0].clear();
    entries[1].clear();
    let mut lens = Vec::with_capacity(page.sections.len());
    for (section, s) in page.sections.iter().enumerate() {
        let mut len = 0.0;
        let in_heading = Heading::of(heading_words(s, buf));
        for (field, text) in &s.parts {
            let weight = field.weight();
            let heading = if matches!(field, Field::Title | Field::Heading) {
                in_heading
            } else {
                Heading::NONE
            };
            each_word(text, buf, |word, hangul| {
                len += weight;
                let (id, new) = words.intern(text_hash(word, hangul), word, hangul);
                if new {
                    let from = word_terms.len() as u32;
                    index_terms(word, hangul, technique, |term, gram| {
                        let hash = text_hash(term, gram);
                        let (id, new) = terms.intern(hash, term, gram);
                        if new {
                            hashes.push(hash);
                            in_page.push((0, 0));
                        }
                        word_terms.push(id);
                    });
                    word_ranges.push((from, word_terms.len() as u32));
                }
                let (from, to) = word_ranges[id as usize];
                for &term in &word_terms[from as usize..to as usize] {
                    let seen = &mut in_page[term as usize];
                    if seen.0 != page_number {
                        *seen = (page_number, page_terms.len() as u32);
                        page_terms.push(term);
                        acc.push((0.0, Heading::NONE));
                    }
                    let local = seen.1;
                    let a = &mut acc[local as usize];
                    if a.0 == 0.0 {
                        touched.push(local);
                    }
                    a.0 += weight;
                    a.1 = a.1.max(heading);
                }
            });
        }
        for id in touched.drain(..) {
            let a = std::mem::take(&mut acc[id as usize]);
            let gram = terms.spans[page_terms[id as usize] as usize].2;
            entries[usize::from(gram)].push(Count {
                term: id,
                tf: a.0,
                section: section as u16,
                heading: a.1,
            });
        }
        lens.push(len);
    }
    // Held until every page is counted: no spare capacity.
    let mut vocab = String::with_capacity(page_terms.iter().map(|&t| terms.get(t).len()).sum());
    let spans = page_terms
        .iter()
        .map(|&t| {
            let start = vocab.len() as u32;
            vocab.push_str(terms.get(t));
            (start, vocab.len() as u32, terms.spans[t as usize].2)
        })
        .collect();
    PageCounts {
        vocab,
        terms: spans,
        hashes: page_terms.iter().map(|&t| hashes[t as usize]).collect(),
        entries: entries.clone(),
        lens,
    }
}

/// Calls `emit(term, is_bigram)` for each term a word is indexed under.
fn index_terms<'w>(
    text: &'w str,
    hangul: bool,
    technique: Technique,
    mut emit: impl FnMut(&'w str, bool),
) {
    match (technique, hangul) {
        (_, false) | (Technique::Words, true) => emit(text, false),
        (Technique::Stems, true) => emit(stem(text), false),
        (Technique::Bigrams, true) => {
            let mut any = false;
            for g in bigram_slices(text) {
                any = true;
                emit(g, true);
            }
            // A one-syllable word has no bigram: it is its own term.
            if !any {
                emit(text, false);
            }
        }
        (Technique::StemsBigrams, true) => {
            let (stem, base) = bigram_base(text);
            emit(stem, false);
            for g in bigram_slices(base) {
                emit(g, true);
            }
        }
    }
}

/// The syllable bigrams of a word, as slices of it.
fn bigram_slices(word: &str) -> impl Iterator<Item = &str> {
    let mut chars = word.char_indices().map(|(i, _)| i).chain([word.len()]);
    let mut a = chars.next();
    let mut b = chars.next();
    std::iter::from_fn(move || {
        let c = chars.next()?;
        let slice = &word[a?..c];
        a = b;
        b = Some(c);
        Some(slice)
    })
}

/// The quantised weight: BM25's saturating term frequency on 1..=19, plus 9 to 12 when the
/// term is in the section's heading (or the page title), more the more of the heading it is
/// (`Heading`): saturation alone would not tell a heading apart from a term repeated in the
/// prose, nor the section about a thing from one that names it among others.
fn impact(tf: f32, len: f32, avg: f32, heading: u8) -> u8 {
    let norm = tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * len / avg.max(1.0)));
    let q = round(norm / (K1 + 1.0) * 19.0).clamp(1.0, 19.0);
    let bonus = match heading {
        Heading::NONE => 0.0,
        Heading::PART => 9.0,
        Heading::HALF => 10.0,
        _ => 12.0,
    };
    (q + bonus).min(f32::from(MAX_IMPACT)) as u8
}

/// `x.round()` (half away from zero), without the call to libm's `roundf` that `f32::round`
/// is on baseline x86-64 (two per posting). Below 2^23, `x` minus its truncation is exact.
#[inline]
fn round(x: f32) -> f32 {
    if !(0.0..8_388_608.0).contains(&x) {
        return x.round();
    }
    let t = x as u32 as f32;
    if x - t >= 0.5 {
        t + 1.0
    } else {
        t
    }
}

/// A page analysed for the index: its counted terms and, when kept for the next build
/// (`search::IndexCache`), its page file's data. Pure function of the page.
#[derive(Debug)]
pub struct Analyzed {
    /// The page file's data, as its script's string literal (`shard::page_literal`), or
    /// empty when nobody keeps it.
    pub page_literal: String,
    counts: PageCounts,
}

impl Analyzed {
    pub fn new(page_literal: String, input: &PageInput, technique: Technique) -> Analyzed {
        Analyzed {
            page_literal,
            counts: count_page(input, technique),
        }
    }

    /// The same analysis without the page file's data (what the merge needs).
    pub fn without_page(self) -> Analyzed {
        Analyzed {
            page_literal: String::new(),
            counts: self.counts,
        }
    }
}

/// A page as the results show it, from its input.
fn indexed_page(input: &PageInput) -> IndexedPage {
    IndexedPage {
        url: input.url.clone(),
        title: input.title.clone(),
        sections: input
            .sections
            .iter()
            .map(|s| IndexedSection {
                anchor: s.anchor.clone(),
                title: s.title.clone(),
                text: s.text(),
            })
            .collect(),
    }
}

/// Builds the index of `pages` (in their final order: page ids are positions).
pub fn build(pages: Vec<PageInput>, technique: Technique) -> Index {
    let analyzed: Vec<(IndexedPage, PageCounts)> = pages
        .par_iter()
        .map(|p| (indexed_page(p), count_page(p, technique)))
        .collect();
    let mut merger = Merger::default();
    merger.add(analyzed.iter().map(|a| &a.1));
    Index {
        pages: analyzed
            .into_iter()
            .map(|a| std::sync::Arc::new(a.0))
            .collect(),
        terms: merger.finish(),
    }
}

/// The posting lists of the site, built page by page in page order (so every list is sorted
/// by (page, section)) while later pages are still being analysed: a page's counts can be
/// dropped once merged. Weights need the average section length of the whole site, so
/// postings carry the weighted count until `finish` turns it into the quantised weight.
#[derive(Default)]
pub struct Merger {
    words: Half,
    grams: Half,
    /// Weighted length of every section of the site, page after page.
    lens: Vec<f32>,
    /// Per page: its first section in `lens`.
    first_section: Vec<u32>,
}

/// The terms of one kind (words or bigrams) being merged.
#[derive(Default)]
struct Half {
    /// The terms, by the hash each page computed (`PageCounts::hashes`); ids are positions in
    /// `lists`.
    terms: Interner,
    /// Per term id: postings as (page delta, section, weighted count × 10 × 4 + `Heading`).
    lists: Vec<Postings>,
}

impl Half {
    fn add(&mut self, first_page: u32, pages: &[&PageCounts], grams: bool) {
        let mut local: Vec<u32> = Vec::new();
        for (i, c) in pages.iter().enumerate() {
            let page = first_page + i as u32;
            local.clear();
            for (&(start, end, gram), &hash) in c.terms.iter().zip(&c.hashes) {
                if gram != grams {
                    local.push(NONE);
                    continue;
                }
                let term = &c.vocab[start as usize..end as usize];
                let (id, new) = self.terms.intern(hash, term, gram);
                if new {
                    self.lists.push(Postings::default());
                }
                local.push(id);
            }
            for e in &c.entries[usize::from(grams)] {
                let id = local[e.term as usize];
                let tf = round(e.tf * 10.0).min(1e8) as u32;
                self.lists[id as usize].push_raw(
                    page,
                    u32::from(e.section),
                    tf * 4 + u32::from(e.heading),
                );
            }
        }
    }

    /// The lists with their final weights, by term.
    fn finish(self, lens: &[f32], first_section: &[u32], avg: f32) -> BTreeMap<String, Postings> {
        let (terms, lists) = (&self.terms, &self.lists);
        // Sorted here, in parallel, so that the map is built from sorted entries in one pass
        // instead of by an insertion (and its string comparisons) per term.
        let mut order: Vec<u32> = (0..terms.len() as u32).collect();
        order.par_sort_unstable_by(|&a, &b| terms.get(a).cmp(terms.get(b)));
        let sorted: Vec<(String, Postings)> = order
            .par_iter()
            .map(|&id| {
                let raw = &lists[id as usize];
                let bytes = raw.encoded.as_bytes();
                // The page delta and section are encoded as in the final list, and copied as
                // they are; the weighted count becomes the weight, one digit.
                let mut out = Vec::with_capacity(bytes.len());
                let mut page = 0;
                let mut i = 0;
                while i < bytes.len() {
                    let (delta, after_delta) = read_number(bytes, i);
                    let (section, after_section) = read_number(bytes, after_delta);
                    let (tf, next) = read_number(bytes, after_section);
                    // Mostly one digit each: a call to copy them would cost more.
                    for &b in &bytes[i..after_section] {
                        out.push(b);
                    }
                    i = next;
                    page += delta;
                    let len = lens[(first_section[page as usize] + section) as usize];
                    let weight = impact((tf / 4) as f32 / 10.0, len, avg, (tf % 4) as u8);
                    out.push(small_digit(weight));
                }
                let list = Postings {
                    count: raw.count,
                    last: raw.last,
                    encoded: String::from_utf8(out).expect("base-32 digits are ASCII"),
                };
                (terms.get(id).to_string(), list)
            })
            .collect();
        sorted.into_iter().collect()
    }
}

impl Merger {
    /// Adds the next pages, in order.
    fn add<'a>(&mut self, pages: impl IntoIterator<Item = &'a PageCounts>) {
        let pages: Vec<&PageCounts> = pages.into_iter().collect();
        let first_page = self.first_section.len() as u32;
        for c in &pages {
            self.first_section.push(self.lens.len() as u32);
            self.lens.extend(&c.lens);
        }
        // Words and bigrams are merged on two threads.
        let (words, grams) = (&mut self.words, &mut self.grams);
        rayon::join(
            || words.add(first_page, &pages, false),
            || grams.add(first_page, &pages, true),
        );
    }

    /// Adds the next pages' analyses, in order.
    pub fn add_analyzed<'a>(&mut self, pages: impl IntoIterator<Item = &'a Analyzed>) {
        self.add(pages.into_iter().map(|a| &a.counts));
    }

    /// The index's terms with their final weights.
    pub fn finish(self) -> Terms {
        let sections = self.lens.len();
        let avg = self.lens.iter().sum::<f32>() / sections.max(1) as f32;
        let (lens, first) = (&self.lens, &self.first_section);
        let (words, grams) = rayon::join(
            || self.words.finish(lens, first, avg),
            || self.grams.finish(lens, first, avg),
        );
        Terms {
            words,
            grams,
            sections: sections as u32,
            pages: first.len() as u32,
        }
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
    fn counts_do_not_depend_on_what_the_thread_counted_before() {
        // Each thread keeps its words' terms from page to page and build to build.
        let first = site();
        for technique in Technique::ALL {
            build(vec![page("x.html", &[("가", "운영환경의 HPA")])], technique);
        }
        let again = site();
        assert_eq!(first.terms.words, again.terms.words);
        assert_eq!(first.terms.grams, again.terms.grams);
        assert!(!first.terms.grams.is_empty());
    }

    #[test]
    fn bigram_slices_are_the_bigrams() {
        for w in ["운영환경", "백업", "망", ""] {
            let slices: Vec<&str> = bigram_slices(w).collect();
            assert_eq!(slices, bigrams(w));
        }
    }

    #[test]
    fn cover_bigrams() {
        assert_eq!(cover("운영환경"), ["운영", "환경"]);
        assert_eq!(cover("가용성"), ["가용", "용성"]);
        assert_eq!(cover("백업"), ["백업"]);
        assert!(cover("망").is_empty());
    }

    #[test]
    fn round_is_f32_round() {
        let mut values = vec![
            0.0,
            0.5,
            1.5,
            2.5,
            0.499_999_97,
            0.500_000_06,
            1e-30,
            8_388_607.5,
            8_388_608.0,
            1e8,
            3e9,
            1e30,
            -0.5,
            -2.5,
            f32::INFINITY,
        ];
        let mut x = 0.0f32;
        while x < 4_000.0 {
            values.push(x);
            x += 0.013;
        }
        for tf in 1..5_000 {
            values.push(tf as f32 * 0.3 * 10.0);
        }
        for v in values {
            assert_eq!(round(v).to_bits(), v.round().to_bits(), "{v}");
        }
        assert!(round(f32::NAN).is_nan());
    }

    #[test]
    fn impacts_are_quantised_into_one_base32_digit() {
        assert_eq!(impact(0.0001, 10.0, 10.0, Heading::NONE), 1);
        assert_eq!(impact(1000.0, 1.0, 10.0, Heading::NONE), 19);
        assert_eq!(impact(1000.0, 1.0, 10.0, Heading::ALL), MAX_IMPACT);
        assert!(impact(3.0, 10.0, 10.0, Heading::NONE) > impact(1.0, 10.0, 10.0, Heading::NONE));
        assert!(impact(1.0, 10.0, 10.0, Heading::PART) > impact(9.0, 10.0, 10.0, Heading::NONE));
        assert!(impact(1.0, 10.0, 10.0, Heading::ALL) > impact(1.0, 10.0, 10.0, Heading::HALF));
        assert!(impact(1.0, 10.0, 10.0, Heading::HALF) > impact(1.0, 10.0, 10.0, Heading::PART));
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
        let mut buf = String::new();
        let section = |t: &str| Section {
            anchor: String::new(),
            title: t.into(),
            parts: vec![(Field::Heading, t.into())],
        };
        assert_eq!(heading_words(&section("4.2 Redis"), &mut buf), 1);
        assert_eq!(heading_words(&section("2.1 환경별 특성 비교"), &mut buf), 3);
    }
}
