//! Search, analysis: text → words → terms. Pure; the same rules run at build time (here) and in
//! the browser (`search.js`, which receives the suffix table from the index's meta file, so the
//! two sides cannot drift apart on what a particle is).
//!
//! - A *word* is a run of Hangul syllables, or a run of other letters and digits (lowercased;
//!   `99.9` and `2,300` stay one number, the latter as `2300`). `Redis를` is two runs: `redis`
//!   and the particle `를`, which is dropped because it is glued to a Latin word.
//! - A Hangul word is *stemmed* by removing one particle or verb ending from the end, longest
//!   first (`환경별로` → `환경별`, `백업은` → `백업`, `운영환경의` → `운영환경`,
//!   `구성합니다` → `구성`). No dictionary: each suffix says after which syllables it may
//!   stand (Korean picks `은`/`이`/`을`/`과`/`으로` after a final consonant and `는`/`가`/`를`/
//!   `와`/`로` after a vowel), and how many syllables must remain, so that `평가` (가 after a
//!   consonant), `게이트웨이` (이 after a vowel) and `결과` (one syllable would remain) are left
//!   whole.
//! - Every Hangul word also yields its syllable *bigrams* (of the word as written): they let a
//!   query match inside compounds (`환경` in `운영환경`, `가용성` in `고가용성`) and a compound
//!   query match its parts written apart (`운영환경` → `운영` + `환경`).

/// Where a suffix may follow the syllable before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum After {
    Any,
    /// The syllable before ends in a consonant (`이`, `은`, `을`, `과`, `으로`).
    Consonant,
    /// The syllable before ends in a vowel (`가`, `는`, `를`, `와`).
    Vowel,
    /// A vowel or `ㄹ` (`로`: `서울로`, `캐시로`).
    VowelOrRieul,
}

impl After {
    fn code(self) -> u8 {
        match self {
            After::Any => 0,
            After::Consonant => 1,
            After::Vowel => 2,
            After::VowelOrRieul => 3,
        }
    }
}

/// A particle or ending removed from the end of a Hangul word: the suffix, the syllable it may
/// follow, and how many syllables must remain.
#[derive(Debug, Clone, Copy)]
pub struct Suffix {
    pub text: &'static str,
    pub after: After,
    pub min: usize,
}

const fn s(text: &'static str, after: After, min: usize) -> Suffix {
    Suffix { text, after, min }
}

use After::{Any, Consonant as C, Vowel as V, VowelOrRieul as VR};

