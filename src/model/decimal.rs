//! Numbers of data tables: exact decimals, units, and how they read in the site's language.
//! Pure.
//!
//! Rounding rules (also in docs/data.md):
//! - values and totals are exact decimals: `0.1 + 0.2` is `0.3`; a total shows as many decimal
//!   places as the most precise value it adds up;
//! - a currency shows no decimals when the amount is whole, else two;
//! - a ratio is rounded to one decimal place, half away from zero, and a trailing `.0` is dropped
//!   (`2300 / 150` → `15.3`, `1200 / 120` → `10`); a share (percentage) likewise;
//! - a zero base gives the configured infinity text (`∞`, or `무제한` for Korean sites unless
//!   configured); zero over zero gives `-`.

use crate::config::Lang;
use std::cmp::Ordering;

/// An exact decimal: `mantissa × 10^-scale`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decimal {
    pub mantissa: i128,
    pub scale: u32,
}

impl Decimal {
    pub const ZERO: Decimal = Decimal {
        mantissa: 0,
        scale: 0,
    };

    /// `1200`, `-3.5`, `99.95`; `None` for anything else (or more than 18 digits).
    pub fn parse(text: &str) -> Option<Decimal> {
        let (neg, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text.strip_prefix('+').unwrap_or(text)),
        };
        let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
        if int.is_empty()
            || int.len() + frac.len() > 18
            || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let mut mantissa: i128 = format!("{int}{frac}").parse().ok()?;
        if neg {
            mantissa = -mantissa;
        }
        Some(Decimal {
            mantissa,
            scale: frac.len() as u32,
        })
    }

    fn rescale(self, scale: u32) -> i128 {
        self.mantissa * 10i128.pow(scale - self.scale.min(scale))
    }

    pub fn plus(self, other: Decimal) -> Decimal {
        let scale = self.scale.max(other.scale);
        Decimal {
            mantissa: self.rescale(scale) + other.rescale(scale),
            scale,
        }
    }

    pub fn minus(self, other: Decimal) -> Decimal {
        self.plus(Decimal {
            mantissa: -other.mantissa,
            scale: other.scale,
        })
    }

    pub fn is_zero(self) -> bool {
        self.mantissa == 0
    }

    pub fn to_f64(self) -> f64 {
        self.mantissa as f64 / 10f64.powi(self.scale as i32)
    }

    pub fn cmp_value(self, other: Decimal) -> Ordering {
        let scale = self.scale.max(other.scale);
        self.rescale(scale).cmp(&other.rescale(scale))
    }

    /// Rounded to `places` decimals, half away from zero.
    pub fn round(self, places: u32) -> Decimal {
        if self.scale <= places {
            return self;
        }
        let div = 10i128.pow(self.scale - places);
        let q = self.mantissa / div;
        let r = self.mantissa % div;
        let q = if r.abs() * 2 >= div {
            q + self.mantissa.signum()
        } else {
            q
        };
        Decimal {
            mantissa: q,
            scale: places,
        }
    }

    /// Without trailing zeros after the point.
    pub fn trimmed(mut self) -> Decimal {
        while self.scale > 0 && self.mantissa % 10 == 0 {
            self.mantissa /= 10;
            self.scale -= 1;
        }
        self
    }

    fn from_f64_rounded(value: f64, places: u32) -> Decimal {
        // Round in decimal, not binary: 2300/150 = 15.333… → 15.3 and 0.25 → 0.3 (half away).
        let factor = 10f64.powi(places as i32);
        let scaled = value * factor;
        let rounded = scaled.abs().round().copysign(scaled);
        Decimal {
            mantissa: rounded as i128,
            scale: places,
        }
    }

    /// `1,234.5`: comma thousands separators (Korean and English both use them).
    pub fn grouped(self) -> String {
        let neg = self.mantissa < 0;
        let digits = self.mantissa.unsigned_abs().to_string();
        let scale = self.scale as usize;
        let padded = if digits.len() <= scale {
            format!("{}{digits}", "0".repeat(scale + 1 - digits.len()))
        } else {
            digits
        };
        let (int, frac) = padded.split_at(padded.len() - scale);
        let mut out = String::new();
        if neg {
            out.push('-');
        }
        for (i, c) in int.chars().enumerate() {
            if i > 0 && (int.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        if !frac.is_empty() {
            out.push('.');
            out.push_str(frac);
        }
        out
    }
}

/// What a number measures. Written in the data as `unit: usd`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Unit {
    #[default]
    Plain,
    Usd,
    Krw,
    Eur,
    Percent,
    /// People: `5명`, `10만 명`; `5 people`.
    People,
    Ms,
    Seconds,
    Minutes,
    Hours,
    Days,
    Mb,
    Gb,
    Mib,
    Gib,
    Tib,
}

