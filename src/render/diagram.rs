//! The HTML of a diagram, whatever its language: a `<figure>` with the diagram in a
//! `<div class="diagram-canvas">` (for a language drawn in the browser, its escaped source in
//! a `<pre class="{language}">` that the theme's `diagram.js` turns into an SVG with the
//! language's script, e.g. mermaid.js; for one drawn at build time, its SVG), pan, zoom and full
//! screen from `diagram.js`, and the source in a `<details>` below; or, when the build-time
//! check rejected it, the engine's error with the source and the offending line marked, in
//! place of the diagram.

use super::i18n::Words;
use crate::base::escape_html;
use crate::diagram::{Drawing, Language, Verdict};

/// What a diagram figure shows besides the diagram.
#[derive(Default)]
pub struct FigureExtras<'a> {
    /// `![caption](x.mmd)`: the caption.
    pub caption: Option<&'a str>,
    /// `(href, label)` of the diagram's own page, for embedded `.mmd` files.
    pub page_link: Option<(&'a str, &'a str)>,
    /// `(href, label)` of the raw file, on a diagram page.
    pub download: Option<(&'a str, &'a str)>,
    /// Keep the source open (a diagram page is about its source too).
    pub source_open: bool,
    /// The line of the page's file where the diagram's first line is (1 for a `.mmd` file),
    /// so that an error box speaks the file's numbering, as the terminal does.
    pub first_line: usize,
    /// The links written in the diagram, as (destination as written, href to write): a
    /// drawing made at build time gets the resolved hrefs (`x.md` → `x.html`).
    pub links: &'a [(String, String)],
}

pub fn figure(
    language: &Language,
    source: &str,
    verdict: Option<&Verdict>,
    words: &Words,
    extras: &FigureExtras,
) -> String {
    let escaped = escape_html(source);
    let mut out = String::with_capacity(source.len() * 2 + 600);
    match verdict {
        Some(Verdict::Invalid(e)) => {
            error_box(&mut out, language, source, e, words, extras.first_line)
        }
        _ => {
            out.push_str(&format!(
                "<figure class=\"diagram\" data-diagram data-zoom-in=\"{}\" data-zoom-out=\"{}\" data-reset=\"{}\" data-fullscreen=\"{}\" data-close=\"{}\" data-label=\"{}\" data-render-error=\"{}\" data-pan-hint=\"{}\">\n",
                words.diagram_zoom_in,
                words.diagram_zoom_out,
                words.diagram_reset,
                words.diagram_fullscreen,
                words.diagram_close,
                words.diagram_label,
                words.diagram_render_error,
                words.diagram_pan_hint,
            ));
            match (language.drawing, verdict) {
                (Drawing::Svg, Some(Verdict::Valid { svg: Some(svg), .. })) => {
                    out.push_str(&format!(
                        "<div class=\"diagram-canvas diagram-built\">{}</div>\n",
                        with_hrefs(svg, extras.links)
                    ))
                }
                // Drawn at build time, but not drawn (no PlantUML on this machine): the source
                // below, open, and a short note in place of the drawing.
                (Drawing::Svg, _) => out.push_str(&format!(
                    "<p class=\"diagram-not-drawn\" role=\"note\">{}</p>\n",
                    words.diagram_not_drawn
                )),
                _ => out.push_str(&format!(
                    "<div class=\"diagram-canvas\"><pre class=\"{}\">{escaped}</pre></div>\n",
                    language.name
                )),
            }
        }
    }
    let mut caption = Vec::new();
    if let Some(c) = extras.caption.filter(|c| !c.trim().is_empty()) {
        caption.push(format!(
            "<span class=\"diagram-caption\">{}</span>",
            escape_html(c)
        ));
    }
    for (href, label) in [extras.page_link, extras.download].into_iter().flatten() {
        caption.push(format!(
            "<a href=\"{}\">{}</a>",
            escape_html(href),
            escape_html(label)
        ));
    }
    if !caption.is_empty() {
        out.push_str(&format!(
            "<figcaption>{}</figcaption>\n",
            caption.join("<span aria-hidden=\"true\"> · </span>")
        ));
    }
    if !matches!(verdict, Some(Verdict::Invalid(_))) {
        let not_drawn = language.drawing == Drawing::Svg
            && !matches!(verdict, Some(Verdict::Valid { svg: Some(_), .. }));
        // Highlighted where the site has a grammar for the language (PlantUML: its own; none
        // for Mermaid, whose source stays plain escaped text).
        out.push_str(&format!(
            "<details class=\"diagram-source\"{}><summary>{}</summary><pre class=\"code\" data-lang=\"{}\"><code>{}</code></pre></details>\n",
            if extras.source_open || not_drawn { " open" } else { "" },
            words.diagram_source,
            language.name,
            super::highlight::highlight(source, language.name),
        ));
    }
    out.push_str("</figure>\n");
    out
}

/// The SVG with each link's `href` and `xlink:href` as resolved (both are written escaped).
fn with_hrefs(svg: &str, links: &[(String, String)]) -> String {
    let mut svg = svg.to_string();
    for (dest, href) in links {
        if dest != href {
            svg = svg.replace(
                &format!("href=\"{}\"", escape_html(dest)),
                &format!("href=\"{}\"", escape_html(href)),
            );
        }
    }
    svg
}