/// The particles and endings, longest match wins. Ambiguous one-syllable suffixes that end many
/// nouns (`가` 추가, `과` 결과, `의` 정의, `도` 속도, `한` 권한) keep at least two syllables.
pub const SUFFIXES: &[Suffix] = &[
    // Case particles and their combinations.
    s("은", C, 1),
    s("는", V, 1),
    s("이", C, 2),
    s("가", V, 2),
    s("을", C, 1),
    s("를", V, 1),
    s("의", Any, 2),
    s("에", Any, 1),
    s("에서", Any, 1),
    s("에게", Any, 1),
    s("에는", Any, 1),
    s("에도", Any, 1),
    s("에만", Any, 1),
    s("에서는", Any, 1),
    s("에서도", Any, 1),
    s("에서의", Any, 1),
    s("에서만", Any, 1),
    s("으로", C, 1),
    s("로", VR, 2),
    s("으로는", C, 1),
    s("로는", VR, 1),
    s("으로도", C, 1),
    s("로도", VR, 1),
    s("으로서", C, 1),
    s("로서", VR, 1),
    s("으로써", C, 1),
    s("로써", VR, 1),
    s("으로의", C, 1),
    s("로의", VR, 1),
    s("과", C, 2),
    s("와", V, 2),
    s("과의", C, 1),
    s("와의", V, 1),
    s("과는", C, 1),
    s("와는", V, 1),
    s("도", Any, 2),
    s("만", Any, 2),
    s("까지", Any, 1),
    s("부터", Any, 1),
    s("보다", Any, 1),
    s("처럼", Any, 1),
    s("마다", Any, 1),
    s("이나", C, 1),
    s("나", V, 2),
    s("이며", C, 1),
    s("며", V, 2),
    s("이고", C, 1),
    s("고", V, 2),
    s("이라", C, 1),
    s("이라는", C, 1),
    s("라는", V, 1),
    s("이란", C, 1),
    s("란", V, 2),
    s("이면", C, 1),
    s("이다", C, 1),
    s("입니다", Any, 1),
    s("이었다", C, 1),
    s("인", Any, 2),
    s("들", Any, 2),
    s("들은", Any, 1),
    s("들이", Any, 1),
    s("들을", Any, 1),
    s("들의", Any, 1),
    s("들도", Any, 1),
    // 하다 and 되다 verbs: 구성하는, 구성합니다, 적용된, 배포됩니다.
    s("하다", Any, 1),
    s("하는", Any, 1),
    s("하고", Any, 1),
    s("하며", Any, 1),
    s("하여", Any, 1),
    s("하면", Any, 1),
    s("하지", Any, 1),
    s("하기", Any, 1),
    s("하게", Any, 1),
    s("하도록", Any, 1),
    s("하려면", Any, 1),
    s("하므로", Any, 1),
    s("한다", Any, 1),
    s("합니다", Any, 1),
    s("했다", Any, 1),
    s("했습니다", Any, 1),
    s("해서", Any, 1),
    s("해야", Any, 1),
    s("해", Any, 2),
    s("한", Any, 2),
    s("할", Any, 2),
    s("함", Any, 2),
    s("되다", Any, 1),
    s("되는", Any, 1),
    s("되고", Any, 1),
    s("되며", Any, 1),
    s("되어", Any, 1),
    s("되면", Any, 1),
    s("되지", Any, 1),
    s("되도록", Any, 1),
    s("된다", Any, 1),
    s("됩니다", Any, 1),
    s("되었다", Any, 1),
    s("됐다", Any, 1),
    s("된", Any, 2),
    s("될", Any, 2),
    s("됨", Any, 2),
    s("돼", Any, 2),
];

/// The suffix table as `[text, after, min]` rows, for the browser (meta file).
pub fn suffix_table() -> Vec<(&'static str, u8, usize)> {
    SUFFIXES
        .iter()
        .map(|s| (s.text, s.after.code(), s.min))
        .collect()
}

pub fn is_hangul(c: char) -> bool {
    ('\u{AC00}'..='\u{D7A3}').contains(&c)
}

/// The final consonant (jongseong) index of a Hangul syllable: 0 for none, 8 for `ㄹ`.
fn final_consonant(c: char) -> u32 {
    (c as u32 - 0xAC00) % 28
}

fn allowed_after(after: After, prev: char) -> bool {
    let f = final_consonant(prev);
    match after {
        After::Any => true,
        After::Consonant => f != 0,
        After::Vowel => f == 0,
        After::VowelOrRieul => f == 0 || f == 8,
    }
}

/// The suffixes by their last syllable, longest first, each with its length in characters: a
/// word is only compared with the few that can end it (the index build stems every Hangul word
/// of the site).
fn by_last_syllable(last: char) -> &'static [(&'static Suffix, usize)] {
    type Table = Vec<(char, Vec<(&'static Suffix, usize)>)>;
    static TABLE: std::sync::OnceLock<Table> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut t: Table = Vec::new();
        for sfx in SUFFIXES {
            let last = sfx
                .text
                .chars()
                .next_back()
                .expect("suffixes are not empty");
            let entry = (sfx, sfx.text.chars().count());
            match t.iter_mut().find(|(c, _)| *c == last) {
                Some((_, v)) => v.push(entry),
                None => t.push((last, vec![entry])),
            }
        }
        for (_, v) in &mut t {
            v.sort_by_key(|(sfx, _)| std::cmp::Reverse(sfx.text.len()));
        }
        t.sort_by_key(|(c, _)| *c);
        t
    });
    table
        .binary_search_by_key(&last, |(c, _)| *c)
        .map_or(&[], |i| table[i].1.as_slice())
}

