//! Heading ids, exactly as GitHub computes them, so that links written for the code host keep
//! working on the site. The one implementation used by the renderer, the table of contents and
//! the link checker.
//!
//! GitHub lowercases the heading text, removes every character that is not a letter, a mark, a
//! decimal digit, connector punctuation (`_`), `-` or a space, and turns each space into `-`
//! (runs are not collapsed). Repeated ids on one page get `-1`, `-2`, ... in order.

/// The GitHub id of a heading's plain text (before de-duplication).
pub fn github_slug(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    let mut push = |c: char| {
        if c == ' ' || c == '-' {
            slug.push('-');
        } else if is_word_char(c) {
            slug.push(c);
        }
    };
    for c in text.chars() {
        // Only letters with case change; Hangul and ASCII skip the Unicode tables.
        if c.is_ascii() || ('\u{ac00}'..='\u{d7a3}').contains(&c) {
            push(c.to_ascii_lowercase());
        } else {
            c.to_lowercase().for_each(&mut push);
        }
    }
    slug
}

fn is_word_char(c: char) -> bool {
    use regex::Regex;
    use std::sync::OnceLock;
    if c.is_ascii() {
        return c.is_ascii_alphanumeric() || c == '_';
    }
    // Hangul syllables, most of a Korean heading: `is_alphabetic` takes its slow table path.
    if ('\u{ac00}'..='\u{d7a3}').contains(&c) || c.is_alphabetic() {
        return true; // Hangul and most letters: skip the regex.
    }
    // Ruby's \p{Word}, which GitHub uses: letters, marks, decimal numbers, connector punctuation.
    static WORD: OnceLock<Regex> = OnceLock::new();
    let re = WORD.get_or_init(|| Regex::new(r"^[\p{Alphabetic}\p{M}\p{Nd}\p{Pc}]$").unwrap());
    let mut buf = [0u8; 4];
    re.is_match(c.encode_utf8(&mut buf))
}

/// Hands out unique ids within one page: the first `x` stays `x`, then `x-1`, `x-2`, ...
/// Ids chosen explicitly (`{#id}`) are reserved too, so a generated id never collides with one.
#[derive(Default, Debug)]
pub struct SlugCounter {
    seen: rustc_hash::FxHashMap<String, usize>,
}

impl SlugCounter {
    pub fn unique(&mut self, base: String) -> String {
        let Some(&count) = self.seen.get(&base) else {
            self.seen.insert(base.clone(), 0);
            return base;
        };
        let mut next = count;
        let id = loop {
            next += 1;
            let candidate = format!("{base}-{next}");
            if !self.seen.contains_key(&candidate) {
                break candidate;
            }
        };
        self.seen.insert(base, next);
        self.seen.insert(id.clone(), 0);
        id
    }

    /// Records an explicit id so that later generated ids avoid it.
    pub fn reserve_explicit(&mut self, id: &str) {
        self.seen.entry(id.to_string()).or_insert(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The definition, one character at a time: the fast paths must agree with it.
    fn slug_by_definition(text: &str) -> String {
        let mut slug = String::with_capacity(text.len());
        for c in text.chars().flat_map(char::to_lowercase) {
            if c == ' ' || c == '-' {
                slug.push('-');
            } else if is_word_char(c) {
                slug.push(c);
            }
        }
        slug
    }

    #[test]
    fn github_examples() {
        assert_eq!(github_slug("2.1 환경별 특성 비교"), "21-환경별-특성-비교");
        assert_eq!(
            github_slug("여행 상세 일정 생성 서비스 - 유저스토리"),
            "여행-상세-일정-생성-서비스---유저스토리"
        );
        assert_eq!(github_slug("Phase별 구현 로드맵"), "phase별-구현-로드맵");
        assert_eq!(github_slug("🎯 핵심 성과"), "-핵심-성과");
        assert_eq!(github_slug("3.1 AKS (Kubernetes)"), "31-aks-kubernetes");
        assert_eq!(
            github_slug("L1_Network & L2/Gateway"),
            "l1_network--l2gateway"
        );
        assert_eq!(github_slug("Café Überblick"), "café-überblick");
        assert_eq!(github_slug("C++ / C#"), "c--c");
    }

    #[test]
    fn duplicates_are_numbered_in_order() {
        let mut c = SlugCounter::default();
        let ids: Vec<_> = ["x", "x", "x"]
            .iter()
            .map(|t| c.unique(github_slug(t)))
            .collect();
        assert_eq!(ids, ["x", "x-1", "x-2"]);
    }

    #[test]
    fn generated_ids_avoid_existing_suffixed_ids() {
        let mut c = SlugCounter::default();
        assert_eq!(c.unique("x-1".into()), "x-1");
        assert_eq!(c.unique("x".into()), "x");
        assert_eq!(c.unique("x".into()), "x-2");
    }

    proptest! {
        #[test]
        fn fast_paths_agree_with_the_definition(text in "\\PC{0,40}") {
            prop_assert_eq!(github_slug(&text), slug_by_definition(&text));
        }

        #[test]
        fn fast_paths_agree_on_mixed_scripts(text in "[a-zA-Z0-9 _.가-힣ÀÉüΣİ-]{0,30}") {
            prop_assert_eq!(github_slug(&text), slug_by_definition(&text));
        }

        #[test]
        fn slug_has_no_space_no_uppercase_no_ascii_punctuation(text in "\\PC{0,40}") {
            let slug = github_slug(&text);
            prop_assert!(!slug.contains(' '));
            prop_assert!(!slug.chars().any(|c| c.is_ascii_uppercase()));
            prop_assert!(!slug.chars().any(|c| c.is_ascii_punctuation() && c != '-' && c != '_'));
        }

        #[test]
        fn slug_is_idempotent(text in "\\PC{0,40}") {
            let once = github_slug(&text);
            prop_assert_eq!(github_slug(&once), once.clone());
        }

        #[test]
        fn each_space_becomes_one_dash(words in proptest::collection::vec("[a-z가-힣]{1,6}", 1..6)) {
            let text = words.join(" ");
            prop_assert_eq!(github_slug(&text), words.join("-"));
        }

        #[test]
        fn unique_ids_are_unique(texts in proptest::collection::vec("[ab -]{0,4}", 0..20)) {
            let mut c = SlugCounter::default();
            let ids: Vec<_> = texts.iter().map(|t| c.unique(github_slug(t))).collect();
            let set: std::collections::HashSet<_> = ids.iter().collect();
            prop_assert_eq!(set.len(), ids.len());
        }
    }
}