/// The engine's error in place of the drawing, and the source with the file's line numbers
/// and the line to fix marked. Every number is a line of the file (`first_line` is the
/// diagram's first).
fn error_box(
    out: &mut String,
    language: &Language,
    source: &str,
    e: &crate::diagram::DiagramError,
    words: &Words,
    first_line: usize,
) {
    let offset = first_line.max(1) - 1;
    out.push_str("<figure class=\"diagram diagram-invalid\">\n");
    out.push_str(&format!(
        "<div class=\"diagram-error\" role=\"note\"><p><strong>{}</strong> ({} {}): {}</p>",
        words.diagram_error,
        words.diagram_line,
        e.line + offset,
        escape_html(&e.message),
    ));
    if let Some(help) = &e.help {
        out.push_str(&format!(
            "<p class=\"diagram-error-help\">{}</p>",
            escape_html(help)
        ));
    }
    out.push_str(&format!(
        "<pre class=\"diagram-error-detail\">{}</pre></div>\n",
        escape_html(&(language.renumber)(&e.detail, &|n| n + offset))
    ));
    out.push_str("<pre class=\"code diagram-error-source\"><code>");
    for (i, line) in source.lines().enumerate() {
        let number = format!(
            "<span class=\"line-number\" aria-hidden=\"true\">{}</span>",
            i + 1 + offset
        );
        let text = escape_html(line);
        if i + 1 == e.line {
            out.push_str(&format!(
                "<mark class=\"diagram-error-line\">{number}{text}</mark>\n"
            ));
        } else {
            out.push_str(&number);
            out.push_str(&text);
            out.push('\n');
        }
    }
    out.push_str("</code></pre>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Lang;
    use crate::diagram::DiagramError;

    #[test]
    fn a_valid_diagram_is_escaped_once_for_mermaid_and_once_as_source() {
        let words = super::super::i18n::words(Lang::En);
        let html = figure(
            &crate::diagram::MERMAID,
            "graph TB\nA[\"<b>\"] --> B\n",
            None,
            &words,
            &FigureExtras::default(),
        );
        assert!(
            html.contains(
                "<pre class=\"mermaid\">graph TB\nA[&quot;&lt;b&gt;&quot;] --&gt; B\n</pre>"
            ),
            "{html}"
        );
        assert!(html.contains("<details class=\"diagram-source\">"));
        assert!(!html.contains("<b>"));
    }

    #[test]
    fn an_invalid_diagram_shows_the_error_and_marks_its_line() {
        let words = super::super::i18n::words(Lang::Ko);
        let verdict = Verdict::Invalid(DiagramError {
            message: "Mermaid syntax error: unexpected `-`".into(),
            line: 2,
            column: None,
            label: String::new(),
            help: Some("mermaid expected an arrow".into()),
            detail: "Parse error on line 2: <script>".into(),
        });
        // The diagram starts at line 7 of its Markdown file: every number is the file's.
        let extras = FigureExtras {
            first_line: 7,
            ..FigureExtras::default()
        };
        let html = figure(
            &crate::diagram::MERMAID,
            "graph TB\n  B -> C\n",
            Some(&verdict),
            &words,
            &extras,
        );
        assert!(
            html.contains("<mark class=\"diagram-error-line\"><span class=\"line-number\" aria-hidden=\"true\">8</span>  B -&gt; C</mark>"),
            "{html}"
        );
        assert!(html.contains("<span class=\"line-number\" aria-hidden=\"true\">7</span>graph TB"));
        assert!(html.contains("(줄 8)"), "{html}");
        assert!(
            html.contains("Parse error on line 8: &lt;script&gt;"),
            "{html}"
        );
        assert!(
            !html.contains("class=\"mermaid\""),
            "no diagram to draw: {html}"
        );
    }

    #[test]
    fn mermaid_line_numbers_are_rewritten() {
        let shifted = (crate::diagram::MERMAID.renumber)(
            "Lexer error on line 3, column 14: x. Parse error on line 12: y; on line z",
            &|n| n + 10,
        );
        assert_eq!(
            shifted,
            "Lexer error on line 13, column 14: x. Parse error on line 22: y; on line z"
        );
    }

    #[test]
    fn a_language_drawn_at_build_time_puts_its_svg_in_the_figure() {
        // PlantUML's: the SVG comes with the verdict.
        let words = super::super::i18n::words(Lang::En);
        let verdict = Verdict::Valid {
            kind: "sequence".into(),
            svg: Some("<svg><text>A &amp; B</text></svg>".into()),
        };
        let html = figure(
            &crate::diagram::PLANTUML,
            "@startuml\nA -> B\n@enduml\n",
            Some(&verdict),
            &words,
            &FigureExtras::default(),
        );
        assert!(
            html.contains("<div class=\"diagram-canvas diagram-built\"><svg><text>A &amp; B</text></svg></div>"),
            "{html}"
        );
        // Not drawn (no PlantUML): a note, and the source open.
        let html = figure(
            &crate::diagram::PLANTUML,
            "@startuml\nA -> B\n@enduml\n",
            None,
            &words,
            &FigureExtras::default(),
        );
        assert!(html.contains("class=\"diagram-not-drawn\""), "{html}");
        assert!(
            html.contains("<details class=\"diagram-source\" open>"),
            "{html}"
        );
        assert!(!html.contains("<svg"), "{html}");
        // The source highlighted (PlantUML has the site's own grammar), its text intact.
        let code = html
            .split_once("data-lang=\"plantuml\"><code>")
            .and_then(|(_, rest)| rest.split_once("</code>"))
            .map(|(code, _)| code)
            .expect("the source's code element");
        assert!(
            code.contains("<span class=\"hl-keyword hl-control"),
            "{code}"
        );
        let text = regex::Regex::new("<[^>]*>").unwrap().replace_all(code, "");
        assert_eq!(text, "@startuml\nA -&gt; B\n@enduml\n");
    }
}