/// The longest particle or ending that may be removed from `word` (all Hangul), if any: the
/// first that fits of its candidates, longest first (no two suffixes are the same text, so two
/// that both end the word have different lengths).
fn strippable(word: &str) -> Option<&'static Suffix> {
    let last = word.chars().next_back()?;
    let candidates = by_last_syllable(last);
    if candidates.is_empty() {
        return None;
    }
    let syllables = word.chars().count();
    candidates
        .iter()
        .find(|(sfx, chars)| {
            word.ends_with(sfx.text)
                && syllables - chars >= sfx.min.max(1)
                && word[..word.len() - sfx.text.len()]
                    .chars()
                    .next_back()
                    .is_some_and(|prev| allowed_after(sfx.after, prev))
        })
        .map(|(sfx, _)| *sfx)
}

/// The stem of a Hangul word: the word without its particle or ending.
pub fn stem(word: &str) -> &str {
    stem_and_suffix(word).0
}

/// The stem, and the suffix removed if any.
pub fn stem_and_suffix(word: &str) -> (&str, Option<&'static Suffix>) {
    match strippable(word) {
        Some(sfx) => (&word[..word.len() - sfx.text.len()], Some(sfx)),
        None => (word, None),
    }
}

/// The part of a Hangul word whose bigrams are indexed: the stem, unless the suffix removed is
/// one that also ends nouns (those that must leave two syllables: `도` in `응답속도`, `가` in
/// `데이터가`), in which case the whole word, so that `속도` still matches inside `응답속도`
/// even if its `도` was taken for a particle. Bigrams across a grammatical ending (`업은`,
/// `리합`) would only be noise, and a third of the work.
pub fn bigram_base(word: &str) -> (&str, &str) {
    let (stem, sfx) = stem_and_suffix(word);
    let ambiguous = sfx.is_some_and(|s| s.min >= 2);
    (stem, if ambiguous { word } else { stem })
}

/// Whether a Hangul run is nothing but a particle (`를` in `Redis를`, `로` in `API로`).
fn is_particle(word: &str) -> bool {
    SUFFIXES.iter().any(|s| s.text == word)
}

/// Syllable bigrams of a Hangul word (the word itself when it has two syllables; none for one).
pub fn bigrams(word: &str) -> Vec<String> {
    let chars: Vec<char> = word.chars().collect();
    chars
        .windows(2)
        .map(|w| w.iter().collect::<String>())
        .collect()
}

/// A word of the text: its normalised form and where it is (byte range in the text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word<'a> {
    /// Borrowed from the text unless lowercasing or a thousands separator changed it.
    pub text: std::borrow::Cow<'a, str>,
    pub start: usize,
    pub end: usize,
    pub hangul: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Hangul,
    Other,
    Sep,
}

fn is_jamo(c: char) -> bool {
    matches!(c, '\u{1100}'..='\u{11FF}' | '\u{3130}'..='\u{318F}' | '\u{A960}'..='\u{A97F}' | '\u{D7B0}'..='\u{D7FF}')
}

fn class(c: char) -> Class {
    if c.is_ascii() {
        return if c.is_ascii_alphanumeric() {
            Class::Other
        } else {
            Class::Sep
        };
    }
    if is_hangul(c) {
        Class::Hangul
    } else if c.is_alphanumeric() && !is_jamo(c) {
        Class::Other
    } else {
        Class::Sep
    }
}

/// The class of the character at byte `i` of `text` (a char boundary) and its length in bytes.
/// Byte-level: ASCII is classified from its byte, and three-byte sequences (Hangul, CJK) are
/// decoded by hand, so the splitter never walks `char_indices`.
#[inline(always)]
fn class_at(text: &str, i: usize) -> (Class, usize) {
    let bytes = text.as_bytes();
    let b = bytes[i];
    if b < 0x80 {
        let cls = if b.is_ascii_alphanumeric() {
            Class::Other
        } else {
            Class::Sep
        };
        return (cls, 1);
    }
    if b & 0xF0 == 0xE0 {
        // A valid three-byte sequence (`text` is a `str`): U+0800..=U+FFFF, no surrogates.
        let c = (u32::from(b & 0x0F) << 12)
            | (u32::from(bytes[i + 1] & 0x3F) << 6)
            | u32::from(bytes[i + 2] & 0x3F);
        if (0xAC00..=0xD7A3).contains(&c) {
            return (Class::Hangul, 3);
        }
        return (char::from_u32(c).map_or(Class::Sep, class), 3);
    }
    let c = text[i..].chars().next().expect("a char boundary");
    (class(c), c.len_utf8())
}

