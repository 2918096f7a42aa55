//! JavaScript regular expressions (as jison lexers write them: no `u` flag, Annex B syntax)
//! translated into Rust regex syntax with the same matches.
//!
//! JavaScript matches UTF-16 code units; Rust matches code points. archsite's native lexer
//! therefore runs over a *transcoded* text in which every UTF-16 code unit is one `char`:
//! characters outside the BMP become two private-use characters standing for their surrogates
//! (`SURROGATE_BASE`), see `transcode`. Every class is computed as a set of code units, as
//! JavaScript sees it, and then written over that transcoded alphabet, so `.` or `[^"]` match
//! one half of an emoji, exactly as in JavaScript.
//!
//! What cannot be translated exactly is refused (`Err`): back-references, the `m` and `s` and `u`
//! flags, case-insensitive letters outside ASCII. A lexer with a refused rule is not run natively.

use std::fmt::Write as _;

/// Where the transcoded text puts the surrogate code units D800–DFFF (a private-use block).
pub const SURROGATE_BASE: u32 = 0xE000;
const SURROGATES: (u32, u32) = (0xD800, 0xDFFF);
const STAND_INS: (u32, u32) = (SURROGATE_BASE, SURROGATE_BASE + 0x7FF);

/// A translated pattern.
#[derive(Debug, Clone, PartialEq)]
pub struct Translated {
    /// Rust regex syntax.
    pub pattern: String,
    /// Uses look-around (needs `fancy-regex`; otherwise plain `regex` syntax).
    pub fancy: bool,
}

/// The text as JavaScript's code units, one `char` each; `None` when the text already holds
/// characters of the block the surrogates are mapped to (they would be ambiguous).
pub fn transcode(text: &str) -> Option<std::borrow::Cow<'_, str>> {
    let mut astral = false;
    for c in text.chars() {
        let c = c as u32;
        if (STAND_INS.0..=STAND_INS.1).contains(&c) {
            return None;
        }
        astral |= c > 0xFFFF;
    }
    if !astral {
        return Some(std::borrow::Cow::Borrowed(text));
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if (c as u32) > 0xFFFF {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units).iter() {
                out.push(stand_in(u32::from(*unit)));
            }
        } else {
            out.push(c);
        }
    }
    Some(std::borrow::Cow::Owned(out))
}

fn stand_in(unit: u32) -> char {
    char::from_u32(unit - SURROGATES.0 + SURROGATE_BASE).expect("a private-use character")
}

/// Translates `/source/flags`.
pub fn translate(source: &str, flags: &str) -> Result<Translated, String> {
    let mut ignore_case = false;
    for f in flags.chars() {
        match f {
            'i' => ignore_case = true,
            // Global and sticky change how a caller iterates, not what matches at a place.
            'g' | 'y' | 'd' => {}
            other => return Err(format!("flag {other}")),
        }
    }
    let units: Vec<u32> = source.encode_utf16().map(u32::from).collect();
    let mut p = Parser {
        src: &units,
        at: 0,
        ignore_case,
        fancy: false,
        groups: count_groups(&units),
        refused: None,
    };
    let mut out = String::new();
    p.disjunction(&mut out)?;
    if let Some(why) = p.refused {
        return Err(why);
    }
    if p.at != units.len() {
        return Err(format!("unexpected `)` at {}", p.at));
    }
    // `regex` has ASCII word boundaries; `fancy-regex` does not, but has look-around.
    let (b, nb) = if p.fancy {
        (
            r"(?:(?<=[0-9A-Za-z_])(?![0-9A-Za-z_])|(?<![0-9A-Za-z_])(?=[0-9A-Za-z_]))",
            r"(?:(?<=[0-9A-Za-z_])(?=[0-9A-Za-z_])|(?<![0-9A-Za-z_])(?![0-9A-Za-z_]))",
        )
    } else {
        (r"(?-u:\b)", r"(?-u:\B)")
    };
    Ok(Translated {
        pattern: out.replace(WORD_BOUNDARY, b).replace(NOT_WORD_BOUNDARY, nb),
        fancy: p.fancy,
    })
}

/// Stand-ins for JavaScript's (ASCII) `\b` and `\B` until the flavour of the output is known.
const WORD_BOUNDARY: &str = "\u{0}b\u{0}";
const NOT_WORD_BOUNDARY: &str = "\u{0}B\u{0}";