pub const UNIT_NAMES: &[&str] = &[
    "number", "usd", "krw", "eur", "percent", "people", "ms", "seconds", "minutes", "hours",
    "days", "mb", "gb", "mib", "gib", "tib",
];

impl Unit {
    pub fn parse(name: &str) -> Option<Unit> {
        Some(match name {
            "number" | "count" => Unit::Plain,
            "usd" => Unit::Usd,
            "krw" => Unit::Krw,
            "eur" => Unit::Eur,
            "percent" => Unit::Percent,
            "people" => Unit::People,
            "ms" => Unit::Ms,
            "seconds" => Unit::Seconds,
            "minutes" => Unit::Minutes,
            "hours" => Unit::Hours,
            "days" => Unit::Days,
            "mb" => Unit::Mb,
            "gb" => Unit::Gb,
            "mib" => Unit::Mib,
            "gib" => Unit::Gib,
            "tib" => Unit::Tib,
            _ => return None,
        })
    }

    fn is_currency(self) -> bool {
        matches!(self, Unit::Usd | Unit::Krw | Unit::Eur)
    }
}

/// A number in its unit: `$2,300`, `99.9%`, `5분`, `10만 명`, `128 GiB`.
pub fn format_number(n: Decimal, unit: Unit, lang: Lang) -> String {
    let n = if unit.is_currency() {
        let whole = n.trimmed().scale == 0;
        if whole {
            n.trimmed()
        } else {
            n.round(2).with_scale(2)
        }
    } else {
        n
    };
    let ko = lang == Lang::Ko;
    let g = n.grouped();
    match unit {
        Unit::Plain => g,
        Unit::Usd | Unit::Krw | Unit::Eur => {
            let symbol = match unit {
                Unit::Usd => "$",
                Unit::Krw => "₩",
                _ => "€",
            };
            match g.strip_prefix('-') {
                Some(abs) => format!("-{symbol}{abs}"),
                None => format!("{symbol}{g}"),
            }
        }
        Unit::Percent => format!("{g}%"),
        Unit::People if ko => format!("{}명", korean_count(n)),
        Unit::People => {
            if n.cmp_value(Decimal::parse("1").expect("literal")) == Ordering::Equal {
                "1 person".into()
            } else {
                format!("{g} people")
            }
        }
        Unit::Ms => format!("{g}ms"),
        Unit::Seconds if ko => format!("{g}초"),
        Unit::Minutes if ko => format!("{g}분"),
        Unit::Hours if ko => format!("{g}시간"),
        Unit::Days if ko => format!("{g}일"),
        Unit::Seconds => format!("{g} s"),
        Unit::Minutes => format!("{g} min"),
        Unit::Hours => format!("{g} h"),
        Unit::Days => {
            let one = n.cmp_value(Decimal::parse("1").expect("literal")) == Ordering::Equal;
            format!("{g} {}", if one { "day" } else { "days" })
        }
        Unit::Mb => format!("{g} MB"),
        Unit::Gb => format!("{g} GB"),
        Unit::Mib => format!("{g} MiB"),
        Unit::Gib => format!("{g} GiB"),
        Unit::Tib => format!("{g} TiB"),
    }
}

/// Korean counts in 만 (10,000) units when they are whole: `100000` → `10만 `, `5` → `5`,
/// `12500` → `12,500`. The trailing space separates the number from its counter (`10만 명`).
fn korean_count(n: Decimal) -> String {
    let t = n.trimmed();
    if t.scale == 0 && t.mantissa >= 10_000 && t.mantissa % 10_000 == 0 {
        let man = Decimal {
            mantissa: t.mantissa / 10_000,
            scale: 0,
        };
        format!("{}만 ", man.grouped())
    } else {
        t.grouped()
    }
}

impl Decimal {
    fn with_scale(self, scale: u32) -> Decimal {
        if self.scale >= scale {
            return self;
        }
        Decimal {
            mantissa: self.rescale(scale),
            scale,
        }
    }
}

/// `min ~ max`, `min 이상` / `min+`, `max 미만` / `< max`.
pub fn format_range(
    min: Option<Decimal>,
    max: Option<Decimal>,
    below: bool,
    unit: Unit,
    lang: Lang,
) -> String {
    let f = |d| format_number(d, unit, lang);
    let ko = lang == Lang::Ko;
    match (min, max) {
        (Some(a), Some(b)) => format!("{} ~ {}", f(a), f(b)),
        (Some(a), None) if ko => format!("{} 이상", f(a)),
        (Some(a), None) => format!("≥ {}", f(a)),
        (None, Some(b)) if below && ko => format!("{} 미만", f(b)),
        (None, Some(b)) if below => format!("< {}", f(b)),
        (None, Some(b)) if ko => format!("{} 이하", f(b)),
        (None, Some(b)) => format!("≤ {}", f(b)),
        (None, None) => "-".into(),
    }
}

/// How a ratio, difference or share is written where there is nothing to compute.
pub const NOT_APPLICABLE: &str = "-";

