//! Derived columns of a data table: columns a ```` ```table ```` directive asks for by a key
//! (`ratio: prod/dev`) and whose cells are computed from each row's environment values. The
//! one place that knows them: `parse/table.rs` reads their keys and operands from [`DERIVED`],
//! `resolve/tables/` checks the operands and computes every cell (of rows, subtotals and the
//! total) with [`Derived::cell`], and the template draws the result like any other column.
//!
//! Adding one (say `growth: prod~dev`): an entry in [`DERIVED`], in the place its column should
//! take among the others, and docs/data.md.

use super::decimal::{
    format_difference, format_ratio, format_share, Decimal, Unit, NOT_APPLICABLE,
};
use crate::config::Lang;

/// How a derived column's operands are written in the directive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operands {
    /// Two environments split by `sep` (`prod/dev`); the header shows them split by `shown`.
    Pair { sep: char, shown: char },
    /// One environment (`share: prod`).
    One,
}

/// What a cell of a derived column is computed from.
pub struct CellInputs<'a> {
    /// The number of each operand's environment in this row (or its sum, in a sum row).
    pub values: &'a [Option<(Decimal, Unit)>],
    /// The table's total of each operand's environment (every row, whatever the group).
    pub totals: &'a [Option<(Decimal, Unit)>],
    pub lang: Lang,
    /// The text of a ratio over zero.
    pub infinity: &'a str,
}

/// A derived column.
#[derive(Debug)]
pub struct Derived {
    /// The directive key that asks for it.
    pub key: &'static str,
    pub operands: Operands,
    /// What the key's value should be, for the message when it is not.
    pub expected: &'static str,
    /// The header's word, per language (the operands follow it in parentheses).
    pub label: fn(Lang) -> &'static str,
    /// A cell's text (escaped when drawn).
    pub cell: fn(&CellInputs) -> String,
}

/// Every derived column, in the order their columns are shown (after the environments).
pub const DERIVED: &[Derived] = &[
    Derived {
        key: "ratio",
        operands: Operands::Pair {
            sep: '/',
            shown: '/',
        },
        expected: "two environments such as `prod/dev`",
        label: |lang| match lang {
            Lang::Ko => "배율",
            Lang::En => "Ratio",
        },
        cell: |c| match (c.values[0], c.values[1]) {
            (Some((x, _)), Some((y, _))) => format_ratio(x, y, c.lang, c.infinity),
            _ => NOT_APPLICABLE.into(),
        },
    },
    Derived {
        key: "diff",
        operands: Operands::Pair {
            sep: '-',
            shown: '−',
        },
        expected: "two environments such as `prod-dev`",
        label: |lang| match lang {
            Lang::Ko => "차이",
            Lang::En => "Difference",
        },
        cell: |c| match (c.values[0], c.values[1]) {
            (Some((x, u)), Some((y, _))) => format_difference(x, y, u, c.lang),
            _ => NOT_APPLICABLE.into(),
        },
    },
    Derived {
        key: "share",
        operands: Operands::One,
        expected: "text",
        label: |lang| match lang {
            Lang::Ko => "비중",
            Lang::En => "Share",
        },
        cell: |c| match (c.values[0], c.totals[0]) {
            (Some((x, _)), Some((t, _))) => format_share(x, t),
            _ => NOT_APPLICABLE.into(),
        },
    },
];

impl Derived {
    /// The operands as written (`prod/dev` → `["prod", "dev"]`), each with its byte offset in
    /// the text; `None` when the text does not have the column's shape.
    pub fn split<'t>(&self, text: &'t str) -> Option<Vec<(&'t str, usize)>> {
        match self.operands {
            Operands::One => Some(vec![(text, 0)]),
            Operands::Pair { sep, .. } => {
                let (a, b) = text.split_once(sep)?;
                Some(vec![(a, 0), (b, a.len() + sep.len_utf8())])
            }
        }
    }

    /// Whether a directive's value has the column's shape (a pair needs its separator).
    pub fn accepts(&self, text: &str) -> bool {
        match self.operands {
            Operands::One => true,
            Operands::Pair { sep, .. } => text.contains(sep),
        }
    }

    /// The header: the word, then the operands' names (`배율 (운영/개발)`).
    pub fn header(&self, lang: Lang, names: &[&str]) -> String {
        let joined = match self.operands {
            Operands::Pair { shown, .. } => names.join(&shown.to_string()),
            Operands::One => names.join(", "),
        };
        format!("{} ({joined})", (self.label)(lang))
    }
}

/// The derived column a directive key asks for.
pub fn derived(key: &str) -> Option<&'static Derived> {
    DERIVED.iter().find(|d| d.key == key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operands_split_at_their_separator() {
        let ratio = derived("ratio").unwrap();
        assert_eq!(ratio.split("prod/dev"), Some(vec![("prod", 0), ("dev", 5)]));
        assert_eq!(ratio.split("prod"), None);
        assert!(!ratio.accepts("prod-dev"));
        let share = derived("share").unwrap();
        assert_eq!(share.split("prod"), Some(vec![("prod", 0)]));
        assert_eq!(
            derived("diff").unwrap().header(Lang::En, &["Prod", "Dev"]),
            "Difference (Prod−Dev)"
        );
    }
}
