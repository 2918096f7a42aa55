//! Search, index: sections → an inverted index (term → sections, each with a precomputed
//! weight), and the reference implementation of a query over it. Pure.
//!
//! - `build.rs`: pages' sections → counted terms → posting lists (in parallel, page by page);
//! - `query.rs`: the reference query, which the browser's `search.js` mirrors over the sharded
//!   form of the index (`search/shard.rs`); the query-set test measures it;
//! - `technique.rs`: how text becomes terms and a query matches them: the chosen technique and
//!   the alternatives it was measured against (docs/search.md).
//!
//! Weights are BM25's term-frequency part (k1 = 1.2, b = 0.75) over field-weighted counts
//! (`Field::weight`), quantised to 1..=31 so that a posting costs one character in the browser
//! index; the inverse document frequency is computed at query time from the posting count.
//! Posting lists are kept encoded as the browser reads them (`search/numbers.rs`).

mod build;
mod query;
mod technique;
#[cfg(test)]
mod test_site;

pub use build::{build, Analyzed, Merger, MAX_IMPACT};
pub use query::{
    cover, idf, query_words, search, Hit, QueryWord, COVER, EXACT, PREFIX, SECTIONS_PER_PAGE,
};
pub use technique::Technique;

use super::extract::Section;
use super::numbers::{encode_number, read_number};
use std::collections::BTreeMap;

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
        encode_number(p.page - self.last, &mut self.encoded);
        encode_number(u32::from(p.section), &mut self.encoded);
        encode_number(u32::from(p.impact), &mut self.encoded);
        self.last = p.page;
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
