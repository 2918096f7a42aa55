//! Syntax highlighting at build time with syntect, as CSS classes (`hl-*`) so that the theme's
//! generated `highlight.css` controls light and dark colours. The syntax set is loaded once.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::hash::{Hash, Hasher};
use std::rc::Rc;
use std::sync::OnceLock;
use syntect::highlighting::ThemeSet;
use syntect::html::{css_for_theme_with_class_style, line_tokens_to_classed_spans, ClassStyle};
use syntect::parsing::{ParseState, ScopeStack, ScopeStackOp, SyntaxSet};
use syntect::util::LinesWithEndings;

const STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// Grammars syntect does not ship, in a set of their own: adding them to the default set would
/// mean linking all of its ~75 grammars again at every start, where this set links one.
fn own_syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(|| {
        let mut builder = syntect::parsing::SyntaxSetBuilder::new();
        let plantuml = syntect::parsing::SyntaxDefinition::load_from_str(
            include_str!("plantuml.sublime-syntax"),
            true,
            None,
        )
        .expect("the PlantUML grammar is valid (a unit test loads it)");
        builder.add(plantuml);
        builder.build()
    })
}

/// The inner HTML of a code block: highlighted spans when the language is known, escaped text
/// otherwise.
pub fn highlight(code: &str, lang: &str) -> String {
    let found = (!lang.is_empty())
        .then(|| {
            [syntaxes(), own_syntaxes()]
                .into_iter()
                .find_map(|set| Some((set, set.find_syntax_by_token(lang)?)))
        })
        .flatten();
    let Some((set, syntax)) = found else {
        return crate::base::escape_html(code);
    };
    let mut state = ParseState::new(syntax);
    let mut scopes = ScopeStack::new();
    let mut html = String::with_capacity(code.len() * 3);
    let mut open_spans: isize = 0;
    for line in LinesWithEndings::from(code) {
        let Some((ops, after)) = parse_line(&syntax.name, &state, line, set) else {
            return crate::base::escape_html(code);
        };
        let Ok((spans, delta)) = line_tokens_to_classed_spans(line, &ops, STYLE, &mut scopes)
        else {
            return crate::base::escape_html(code);
        };
        html.push_str(&spans);
        open_spans += delta;
        state = after;
    }
    for _ in 0..open_spans {
        html.push_str("</span>");
    }
    html
}

type LineOps = Vec<(usize, ScopeStackOp)>;

/// One line as syntect parsed it from one state.
struct ParsedLine {
    syntax: Box<str>,
    before: ParseState,
    line: Box<str>,
    ops: Rc<LineOps>,
    after: ParseState,
}

/// Code lines repeat across a site (`resources:`, `replicas: 3`, `}`), and syntect's regex
/// search costs ~20 µs a line (a third of a cold build's CPU before this memo). A line parsed
/// from the same state in the same syntax gives the same operations and the same next state,
/// so those are kept and reused by every later line and every later build in `serve`. One memo
/// per thread: syntect's states hold oniguruma regions, which cannot cross threads, and
/// rayon's threads live as long as the process.
#[derive(Default)]
struct LineMemo {
    lines: HashMap<u64, Vec<ParsedLine>>,
    len: usize,
}

/// Beyond this many lines a thread's memo starts again, so that a huge site cannot grow it
/// without bound (an entry is a few hundred bytes).
const MEMO_CAPACITY: usize = 50_000;

thread_local! {
    static MEMO: RefCell<LineMemo> = RefCell::new(LineMemo::default());
}

