//! Text helpers: the title a file name gives, and the letters language detection samples.

/// `reference/용어-사전.md` → `용어-사전`; an index page is named after its folder.
pub fn file_stem_title(rel: &str) -> String {
    let mut parts: Vec<&str> = rel.split('/').collect();
    let file = parts.pop().unwrap_or(rel);
    let stem = file.rsplit_once('.').map_or(file, |(s, _)| s);
    if matches!(
        stem.to_ascii_lowercase().as_str(),
        "index" | "_index" | "readme"
    ) {
        if let Some(folder) = parts.pop() {
            return folder.to_string();
        }
    }
    stem.to_string()
}

/// Letters a page contributes to language detection: its first ones are as good a sample as
/// all of them, and counting every letter of every page was a tenth of `archsite check`.
pub const LETTER_SAMPLE: usize = 300;

/// Hangul syllables (U+AC00..=U+D7A3) and ASCII letters, counted on the UTF-8 bytes (a
/// syllable is three bytes whose lead is 0xEA..=0xED) until the page has `LETTER_SAMPLE`.
pub fn count_letters(text: &str, letters: &mut (usize, usize)) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() && letters.0 + letters.1 < LETTER_SAMPLE {
        let b = bytes[i];
        if b.is_ascii_alphabetic() {
            letters.1 += 1;
        } else if (0xEA..=0xED).contains(&b) && i + 2 < bytes.len() {
            let c = (u32::from(b & 0x0F) << 12)
                | (u32::from(bytes[i + 1] & 0x3F) << 6)
                | u32::from(bytes[i + 2] & 0x3F);
            if (0xAC00..=0xD7A3).contains(&c) {
                letters.0 += 1;
            }
            i += 3;
            continue;
        }
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_from_file_names() {
        assert_eq!(file_stem_title("reference/index.md"), "reference");
        assert_eq!(file_stem_title("reference/용어-사전.md"), "용어-사전");
        assert_eq!(file_stem_title("network.mmd"), "network");
    }

    #[test]
    fn letters_are_counted_as_by_characters() {
        let by_chars = |t: &str| {
            t.chars().fold((0, 0), |(h, l), c| {
                if ('\u{ac00}'..='\u{d7a3}').contains(&c) {
                    (h + 1, l)
                } else {
                    (h, l + usize::from(c.is_ascii_alphabetic()))
                }
            })
        };
        for text in [
            "운영환경 Redis 99.9%",
            "ㄱㄴ 가힣 \u{d7a4}\u{d7b0}\u{ac00}",
            "é ü 😀 한글a",
            "",
            "힣",
        ] {
            let mut counted = (0, 0);
            count_letters(text, &mut counted);
            assert_eq!(counted, by_chars(text), "{text}");
        }
    }
}
