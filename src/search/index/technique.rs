//! How text is turned into terms and a query is matched: the technique archsite uses, and the
//! alternatives it was measured against (`tests/it/search.rs` runs the query set with each;
//! docs/search.md has the figures). The build and the query both follow the technique given.

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