/// Splits `text` into words. Hangul runs and other letter/digit runs are separate words even
/// without a space between them; a `.` or `,` between two digits stays inside a number.
pub fn words(text: &str) -> Vec<Word<'_>> {
    // About one word per six bytes of mixed Korean and English prose.
    let mut out: Vec<Word> = Vec::with_capacity(text.len() / 6 + 1);
    split(text, |start, end, hangul| {
        let raw = &text[start..end];
        let text = if hangul || !needs_lowering(raw) {
            raw.into()
        } else {
            let mut lower = String::with_capacity(raw.len());
            lower_into(raw, &mut lower);
            lower.into()
        };
        out.push(Word {
            text,
            start,
            end,
            hangul,
        });
    });
    out
}

/// `words` without a `Vec` of them: calls `f(word, hangul)` for each, the word normalised in
/// `buf` when lowercasing or a thousands separator changes it. The index build reads every
/// word of the site once, and needs neither the positions nor the words kept.
pub fn each_word(text: &str, buf: &mut String, mut f: impl FnMut(&str, bool)) {
    split(text, |start, end, hangul| {
        let raw = &text[start..end];
        if hangul || !needs_lowering(raw) {
            f(raw, hangul);
        } else {
            lower_into(raw, buf);
            f(buf, hangul);
        }
    });
}

/// Whether a Latin word changes when normalised (`lower_into`).
#[inline]
fn needs_lowering(raw: &str) -> bool {
    // One pass for ASCII words (most): their bytes are their characters.
    for &b in raw.as_bytes() {
        if b >= 0x80 {
            return raw.chars().any(|c| c.is_uppercase() || c == ',');
        }
        if b.is_ascii_uppercase() || b == b',' {
            return true;
        }
    }
    false
}

/// A Latin word lowercased and without thousands separators, in `buf` (cleared first).
fn lower_into(raw: &str, buf: &mut String) {
    buf.clear();
    if raw.is_ascii() {
        // Byte-wise: the same as the Unicode lowercasing below for ASCII.
        buf.extend(
            raw.bytes()
                .filter(|&b| b != b',')
                .map(|b| char::from(b.to_ascii_lowercase())),
        );
    } else {
        buf.push_str(&raw.to_lowercase().replace(',', ""));
    }
}

/// The words of `text` as byte ranges, with whether each is Hangul: `emit(start, end, hangul)`.
fn split(text: &str, mut emit: impl FnMut(usize, usize, bool)) {
    let bytes = text.as_bytes();
    // The last word emitted: its end and whether it is Hangul.
    let mut last: Option<(usize, bool)> = None;
    let mut i = 0;
    while i < bytes.len() {
        let (cls, len) = class_at(text, i);
        if cls == Class::Sep {
            i += len;
            continue;
        }
        let start = i;
        i += len;
        loop {
            // The common characters of the run first: Hangul syllables, or ASCII letters and
            // digits.
            if cls == Class::Hangul {
                while let Some(&[b0, b1, b2]) = bytes.get(i..i + 3) {
                    let c = (u32::from(b0 & 0x0F) << 12)
                        | (u32::from(b1 & 0x3F) << 6)
                        | u32::from(b2 & 0x3F);
                    if b0 & 0xF0 != 0xE0 || !(0xAC00..=0xD7A3).contains(&c) {
                        break;
                    }
                    i += 3;
                }
            } else {
                while bytes.get(i).is_some_and(u8::is_ascii_alphanumeric) {
                    i += 1;
                }
            }
            if i >= bytes.len() {
                break;
            }
            let (k, len) = class_at(text, i);
            if k != cls {
                // 99.9, 2,300: a separator between two digits belongs to the number. The
                // byte before is the previous character's last: a digit only if it is one.
                let b = bytes[i];
                let joins = cls == Class::Other
                    && (b == b'.' || b == b',')
                    && bytes[i - 1].is_ascii_digit()
                    && bytes.get(i + 1).is_some_and(u8::is_ascii_digit);
                if !joins {
                    break;
                }
            }
            i += len;
        }
        let end = i;
        let hangul = cls == Class::Hangul;
        // A particle glued to a Latin word (`Redis를`) is dropped.
        let glued = last.is_some_and(|(e, h)| e == start && !h);
        if hangul && glued && is_particle(&text[start..end]) {
            continue;
        }
        emit(start, end, hangul);
        last = Some((end, hangul));
    }
}

