//! Building the index: each page's sections → its terms counted per section (in parallel),
//! then merged page by page, in page order, into posting lists with quantised weights.

use super::{Index, IndexedPage, IndexedSection, PageInput, Postings, Technique, Terms};
use crate::search::extract::{Field, Section};
use crate::search::numbers::{encode_number, small_digit};
use crate::search::tokenize::{bigram_base, each_word, stem};
use rayon::prelude::*;
use std::collections::BTreeMap;

/// Highest quantised weight.
pub const MAX_IMPACT: u8 = 31;
const K1: f32 = 1.2;
const B: f32 = 0.75;

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
    /// Per term id: its postings so far.
    lists: Vec<RawList>,
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
                    self.lists.push(RawList::default());
                }
                local.push(id);
            }
            for e in &c.entries[usize::from(grams)] {
                let id = local[e.term as usize];
                let tf = round(e.tf * 10.0).min(1e8) as u32;
                self.lists[id as usize].push(
                    page,
                    u32::from(e.section),
                    tf * 4 + u32::from(e.heading),
                );
            }
        }
    }

    /// The lists with their final weights, by term. Each list is weighed into a list of its
    /// exact length and freed at once, so that the site's lists are not all in memory twice.
    fn finish(self, lens: &[f32], first_section: &[u32], avg: f32) -> BTreeMap<String, Postings> {
        let Half { terms, lists } = self;
        let mut weighed: Vec<Postings> = lists
            .into_par_iter()
            .map_init(String::new, |buf, raw| {
                raw.weigh(buf, lens, first_section, avg)
            })
            .collect();
        // Sorted here, in parallel, so that the map is built from sorted entries in one pass
        // instead of by an insertion (and its string comparisons) per term.
        let mut order: Vec<u32> = (0..terms.len() as u32).collect();
        order.par_sort_unstable_by(|&a, &b| terms.get(a).cmp(terms.get(b)));
        let names: Vec<String> = order
            .par_iter()
            .map(|&id| terms.get(id).to_string())
            .collect();
        names
            .into_iter()
            .zip(&order)
            .map(|(name, &id)| (name, std::mem::take(&mut weighed[id as usize])))
            .collect()
    }
}

/// A term's postings while the merge runs: per posting the page delta, the section and the
/// weighted count × 10 × 4 + `Heading`, each a LEB128 number (7 bits a byte: the weighted
/// count of a word written once or twice takes one byte, where a base-32 digit of the final
/// lists holds 5 bits). At 10,000 generated pages these lists are the largest thing a build
/// holds besides the pages' text: 11.3 million postings, 96 % of their bytes in the 550 terms
/// found in more than `shard::MAX_POSTINGS` sections. As base-32 text grown by doubling they
/// were 45 MB in 61 MB of buffers; so they are stored compactly, and grown by a quarter.
#[derive(Debug, Default)]
struct RawList {
    count: u32,
    /// Page of the last posting (the next one is stored as a delta from it).
    last: u32,
    bytes: Vec<u8>,
}

impl RawList {
    #[inline]
    fn push(&mut self, page: u32, section: u32, value: u32) {
        // Three numbers of at most five bytes each.
        if self.bytes.capacity() - self.bytes.len() < 15 {
            self.bytes.reserve_exact((self.bytes.len() / 4).max(64));
        }
        push_leb128(page - self.last, &mut self.bytes);
        push_leb128(section, &mut self.bytes);
        push_leb128(value, &mut self.bytes);
        self.last = page;
        self.count += 1;
    }

    /// The final list: the page delta and section encoded as the browser reads them, the
    /// weighted count turned into the weight, one digit. Made in `buf` and copied out at its
    /// exact length (an allocator may keep a shrunk buffer at its old size).
    fn weigh(self, buf: &mut String, lens: &[f32], first_section: &[u32], avg: f32) -> Postings {
        let bytes = &self.bytes;
        buf.clear();
        let mut page = 0;
        let mut i = 0;
        while i < bytes.len() {
            let (delta, after_delta) = read_leb128(bytes, i);
            let (section, after_section) = read_leb128(bytes, after_delta);
            let (tf, next) = read_leb128(bytes, after_section);
            i = next;
            page += delta;
            encode_number(delta, buf);
            encode_number(section, buf);
            let len = lens[(first_section[page as usize] + section) as usize];
            let weight = impact((tf / 4) as f32 / 10.0, len, avg, (tf % 4) as u8);
            buf.push(char::from(small_digit(weight)));
        }
        Postings {
            count: self.count,
            last: self.last,
            encoded: buf.as_str().to_owned(),
        }
    }
}

#[inline]
fn push_leb128(mut n: u32, out: &mut Vec<u8>) {
    while n >= 0x80 {
        out.push(n as u8 | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// The number of `push_leb128` at byte `i`, and the byte after it.
#[inline]
fn read_leb128(bytes: &[u8], mut i: usize) -> (u32, usize) {
    let mut n = 0u32;
    let mut shift = 0;
    loop {
        let b = bytes[i];
        i += 1;
        n |= u32::from(b & 0x7F) << shift;
        if b < 0x80 {
            return (n, i);
        }
        shift += 7;
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

#[cfg(test)]
mod tests {
    use super::super::test_site::{page, site};
    use super::*;
    use crate::search::tokenize::bigrams;

    #[test]
    fn leb128_numbers_read_back() {
        let numbers = [0, 1, 0x7F, 0x80, 0x3FFF, 0x4000, 1 << 28, u32::MAX];
        let mut bytes = Vec::new();
        for n in numbers {
            push_leb128(n, &mut bytes);
        }
        assert_eq!(bytes.len(), 1 + 1 + 1 + 2 + 2 + 3 + 5 + 5);
        let mut i = 0;
        for n in numbers {
            let (read, next) = read_leb128(&bytes, i);
            assert_eq!(read, n);
            i = next;
        }
        assert_eq!(i, bytes.len());
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
    fn heading_words_leave_out_section_numbers() {
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