struct Parser<'a> {
    src: &'a [u32],
    at: usize,
    ignore_case: bool,
    fancy: bool,
    groups: usize,
    /// Set when the pattern holds what cannot be translated exactly.
    refused: Option<String>,
}

/// Capturing groups in the pattern (a decimal escape up to this many is a back-reference).
fn count_groups(src: &[u32]) -> usize {
    let (mut n, mut i, mut in_class) = (0, 0, false);
    while i < src.len() {
        match char::from_u32(src[i]).unwrap_or('\0') {
            '\\' => i += 1,
            '[' => in_class = true,
            ']' => in_class = false,
            '(' if !in_class && src.get(i + 1) != Some(&u32::from(b'?')) => n += 1,
            '(' if !in_class
                && src.get(i + 2) == Some(&u32::from(b'<'))
                && !matches!(src.get(i + 3).map(|c| *c as u8), Some(b'=') | Some(b'!')) =>
            {
                n += 1
            }
            _ => {}
        }
        i += 1;
    }
    n
}

type Ranges = Vec<(u32, u32)>;

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.src.get(self.at).and_then(|u| char::from_u32(*u))
    }
    fn peek_unit(&self) -> Option<u32> {
        self.src.get(self.at).copied()
    }
    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn disjunction(&mut self, out: &mut String) -> Result<(), String> {
        self.alternative(out)?;
        while self.eat('|') {
            out.push('|');
            self.alternative(out)?;
        }
        Ok(())
    }

    fn alternative(&mut self, out: &mut String) -> Result<(), String> {
        while let Some(c) = self.peek() {
            if c == '|' || c == ')' {
                break;
            }
            self.term(out)?;
        }
        Ok(())
    }

    fn term(&mut self, out: &mut String) -> Result<(), String> {
        let c = self.peek().ok_or("end of pattern")?;
        // Assertions.
        match c {
            '^' => {
                self.at += 1;
                out.push('^');
                return Ok(());
            }
            '$' => {
                self.at += 1;
                out.push('$');
                return Ok(());
            }
            '\\' if matches!(
                self.src.get(self.at + 1).map(|u| *u as u8),
                Some(b'b' | b'B')
            ) =>
            {
                let negated = self.src[self.at + 1] == u32::from(b'B');
                self.at += 2;
                // JavaScript's \b is ASCII: \w is [0-9A-Za-z_].
                out.push_str(if negated {
                    NOT_WORD_BOUNDARY
                } else {
                    WORD_BOUNDARY
                });
                return Ok(());
            }
            '(' if self.looking_at("(?=") || self.looking_at("(?!") => {
                let negative = self.src[self.at + 2] == u32::from(b'!');
                self.at += 3;
                let mut inner = String::new();
                self.disjunction(&mut inner)?;
                if !self.eat(')') {
                    return Err("unclosed look-ahead".into());
                }
                self.fancy = true;
                let look = format!("(?{}{inner})", if negative { '!' } else { '=' });
                // Annex B lets a look-ahead be quantified: zero repetitions allowed means the
                // assertion may be skipped, so it asserts nothing; otherwise it asserts once.
                match self.quantifier()? {
                    Some((0, _, _)) => {}
                    _ => out.push_str(&look),
                }
                return Ok(());
            }
            '(' if self.looking_at("(?<=") || self.looking_at("(?<!") => {
                let negative = self.src[self.at + 3] == u32::from(b'!');
                self.at += 4;
                let mut inner = String::new();
                self.disjunction(&mut inner)?;
                if !self.eat(')') {
                    return Err("unclosed look-behind".into());
                }
                self.fancy = true;
                write!(out, "(?<{}{inner})", if negative { '!' } else { '=' }).unwrap();
                return Ok(());
            }
            _ => {}
        }
        let mut atom = String::new();
        self.atom(&mut atom)?;
        if let Some((min, max, lazy)) = self.quantifier()? {
            out.push_str("(?:");
            out.push_str(&atom);
            out.push(')');
            match (min, max) {
                (0, None) => out.push('*'),
                (1, None) => out.push('+'),
                (0, Some(1)) => out.push('?'),
                (n, None) => write!(out, "{{{n},}}").unwrap(),
                (n, Some(m)) if n == m => write!(out, "{{{n}}}").unwrap(),
                (n, Some(m)) => {
                    if m < n {
                        return Err("numbers out of order in a quantifier".into());
                    }
                    write!(out, "{{{n},{m}}}").unwrap()
                }
            }
            if lazy {
                out.push('?');
            }
        } else {
            out.push_str(&atom);
        }
        Ok(())
    }

    fn looking_at(&self, s: &str) -> bool {
        s.encode_utf16()
            .enumerate()
            .all(|(i, u)| self.src.get(self.at + i) == Some(&u32::from(u)))
    }

    /// `*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}`, each maybe lazy; a `{` that does not make a
    /// quantifier is a literal (Annex B), left for `atom`.
    fn quantifier(&mut self) -> Result<Option<(u32, Option<u32>, bool)>, String> {
        let q = match self.peek() {
            Some('*') => {
                self.at += 1;
                (0, None)
            }
            Some('+') => {
                self.at += 1;
                (1, None)
            }
            Some('?') => {
                self.at += 1;
                (0, Some(1))
            }
            Some('{') => match self.braces() {
                Some((q, len)) => {
                    self.at += len;
                    q
                }
                None => return Ok(None),
            },
            _ => return Ok(None),
        };
        let lazy = self.eat('?');
        Ok(Some((q.0, q.1, lazy)))
    }

    /// `{n}`, `{n,}`, `{n,m}` at the cursor: the bounds and the length.
    fn braces(&self) -> Option<((u32, Option<u32>), usize)> {
        let rest: String = self.src[self.at..]
            .iter()
            .take(24)
            .map(|u| char::from_u32(*u).unwrap_or('\0'))
            .collect();
        let close = rest.find('}')?;
        let inner = &rest[1..close];
        let (a, b) = match inner.split_once(',') {
            Some((a, b)) => (a, Some(b)),
            None => (inner, None),
        };
        if a.is_empty() || !a.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let min: u32 = a.parse().ok()?;
        let max = match b {
            None => Some(min),
            Some("") => None,
            Some(b) if b.bytes().all(|c| c.is_ascii_digit()) => Some(b.parse().ok()?),
            Some(_) => return None,
        };
        Some(((min, max), close + 1))
    }

    fn atom(&mut self, out: &mut String) -> Result<(), String> {
        let unit = self.peek_unit().ok_or("end of pattern")?;
        let c = char::from_u32(unit).unwrap_or('\u{FFFD}');
        match c {
            '.' => {
                self.at += 1;
                let set = complement(&[(0x0A, 0x0A), (0x0D, 0x0D), (0x2028, 0x2029)]);
                emit_set(out, &set);
            }
            '(' => {
                self.at += 1;
                // Groups keep their numbers (named ones become numbered).
                if self.looking_at("?:") {
                    self.at += 2;
                    out.push_str("(?:");
                } else if self.looking_at("?<") {
                    while let Some(c) = self.peek() {
                        self.at += 1;
                        if c == '>' {
                            break;
                        }
                    }
                    out.push('(');
                } else if self.peek() == Some('?') {
                    return Err("unknown group".into());
                } else {
                    out.push('(');
                }
                self.disjunction(out)?;
                if !self.eat(')') {
                    return Err("unclosed group".into());
                }
                out.push(')');
            }
            '[' => {
                self.at += 1;
                let set = self.class()?;
                emit_set(out, &set);
            }
            '\\' => {
                self.at += 1;
                let class_escape = matches!(self.peek(), Some('d' | 'D' | 'w' | 'W' | 's' | 'S'));
                let set = self.escape(false)?;
                let set = if class_escape { set } else { self.fold(set) };
                emit_set(out, &set);
            }
            '*' | '+' | '?' => return Err(format!("nothing to repeat before `{c}`")),
            '{' if self.braces().is_some() => return Err("nothing to repeat before `{`".into()),
            _ => {
                self.at += 1;
                let set = self.fold(vec![(unit, unit)]);
                emit_set(out, &set);
            }
        }
        Ok(())
    }

    /// An escape after `\` (in a class when `in_class`), as a set of code units.
    fn escape(&mut self, in_class: bool) -> Result<Ranges, String> {
        let unit = self.peek_unit().ok_or("`\\` at the end")?;
        self.at += 1;
        let c = char::from_u32(unit).unwrap_or('\u{FFFD}');
        let one = |u: u32| Ok(vec![(u, u)]);
        match c {
            'd' => Ok(vec![(0x30, 0x39)]),
            'D' => Ok(complement(&[(0x30, 0x39)])),
            'w' => Ok(word()),
            'W' => Ok(complement(&word())),
            's' => Ok(space()),
            'S' => Ok(complement(&space())),
            'b' if in_class => one(8),
            'f' => one(0x0C),
            'n' => one(0x0A),
            'r' => one(0x0D),
            't' => one(0x09),
            'v' => one(0x0B),
            'c' => match self.peek() {
                Some(l) if l.is_ascii_alphabetic() => {
                    self.at += 1;
                    one(u32::from(l) % 32)
                }
                // `\c` not followed by a letter is a backslash and a `c` (Annex B).
                _ => {
                    self.at -= 1;
                    one(u32::from(b'\\'))
                }
            },
            '0' if !self.peek().is_some_and(|d| d.is_ascii_digit()) => one(0),
            '1'..='9' if !in_class && (c as usize - '0' as usize) <= self.groups => {
                Err("back-reference".into())
            }
            '0'..='9' => Err("octal escape".into()),
            'x' => self
                .hex(2)
                .map(|u| vec![(u, u)])
                .or_else(|_| one(u32::from(b'x'))),
            'u' => self
                .hex(4)
                .map(|u| vec![(u, u)])
                .or_else(|_| one(u32::from(b'u'))),
            'k' if self.groups > 0 => Err("named back-reference".into()),
            // Any other character escaped is itself (Annex B identity escapes).
            _ => one(unit),
        }
    }

    fn hex(&mut self, n: usize) -> Result<u32, String> {
        let digits: String = self.src[self.at..]
            .iter()
            .take(n)
            .map(|u| char::from_u32(*u).unwrap_or('\0'))
            .collect();
        if digits.len() == n && digits.chars().all(|c| c.is_ascii_hexdigit()) {
            self.at += n;
            Ok(u32::from_str_radix(&digits, 16).expect("hex digits"))
        } else {
            Err("not a hex escape".into())
        }
    }

    /// A class after `[`, up to and including `]`.
    fn class(&mut self) -> Result<Ranges, String> {
        let negated = self.eat('^');
        // Members written out (folded with the `i` flag) and class escapes (`\\w`, ...: closed
        // under case already, or ASCII).
        let mut set: Ranges = Vec::new();
        let mut escapes: Ranges = Vec::new();
        loop {
            let unit = self.peek_unit().ok_or("unclosed class")?;
            if unit == u32::from(b']') {
                self.at += 1;
                break;
            }
            let (from, single) = self.class_atom()?;
            // A range `a-b` between two single characters; a class escape on either side makes
            // the `-` a literal (Annex B).
            if self.peek() == Some('-')
                && self
                    .src
                    .get(self.at + 1)
                    .is_some_and(|u| *u != u32::from(b']'))
            {
                self.at += 1;
                let (to, to_single) = self.class_atom()?;
                match (single, to_single) {
                    (Some(a), Some(b)) => {
                        if b < a {
                            return Err("class range out of order".into());
                        }
                        set.push((a, b));
                    }
                    _ => {
                        // Either side a class escape: `-` is itself (Annex B).
                        for (part, single_part) in [(from, single), (to, to_single)] {
                            if single_part.is_some() {
                                set.extend(part);
                            } else {
                                escapes.extend(part);
                            }
                        }
                        set.push((u32::from(b'-'), u32::from(b'-')));
                    }
                }
                continue;
            }
            if single.is_some() {
                set.extend(from);
            } else {
                escapes.extend(from);
            }
        }
        let mut all = self.fold(normalise(set));
        all.extend(escapes);
        let all = normalise(all);
        Ok(if negated { complement(&all) } else { all })
    }

    /// One member of a class: its set, and the character when it is a single one.
    fn class_atom(&mut self) -> Result<(Ranges, Option<u32>), String> {
        let unit = self.peek_unit().ok_or("unclosed class")?;
        self.at += 1;
        if unit == u32::from(b'\\') {
            let set = self.escape(true)?;
            let single = match set.as_slice() {
                [(a, b)] if a == b => Some(*a),
                _ => None,
            };
            // `\d`, `\w`, `\s` and their negations are never single characters.
            let class_escape = matches!(
                char::from_u32(self.src[self.at - 1]),
                Some('d' | 'D' | 'w' | 'W' | 's' | 'S')
            );
            return Ok((set, if class_escape { None } else { single }));
        }
        Ok((vec![(unit, unit)], Some(unit)))
    }

    /// With the `i` flag, a set closed under JavaScript's (non-Unicode) case canonicalisation:
    /// for ASCII letters, both cases. Letters outside ASCII with a case are refused.
    fn fold(&mut self, set: Ranges) -> Ranges {
        if !self.ignore_case {
            return set;
        }
        if cased_outside_ascii(&set) {
            self.refused = Some("a letter outside ASCII in a case-insensitive pattern".into());
        }
        let mut out = set.clone();
        for &(a, b) in &set {
            for (lo, hi, delta) in [(0x41u32, 0x5Au32, 32i64), (0x61, 0x7A, -32)] {
                let (s, e) = (a.max(lo), b.min(hi));
                if s <= e {
                    out.push(((s as i64 + delta) as u32, (e as i64 + delta) as u32));
                }
            }
        }
        normalise(out)
    }
}