/// `line` parsed from `before`: its scope operations and the state for the next line.
fn parse_line(
    syntax: &str,
    before: &ParseState,
    line: &str,
    set: &SyntaxSet,
) -> Option<(Rc<LineOps>, ParseState)> {
    MEMO.with(|memo| {
        let mut memo = memo.borrow_mut();
        let key = memo_key(syntax, before, line);
        let found = memo.lines.get(&key).and_then(|bucket| {
            bucket
                .iter()
                .find(|p| &*p.syntax == syntax && &*p.line == line && &p.before == before)
        });
        if let Some(p) = found {
            return Some((p.ops.clone(), p.after.clone()));
        }
        let mut after = before.clone();
        let ops = Rc::new(after.parse_line(line, set).ok()?);
        if memo.len >= MEMO_CAPACITY {
            *memo = LineMemo::default();
        }
        memo.len += 1;
        memo.lines.entry(key).or_default().push(ParsedLine {
            syntax: syntax.into(),
            before: before.clone(),
            line: line.into(),
            ops: ops.clone(),
            after: after.clone(),
        });
        Some((ops, after))
    })
}

/// `ParseState` has no `Hash`; its `Debug` form holds all of it (context ids, captures).
fn memo_key(syntax: &str, state: &ParseState, line: &str) -> u64 {
    struct Feed<'a>(&'a mut std::collections::hash_map::DefaultHasher);
    impl std::fmt::Write for Feed<'_> {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            self.0.write(s.as_bytes());
            Ok(())
        }
    }
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    syntax.hash(&mut hasher);
    line.hash(&mut hasher);
    let _ = write!(Feed(&mut hasher), "{state:?}");
    hasher.finish()
}

/// Light colours by default; dark ones under the system preference unless the reader chose
/// light, and whenever the reader chose dark.
pub fn stylesheet() -> &'static str {
    static CSS: OnceLock<String> = OnceLock::new();
    CSS.get_or_init(generate_stylesheet)
}

fn generate_stylesheet() -> String {
    let themes = ThemeSet::load_defaults();
    let light =
        css_for_theme_with_class_style(&themes.themes["InspiredGitHub"], STYLE).unwrap_or_default();
    let dark = css_for_theme_with_class_style(&themes.themes["base16-ocean.dark"], STYLE)
        .unwrap_or_default();
    let mut css = String::from(
        "/* Generated by archsite from syntect's InspiredGitHub and base16-ocean.dark themes. */\n",
    );
    let light = readable(&strip_backgrounds(&light), LIGHT_CODE_BACKGROUND);
    let dark = readable(&strip_backgrounds(&dark), DARK_CODE_BACKGROUND);
    css.push_str(&light);
    css.push_str("@media (prefers-color-scheme: dark) {\n");
    css.push_str(&scope(&dark, ":root:not([data-theme=light])"));
    css.push_str("}\n");
    css.push_str(&scope(&dark, ":root[data-theme=dark]"));
    css
}

/// `pre.code` backgrounds of the default theme (`archsite.css`), light and dark.
const LIGHT_CODE_BACKGROUND: [u8; 3] = [0xf6, 0xf8, 0xfa];
const DARK_CODE_BACKGROUND: [u8; 3] = [0x15, 0x1a, 0x21];
/// WCAG AA for normal text is 4.5:1; a little margin survives rounding.
const MIN_CONTRAST: f64 = 4.6;

/// The syntect themes were made for looks, not for WCAG: several token colours (comments, YAML
/// keys) fall under 4.5:1 on the code background. Each colour is moved towards black (light
/// background) or white (dark) just far enough to reach the minimum contrast, keeping its hue.
fn readable(css: &str, background: [u8; 3]) -> String {
    let re = regex::Regex::new(r"(?m)^(\s*color:\s*)#([0-9a-fA-F]{6})(?:[0-9a-fA-F]{2})?").unwrap();
    re.replace_all(css, |caps: &regex::Captures| {
        let hex = &caps[2];
        let rgb = [0, 2, 4].map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap_or(0));
        let [r, g, b] = with_contrast(rgb, background, MIN_CONTRAST);
        format!("{}#{r:02x}{g:02x}{b:02x}", &caps[1])
    })
    .into_owned()
}

