//! Hangul composition: a Korean name as macOS writes it (NFD: conjoining jamo) in the form a
//! keyboard types (NFC: one code point per syllable). Only Hangul is composed (its composition
//! is arithmetic, no tables needed): it is the case Korean sites meet. Other decomposed letters
//! (`é` as `e` + U+0301) are left as they are.

use std::borrow::Cow;

const S_BASE: u32 = 0xAC00;
const L_BASE: u32 = 0x1100;
const V_BASE: u32 = 0x1161;
const T_BASE: u32 = 0x11A7;
const L_COUNT: u32 = 19;
const V_COUNT: u32 = 21;
const T_COUNT: u32 = 28;

/// `text` with its conjoining Hangul jamo composed into syllables (Unicode's canonical
/// composition for Hangul): the NFC form of a Korean name written in NFD.
pub fn compose_hangul(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_jamo) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut last: Option<char> = None;
    for c in text.chars() {
        if let Some(prev) = last {
            let (p, n) = (prev as u32, c as u32);
            if (L_BASE..L_BASE + L_COUNT).contains(&p) && (V_BASE..V_BASE + V_COUNT).contains(&n) {
                let lv = S_BASE + ((p - L_BASE) * V_COUNT + (n - V_BASE)) * T_COUNT;
                last = char::from_u32(lv);
                continue;
            }
            let is_lv = (S_BASE..S_BASE + L_COUNT * V_COUNT * T_COUNT).contains(&p)
                && (p - S_BASE).is_multiple_of(T_COUNT);
            if is_lv && (T_BASE + 1..T_BASE + T_COUNT).contains(&n) {
                last = char::from_u32(p + (n - T_BASE));
                continue;
            }
            out.push(prev);
        }
        last = Some(c);
    }
    out.extend(last);
    Cow::Owned(out)
}

pub fn is_jamo(c: char) -> bool {
    ('\u{1100}'..='\u{11ff}').contains(&c)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NFD: &str = "\u{1112}\u{1161}\u{11ab}\u{1100}\u{1173}\u{11af}";

    #[test]
    fn composes_hangul_syllables() {
        assert_eq!(compose_hangul(NFD), "한글");
        assert_eq!(compose_hangul("a/\u{1100}\u{1161}.md"), "a/가.md");
        assert!(matches!(compose_hangul("plain 한글"), Cow::Borrowed(_)));
        // A lone jamo or a jamo after a letter stays as it is.
        assert_eq!(compose_hangul("x\u{1161}\u{11ab}"), "x\u{1161}\u{11ab}");
    }
}