/// Checks that a case-insensitive pattern has no cased letter outside ASCII (where
/// JavaScript's canonicalisation and Rust's folding differ); `translate` calls this.
fn cased_outside_ascii(set: &Ranges) -> bool {
    set.iter().any(|&(a, b)| {
        (a.max(0x80)..=b.min(0xFFFF)).any(|u| {
            char::from_u32(u).is_some_and(|c| {
                c.is_alphabetic() && (c.to_uppercase().ne([c]) || c.to_lowercase().ne([c]))
            })
        })
    })
}

fn word() -> Ranges {
    vec![(0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)]
}

/// JavaScript's `\s`: WhiteSpace and LineTerminator.
fn space() -> Ranges {
    normalise(vec![
        (0x09, 0x0D),
        (0x20, 0x20),
        (0xA0, 0xA0),
        (0x1680, 0x1680),
        (0x2000, 0x200A),
        (0x2028, 0x2029),
        (0x202F, 0x202F),
        (0x205F, 0x205F),
        (0x3000, 0x3000),
        (0xFEFF, 0xFEFF),
    ])
}

/// Is `c` JavaScript whitespace (what `\s` and `trim` mean)?
pub fn is_js_space(c: char) -> bool {
    matches!(c as u32, 0x09..=0x0D | 0x20 | 0xA0 | 0x1680 | 0x2000..=0x200A | 0x2028 | 0x2029 | 0x202F | 0x205F | 0x3000 | 0xFEFF)
}