fn with_contrast(color: [u8; 3], background: [u8; 3], min: f64) -> [u8; 3] {
    let target = if luminance(background) > 0.5 {
        0.0
    } else {
        255.0
    };
    let mut mixed = color;
    for step in 0..=20 {
        let t = f64::from(step) / 20.0;
        mixed = color.map(|c| (f64::from(c) * (1.0 - t) + target * t).round() as u8);
        if contrast(mixed, background) >= min {
            break;
        }
    }
    mixed
}

fn luminance(rgb: [u8; 3]) -> f64 {
    let channel = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.03928 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(rgb[0]) + 0.7152 * channel(rgb[1]) + 0.0722 * channel(rgb[2])
}

fn contrast(a: [u8; 3], b: [u8; 3]) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// The theme's `pre.code` owns the block background; token rules only colour text.
fn strip_backgrounds(css: &str) -> String {
    css.lines()
        .filter(|l| !l.trim_start().starts_with("background-color"))
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// Prefixes every selector of a flat stylesheet (no nested at-rules) with `scope`.
fn scope(css: &str, scope: &str) -> String {
    let mut out = String::new();
    let without_comments = regex::Regex::new(r"(?s)/\*.*?\*/")
        .unwrap()
        .replace_all(css, "");
    for rule in without_comments.split_inclusive('}') {
        let Some((selectors, body)) = rule.split_once('{') else {
            continue;
        };
        let scoped: Vec<String> = selectors
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| format!("{scope} {s}"))
            .collect();
        if !scoped.is_empty() {
            out.push_str(&scoped.join(", "));
            out.push_str(" {");
            out.push_str(body);
            out.push('\n');
        }
    }
    out
}

/// A file's highlighted lines, each a balanced piece of HTML (spans that run across a line
/// break, a block comment or a string, are closed at its end and opened again on the next), so
/// that each line can be its own element (`#L12` on a source page).
pub fn highlight_lines(code: &str, lang: &str) -> Vec<String> {
    split_lines(&highlight(code, lang))
}

