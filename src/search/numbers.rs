//! Numbers as the browser's index reads them: base-32 digits, 5 bits per character, the last
//! digit of each number from another alphabet, so that no separator is needed and no
//! character needs escaping in JSON. Posting lists (`index`) are kept in this form, and the
//! shard files (`shard`) copy it as it is. A leaf: it uses nothing of the search.

/// Digits that end a number (values 0..32) and digits that continue it (also 0..32, most
/// significant first). Neither needs escaping in JSON.
const LAST: &[u8; 32] = b"0123456789abcdefghijklmnopqrstuv";
const MORE: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ-_.~!*";

/// Numbers as base-32 digits: 5 bits per character, the last digit of each number from
/// another alphabet, so no separator is needed.
pub fn encode_numbers(numbers: impl IntoIterator<Item = u32>, out: &mut String) {
    for n in numbers {
        encode_number(n, out);
    }
}

/// One number of `encode_numbers`: inlined for the one-character case, which most numbers
/// (section numbers, weights, page deltas) take.
#[inline]
pub fn encode_number(n: u32, out: &mut String) {
    if n < 32 {
        out.push(char::from(LAST[n as usize]));
    } else {
        encode_long(n, out);
    }
}

fn encode_long(n: u32, out: &mut String) {
    let mut digits = [0u8; 7];
    let mut len = 0;
    let mut n = n;
    loop {
        digits[len] = (n % 32) as u8;
        len += 1;
        n /= 32;
        if n == 0 {
            break;
        }
    }
    for i in (1..len).rev() {
        out.push(char::from(MORE[digits[i] as usize]));
    }
    out.push(char::from(LAST[digits[0] as usize]));
}

/// Per byte: its digit value, +32 when it is a digit of `MORE`, 255 when it is neither.
const VALUES: [u8; 256] = {
    let mut t = [255u8; 256];
    let mut d = 0;
    while d < 32 {
        t[LAST[d] as usize] = d as u8;
        t[MORE[d] as usize] = d as u8 + 32;
        d += 1;
    }
    t
};

/// The numbers of `encode_numbers`, one by one.
pub fn numbers(s: &str) -> impl Iterator<Item = u32> + '_ {
    let mut bytes = s.bytes();
    std::iter::from_fn(move || {
        let mut v = 0u32;
        for b in bytes.by_ref() {
            match VALUES[b as usize] {
                d @ 0..=31 => return Some(v.wrapping_mul(32).wrapping_add(u32::from(d))),
                d @ 32..=63 => v = v.wrapping_mul(32).wrapping_add(u32::from(d - 32)),
                _ => {}
            }
        }
        None
    })
}

/// The number of `encode_numbers` output that starts at byte `i` of `bytes`, and the byte after
/// it: `numbers` for a caller that walks the bytes itself (the merge copies some numbers as
/// they are).
#[inline]
pub fn read_number(bytes: &[u8], mut i: usize) -> (u32, usize) {
    let mut v = 0u32;
    loop {
        let d = VALUES[bytes[i] as usize];
        i += 1;
        if d < 32 {
            return (v.wrapping_mul(32).wrapping_add(u32::from(d)), i);
        }
        v = v.wrapping_mul(32).wrapping_add(u32::from(d & 31));
    }
}

/// The one-character encoding of a number below 32.
pub fn small_digit(n: u8) -> u8 {
    LAST[usize::from(n)]
}

/// The inverse of `encode_numbers`.
pub fn decode_numbers(s: &str) -> Vec<u32> {
    numbers(s).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip() {
        let numbers = [0, 1, 31, 32, 1023, 1024, 99_999, u32::MAX];
        let mut s = String::new();
        encode_numbers(numbers, &mut s);
        assert_eq!(decode_numbers(&s), numbers);
        let mut small = String::new();
        encode_numbers([3, 0, 31], &mut small);
        assert_eq!(small, "30v", "numbers below 32 take one character");
    }
}