/// The terms a word is indexed under: its stem (the word itself when not Hangul).
pub fn term<'w>(word: &'w Word<'_>) -> &'w str {
    if word.hangul {
        stem(&word.text)
    } else {
        &word.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The splitter as it was before the byte-level one, char by char: the reference that
    /// `words` must agree with.
    fn words_reference(text: &str) -> Vec<Word<'_>> {
        // About one word per six bytes of mixed Korean and English prose.
        let mut out: Vec<Word> = Vec::with_capacity(text.len() / 6 + 1);
        let mut chars = text.char_indices().peekable();
        while let Some((start, c)) = chars.next() {
            let cls = class(c);
            if cls == Class::Sep {
                continue;
            }
            let mut prev = c;
            let mut end = text.len();
            while let Some(&(i, n)) = chars.peek() {
                let k = class(n);
                // 99.9, 2,300: a separator between two digits belongs to the number.
                let joins = k != cls
                    && cls == Class::Other
                    && matches!(n, '.' | ',')
                    && prev.is_ascii_digit()
                    && text[i + 1..].starts_with(|d: char| d.is_ascii_digit());
                if k != cls && !joins {
                    end = i;
                    break;
                }
                prev = n;
                chars.next();
            }
            let raw = &text[start..end];
            let glued = out.last().is_some_and(|w| w.end == start && !w.hangul);
            if cls == Class::Hangul {
                if !(glued && is_particle(raw)) {
                    out.push(Word {
                        text: raw.into(),
                        start,
                        end,
                        hangul: true,
                    });
                }
            } else {
                let text = if raw.chars().any(|c| c.is_uppercase() || c == ',') {
                    raw.to_lowercase().replace(',', "").into()
                } else {
                    raw.into()
                };
                out.push(Word {
                    text,
                    start,
                    end,
                    hangul: false,
                });
            }
        }
        out
    }

    fn stems(text: &str) -> Vec<String> {
        words(text).iter().map(|w| term(w).to_string()).collect()
    }

    #[test]
    fn byte_level_splitter_agrees_with_the_char_level_reference() {
        let alphabet: Vec<char> =
            "aZ09.,. ,-_\n가를로은이힣\u{D7A4}ㅎᄀ\u{A960}\u{D7B0}éÉßİΣǅⅫﬃ中日😀𝐀\u{2028}\u{3000}·"
                .chars()
                .collect();
        let mut state: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..20_000 {
            let len = (next() % 24) as usize;
            let text: String = (0..len)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect();
            assert_eq!(words(&text), words_reference(&text), "{text:?}");
        }
        for text in [
            "",
            "Redis를 쓰고 API로 호출",
            "가용성 99.9%, $2,300. 1.2.3 v1.0 a, 3 1,",
            "Standard_D4s_v5 AKS클러스터 5분",
        ] {
            assert_eq!(words(text), words_reference(text), "{text:?}");
        }
    }

    #[test]
    fn suffixes_are_distinct_and_the_longest_that_fits_is_stripped() {
        for (i, a) in SUFFIXES.iter().enumerate() {
            assert!(
                SUFFIXES[i + 1..].iter().all(|b| b.text != a.text),
                "{}",
                a.text
            );
        }
        // The longest of all the suffixes that fit, as the stemmer first did it.
        let reference = |word: &str| {
            let syllables = word.chars().count();
            SUFFIXES
                .iter()
                .filter(|sfx| word.ends_with(sfx.text))
                .filter(|sfx| {
                    syllables - sfx.text.chars().count() >= sfx.min.max(1)
                        && word[..word.len() - sfx.text.len()]
                            .chars()
                            .next_back()
                            .is_some_and(|prev| allowed_after(sfx.after, prev))
                })
                .max_by_key(|sfx| sfx.text.len())
                .map(|sfx| sfx.text)
        };
        let heads = [
            "",
            "서",
            "운영환경",
            "캐시",
            "서울",
            "값",
            "구성",
            "데이터베이",
        ];
        for head in heads {
            for sfx in SUFFIXES {
                for tail in ["", "들", "으"] {
                    let word = format!("{head}{tail}{}", sfx.text);
                    assert_eq!(
                        strippable(&word).map(|s| s.text),
                        reference(&word),
                        "{word}"
                    );
                }
            }
        }
    }

    #[test]
    fn particles_are_stripped_from_korean_words() {
        assert_eq!(stem("환경별로"), "환경별");
        assert_eq!(stem("백업은"), "백업");
        assert_eq!(stem("운영환경의"), "운영환경");
        assert_eq!(stem("시스템이"), "시스템");
        assert_eq!(stem("데이터가"), "데이터");
        assert_eq!(stem("서비스를"), "서비스");
        assert_eq!(stem("캐시로"), "캐시");
        assert_eq!(stem("네트워크와"), "네트워크");
        assert_eq!(stem("환경에서는"), "환경");
        assert_eq!(stem("운영환경으로"), "운영환경");
        assert_eq!(stem("서비스입니다"), "서비스");
    }

    #[test]
    fn verb_endings_are_stripped() {
        assert_eq!(stem("구성합니다"), "구성");
        assert_eq!(stem("구성하는"), "구성");
        assert_eq!(stem("적용된"), "적용");
        assert_eq!(stem("배포됩니다"), "배포");
        assert_eq!(stem("분리해"), "분리");
    }

    #[test]
    fn nouns_that_end_like_particles_are_kept() {
        // 가 after a consonant, 이 after a vowel: not particles.
        assert_eq!(stem("평가"), "평가");
        assert_eq!(stem("게이트웨이"), "게이트웨이");
        // One syllable would remain.
        for noun in [
            "결과", "추가", "정의", "속도", "권한", "포함", "최고", "경로", "효과",
        ] {
            assert_eq!(stem(noun), noun);
        }
        // Nothing is left of a bare particle.
        assert_eq!(stem("의"), "의");
        assert_eq!(stem("는"), "는");
    }

    #[test]
    fn english_is_lowercased_and_split_on_punctuation() {
        assert_eq!(
            stems("Azure Service Bus, user-service (HPA)"),
            ["azure", "service", "bus", "user", "service", "hpa"]
        );
        assert_eq!(stems("Standard_D4s_v5"), ["standard", "d4s", "v5"]);
    }

    #[test]
    fn numbers_keep_their_decimal_point_and_drop_thousands_separators() {
        assert_eq!(stems("가용성 99.9%, $2,300."), ["가용성", "99.9", "2300"]);
        assert_eq!(stems("1.2.3 v1.0"), ["1.2.3", "v1.0"]);
        assert_eq!(stems("a, 3"), ["a", "3"]);
    }

    #[test]
    fn particles_glued_to_latin_words_are_dropped() {
        assert_eq!(
            stems("Redis를 쓰고 API로 호출"),
            ["redis", "쓰고", "api", "호출"]
        );
        // A word that is not a particle stays: 5분, 10만 명.
        assert_eq!(stems("5분"), ["5", "분"]);
        assert_eq!(stems("AKS클러스터"), ["aks", "클러스터"]);
    }

    #[test]
    fn word_offsets_point_into_the_text() {
        let text = "운영환경의 Redis를";
        let ws = words(text);
        assert_eq!(&text[ws[0].start..ws[0].end], "운영환경의");
        assert_eq!(&text[ws[1].start..ws[1].end], "Redis");
        assert_eq!(ws.len(), 2);
    }

    #[test]
    fn bigrams_come_from_the_stem_unless_the_suffix_is_ambiguous() {
        assert_eq!(bigram_base("관리합니다"), ("관리", "관리"));
        assert_eq!(bigram_base("백업은"), ("백업", "백업"));
        // 도 also ends nouns: the whole word keeps its bigrams.
        assert_eq!(bigram_base("응답속도"), ("응답속", "응답속도"));
        assert_eq!(bigram_base("운영환경"), ("운영환경", "운영환경"));
    }

    #[test]
    fn bigrams_of_hangul_words() {
        assert_eq!(bigrams("운영환경"), ["운영", "영환", "환경"]);
        assert_eq!(bigrams("백업"), ["백업"]);
        assert!(bigrams("망").is_empty());
    }

    #[test]
    fn jamo_and_symbols_are_separators() {
        // An incomplete syllable typed with an IME (ㅎ) is not a word.
        assert_eq!(stems("가용ㅎ → 😀 a"), ["가용", "a"]);
    }
}