/// Splits highlighted HTML (escaped text and `<span class="…">`/`</span>` only) at its line
/// breaks; a final line break ends the last line rather than starting an empty one.
fn split_lines(html: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut open: Vec<&str> = Vec::new();
    let mut line = String::new();
    let mut rest = html;
    while !rest.is_empty() {
        if rest.starts_with("</span>") {
            open.pop();
            line.push_str("</span>");
            rest = &rest["</span>".len()..];
        } else if rest.starts_with('<') {
            let end = rest.find('>').map_or(rest.len(), |i| i + 1);
            open.push(&rest[..end]);
            line.push_str(&rest[..end]);
            rest = &rest[end..];
        } else if let Some(after) = rest.strip_prefix('\n') {
            line.extend(std::iter::repeat_n("</span>", open.len()));
            lines.push(std::mem::take(&mut line));
            line.extend(open.iter().copied());
            rest = after;
        } else {
            let end = rest.find(['<', '\n']).unwrap_or(rest.len());
            line.push_str(&rest[..end]);
            rest = &rest[end..];
        }
    }
    // After a final line break only the reopened spans are left: no line.
    let has_text = |l: &str| {
        let mut inside = false;
        l.chars().any(|c| {
            let text = !inside && c != '<';
            inside = match c {
                '<' => true,
                '>' => false,
                _ => inside,
            };
            text
        })
    };
    if lines.is_empty() || has_text(&line) {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_language_gets_classes_unknown_is_escaped() {
        let html = highlight("replicas: 3\n", "yaml");
        assert!(html.contains("class=\"hl-"), "{html}");
        assert_eq!(highlight("<x>\n", "no-such-lang"), "&lt;x&gt;\n");
    }

    #[test]
    fn plantuml_has_a_grammar_of_its_own_and_its_text_stays_escaped() {
        let source = "@startuml\n' a comment\n!theme mono\nactor \"사용자<b>\" as U\nU -> S : 로그인 <script>\n/' block\n'/\n@enduml\n";
        let tags = regex::Regex::new("<[^>]*>").unwrap();
        for lang in ["plantuml", "puml", "pu"] {
            let html = highlight(source, lang);
            let text = tags.replace_all(&html, "");
            assert_eq!(text, crate::base::escape_html(source), "{html}");
            for scope in [
                "hl-comment hl-line",
                "hl-keyword hl-control hl-directive",
                "hl-string hl-quoted",
                "hl-keyword hl-operator hl-arrow",
                "hl-comment hl-block",
            ] {
                assert!(html.contains(scope), "{lang}: no {scope} in {html}");
            }
        }
        // Every scope it gives is one the stylesheet colours, in light and dark.
        let css = stylesheet();
        for class in [".hl-comment", ".hl-keyword", ".hl-string"] {
            assert!(css.contains(class), "{class}");
        }
    }

    #[test]
    fn a_remembered_line_is_highlighted_by_the_state_it_starts_in() {
        let code = "let x = 1;\n/*\nlet x = 1;\n*/\nlet x = 1;\n";
        let html = highlight(code, "rust");
        let lines: Vec<&str> = html.split_inclusive('\n').collect();
        // The first line also opens the `source` scope.
        assert!(
            lines[4].contains("hl-storage") && lines[0].ends_with(lines[4]),
            "{html}"
        );
        assert_eq!(lines[2], "let x = 1;\n", "inside the comment: {html}");
        // A second time, every line comes from the memo: the same bytes.
        assert_eq!(highlight(code, "rust"), html);
    }

    #[test]
    fn stylesheet_has_dark_rules_for_both_switches() {
        let css = stylesheet();
        assert!(css.contains(":root[data-theme=dark] .hl-"));
        assert!(css.contains(":root:not([data-theme=light]) .hl-"));
        assert!(!css.contains("background-color"));
    }

    #[test]
    fn every_token_colour_is_readable_on_its_background() {
        let css = stylesheet();
        let (light, dark) = css.split_once("@media").unwrap();
        let re = regex::Regex::new(r"color:\s*#([0-9a-f]{6})").unwrap();
        for (part, bg) in [(light, LIGHT_CODE_BACKGROUND), (dark, DARK_CODE_BACKGROUND)] {
            for caps in re.captures_iter(part) {
                let rgb = [0, 2, 4].map(|i| u8::from_str_radix(&caps[1][i..i + 2], 16).unwrap());
                assert!(contrast(rgb, bg) >= 4.5, "#{} on {bg:?}", &caps[1]);
            }
        }
    }

    #[test]
    fn readable_keeps_good_colours_and_fixes_faint_ones() {
        assert_eq!(
            with_contrast([0x18, 0x36, 0x91], LIGHT_CODE_BACKGROUND, MIN_CONTRAST),
            [0x18, 0x36, 0x91]
        );
        let fixed = with_contrast([0x96, 0x98, 0x96], LIGHT_CODE_BACKGROUND, MIN_CONTRAST);
        assert!(contrast(fixed, LIGHT_CODE_BACKGROUND) >= MIN_CONTRAST);
    }
    #[test]
    fn highlighted_lines_are_balanced_each_on_its_own() {
        let lines = highlight_lines("/* a\nb */\nselect 1;\n", "sql");
        assert_eq!(lines.len(), 3, "{lines:?}");
        for line in &lines {
            assert_eq!(
                line.matches("<span").count(),
                line.matches("</span>").count(),
                "{line}"
            );
            assert!(!line.contains('\n'));
        }
        assert!(
            lines[1].starts_with("<span"),
            "the comment goes on: {}",
            lines[1]
        );
        assert_eq!(highlight_lines("a\nb", "").len(), 2);
        assert_eq!(highlight_lines("a\n\n", "").len(), 2);
        assert_eq!(highlight_lines("", "").len(), 1);
        assert_eq!(split_lines("x &lt; y\n"), ["x &lt; y"]);
    }
}