fn normalise(mut set: Ranges) -> Ranges {
    set.sort_unstable();
    let mut out: Ranges = Vec::with_capacity(set.len());
    for (a, b) in set {
        match out.last_mut() {
            Some(last) if a <= last.1.saturating_add(1) => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

/// The code units 0–FFFF not in `set`.
fn complement(set: &[(u32, u32)]) -> Ranges {
    let set = normalise(set.to_vec());
    let mut out = Vec::new();
    let mut next = 0u32;
    for (a, b) in set {
        if a > next {
            out.push((next, a - 1));
        }
        next = b + 1;
    }
    if next <= 0xFFFF {
        out.push((next, 0xFFFF));
    }
    out
}

/// Writes a set of code units as a Rust class over the transcoded alphabet: surrogates become
/// their stand-ins, and the stand-ins' own block (never in a transcoded text) is left out.
fn emit_set(out: &mut String, set: &Ranges) {
    let mut mapped: Ranges = Vec::new();
    for &(a, b) in set {
        for (lo, hi, to) in [
            (0, SURROGATES.0 - 1, None),
            (SURROGATES.0, SURROGATES.1, Some(SURROGATE_BASE)),
            (SURROGATES.1 + 1, STAND_INS.0 - 1, None),
            (STAND_INS.1 + 1, 0xFFFF, None),
        ] {
            let (s, e) = (a.max(lo), b.min(hi));
            if s <= e {
                match to {
                    Some(base) => mapped.push((s - lo + base, e - lo + base)),
                    None => mapped.push((s, e)),
                }
            }
        }
    }
    let mapped = normalise(mapped);
    if mapped.is_empty() {
        // Matches nothing (an empty class).
        out.push_str(r"[a&&b]");
        return;
    }
    out.push('[');
    for (a, b) in mapped {
        if a == b {
            write!(out, "\\x{{{a:X}}}").unwrap();
        } else {
            write!(out, "\\x{{{a:X}}}-\\x{{{b:X}}}").unwrap();
        }
    }
    out.push(']');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matched(source: &str, flags: &str, text: &str) -> Option<String> {
        let text = transcode(text).unwrap();
        let t = translate(source, flags).unwrap();
        if t.fancy {
            let r = fancy_regex::Regex::new(&t.pattern)
                .unwrap_or_else(|e| panic!("{}: {e}", t.pattern));
            r.find(&text).unwrap().map(|m| m.as_str().to_string())
        } else {
            let r = regex::Regex::new(&t.pattern).unwrap_or_else(|e| panic!("{}: {e}", t.pattern));
            r.find(&text).map(|m| m.as_str().to_string())
        }
    }

    #[test]
    fn translates_the_annex_b_forms_jison_lexers_use() {
        // A quantified look-ahead that may repeat zero times asserts nothing.
        assert_eq!(
            matched(r"^(?:(?!\n||)*[^\n]*)", "", "ab\nc"),
            Some("ab".into())
        );
        // `(?!)` never matches.
        assert_eq!(matched(r"^(?:[^=]|=(?!))", "", "=x"), None);
        assert_eq!(matched(r"^(?:[^=]|=(?!))", "", "x="), Some("x".into()));
        // A quantified look-ahead that must run once asserts once.
        assert_eq!(matched(r"^(?:[^-]|-(?!-)+)", "", "-x"), Some("-".into()));
        assert_eq!(matched(r"^(?:[^-]|-(?!-)+)", "", "--"), None);
        // `\#`, `\>` are identity escapes; `[\\(?=\])]` is a class, not a look-ahead.
        assert_eq!(matched(r"^(?:[\\(?=\])][\]])", "", "=]"), Some("=]".into()));
        assert_eq!(matched(r"^(?:\#\>)", "", "#>"), Some("#>".into()));
        assert_eq!(
            matched(r"^(?:end\b\s*)", "", "end \n x"),
            Some("end \n ".into())
        );
        assert_eq!(matched(r"^(?:end\b\s*)", "", "endx"), None);
        // JavaScript's \b and \w are ASCII.
        assert_eq!(matched(r"^(?:v\b)", "", "vé"), Some("v".into()));
        assert_eq!(matched(r"^(?:v\b(?=.))", "", "vé"), Some("v".into()));
        assert_eq!(matched(r"^(?:v\b(?=.))", "", "vx"), None);
        assert_eq!(matched(r"^(?:a{2,3})", "", "aaaa"), Some("aaa".into()));
        assert_eq!(matched(r"^(?:a{,2})", "", "a{,2}"), Some("a{,2}".into()));
        assert_eq!(matched(r"^(?:$)", "", ""), Some("".into()));
    }

    #[test]
    fn code_units_not_code_points() {
        // `.` takes one half of an emoji, as in JavaScript.
        let one = matched(r"^(?:.)", "", "😀x").unwrap();
        assert_eq!(one.chars().count(), 1);
        assert_eq!(
            matched(r"^(?:[^-]+)", "", "😀-").unwrap().chars().count(),
            2
        );
        assert_eq!(transcode("a\u{E123}"), None);
    }

    #[test]
    fn case_insensitive_is_ascii_only() {
        assert_eq!(
            matched(r"^(?:participant\b)", "i", "PARTicipant x"),
            Some("PARTicipant".into())
        );
        assert_eq!(matched(r"^(?:[a-c]+)", "i", "aBcD"), Some("aBc".into()));
        assert_eq!(matched(r"^(?:[^a]+)", "i", "bAa"), Some("b".into()));
        // `ſ` is not `s` for JavaScript without the `u` flag.
        assert_eq!(matched(r"^(?:s)", "i", "ſ"), None);
        assert!(translate("é", "i").is_err());
    }

    #[test]
    fn refuses_what_it_cannot_translate() {
        assert!(translate(r"(a)\1", "").is_err());
        assert!(translate("a", "m").is_err());
        assert!(translate("a", "u").is_err());
        assert!(translate("(?<n>a)", "").unwrap().pattern.starts_with("(["));
    }
}