/// `15.3배` / `15.3×`; `infinity` for a zero base; `-` for zero over zero.
pub fn format_ratio(a: Decimal, b: Decimal, lang: Lang, infinity: &str) -> String {
    if b.is_zero() {
        return if a.is_zero() {
            NOT_APPLICABLE.into()
        } else {
            infinity.into()
        };
    }
    let r = Decimal::from_f64_rounded(a.to_f64() / b.to_f64(), 1).trimmed();
    match lang {
        Lang::Ko => format!("{}배", r.grouped()),
        Lang::En => format!("{}×", r.grouped()),
    }
}

/// `a` as a share of `total`: `52.2%`.
pub fn format_share(a: Decimal, total: Decimal) -> String {
    if total.is_zero() {
        return NOT_APPLICABLE.into();
    }
    let r = Decimal::from_f64_rounded(a.to_f64() / total.to_f64() * 100.0, 1).trimmed();
    format!("{}%", r.grouped())
}

/// `+$1,080`, `-$20`, `0`.
pub fn format_difference(a: Decimal, b: Decimal, unit: Unit, lang: Lang) -> String {
    let d = a.minus(b);
    let mut s = format_number(d, unit, lang);
    if d.mantissa > 0 {
        s.insert(0, '+');
    }
    s
}

/// The default text for a ratio over zero.
pub fn default_infinity(lang: Lang) -> &'static str {
    match lang {
        Lang::Ko => "무제한",
        Lang::En => "∞",
    }
}

/// Sums, keeping the largest scale: exact.
pub fn sum<I: IntoIterator<Item = Decimal>>(values: I) -> Decimal {
    values.into_iter().fold(Decimal::ZERO, Decimal::plus)
}

/// For debugging output and messages.
impl std::fmt::Display for Decimal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = self.grouped().replace(',', "");
        f.write_str(&s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::parse(s).unwrap()
    }

    #[test]
    fn sums_are_exact() {
        assert_eq!(sum([d("0.1"), d("0.2")]).grouped(), "0.3");
        assert_eq!(sum([d("1200"), d("450"), d("650")]).grouped(), "2,300");
    }

    #[test]
    fn currency_percent_durations_people() {
        assert_eq!(format_number(d("2300"), Unit::Usd, Lang::En), "$2,300");
        assert_eq!(format_number(d("2300.5"), Unit::Usd, Lang::En), "$2,300.50");
        assert_eq!(format_number(d("-20"), Unit::Usd, Lang::En), "-$20");
        assert_eq!(format_number(d("99.95"), Unit::Percent, Lang::Ko), "99.95%");
        assert_eq!(format_number(d("5"), Unit::Minutes, Lang::Ko), "5분");
        assert_eq!(format_number(d("5"), Unit::Minutes, Lang::En), "5 min");
        assert_eq!(
            format_number(d("100000"), Unit::People, Lang::Ko),
            "10만 명"
        );
        assert_eq!(
            format_number(d("12500"), Unit::People, Lang::Ko),
            "12,500명"
        );
        assert_eq!(
            format_number(d("1000000"), Unit::People, Lang::En),
            "1,000,000 people"
        );
        assert_eq!(format_number(d("128"), Unit::Gib, Lang::En), "128 GiB");
    }

    #[test]
    fn ratios_round_half_away_and_drop_trailing_zero() {
        assert_eq!(format_ratio(d("2300"), d("150"), Lang::Ko, "∞"), "15.3배");
        assert_eq!(format_ratio(d("2300"), d("150"), Lang::En, "∞"), "15.3×");
        assert_eq!(format_ratio(d("1200"), d("120"), Lang::Ko, "∞"), "10배");
        assert_eq!(format_ratio(d("150"), d("20"), Lang::Ko, "∞"), "7.5배");
        assert_eq!(format_ratio(d("0.25"), d("1"), Lang::En, "∞"), "0.3×");
        assert_eq!(format_ratio(d("450"), d("0"), Lang::Ko, "무제한"), "무제한");
        assert_eq!(format_ratio(d("0"), d("0"), Lang::Ko, "무제한"), "-");
    }

    #[test]
    fn ranges_shares_differences() {
        assert_eq!(
            format_range(Some(d("15000")), None, false, Unit::Usd, Lang::Ko),
            "$15,000 이상"
        );
        assert_eq!(
            format_range(None, Some(d("5")), true, Unit::Seconds, Lang::En),
            "< 5 s"
        );
        assert_eq!(
            format_range(
                Some(d("10000")),
                Some(d("100000")),
                false,
                Unit::People,
                Lang::Ko
            ),
            "1만 명 ~ 10만 명"
        );
        assert_eq!(format_share(d("1200"), d("2300")), "52.2%");
        assert_eq!(
            format_difference(d("2300"), d("150"), Unit::Usd, Lang::En),
            "+$2,150"
        );
    }
}
