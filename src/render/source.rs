//! A source page's listing (`model::document::Block::Source`): the highlighted file, one
//! element per line with the id a link targets (`#L12`; the theme's CSS marks the targeted
//! line without JavaScript, and `archsite.js` marks a range `#L12-L20` and makes a shift-click
//! on a second line number choose one), its size and a link to download the file.

use super::highlight::highlight_lines;
use crate::base::escape_html;

/// What the listing says besides the code.
pub struct Labels<'a> {
    /// The file as published, relative to the page.
    pub download_href: &'a str,
    pub download: &'a str,
    /// "{n} lines" in the site's language.
    pub lines: String,
    /// The accessible name of a line number's link, before the number ("Line").
    pub line: &'a str,
    /// Line ranges links name (`L8-L15`): each an id at its first line.
    pub ranges: &'a [String],
}

pub fn listing(lang: &str, text: &str, labels: &Labels) -> String {
    let lines = highlight_lines(text, lang);
    let mut out = String::with_capacity(text.len() * 2 + lines.len() * 96);
    out.push_str(&format!(
        "<div class=\"source-file\">\n<div class=\"source-bar\"><span class=\"source-size\">{}</span><a class=\"button button-quiet source-download\" href=\"{}\" download>{}</a></div>\n",
        escape_html(&labels.lines),
        escape_html(labels.download_href),
        escape_html(labels.download),
    ));
    let lang_attr = if lang.is_empty() {
        String::new()
    } else {
        format!(" data-lang=\"{}\"", escape_html(lang))
    };
    let label = escape_html(labels.line);
    out.push_str(&format!(
        "<pre class=\"code source-code\"{lang_attr}><code>"
    ));
    let mut ranges: Vec<(usize, &str)> = labels
        .ranges
        .iter()
        .filter_map(|r| Some((crate::kinds::source::line_range(r)?.0, r.as_str())))
        .collect();
    ranges.sort_unstable();
    for (i, line) in lines.iter().enumerate() {
        let n = i + 1;
        let starting = ranges.partition_point(|(first, _)| *first < n)
            ..ranges.partition_point(|(first, _)| *first <= n);
        let anchors: String = ranges[starting]
            .iter()
            .map(|(_, r)| format!("<span id=\"{}\"></span>", escape_html(r)))
            .collect();
        // The number is drawn by CSS from `data-line`, so that copying the code copies no
        // line numbers; the link's name says it for screen readers.
        out.push_str(&format!(
            "<span class=\"line\" id=\"L{n}\"><a class=\"ln\" href=\"#L{n}\" data-line=\"{n}\" aria-label=\"{label} {n}\"></a>{anchors}{line}</span>\n"
        ));
    }
    out.push_str("</code></pre>\n</div>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_has_its_anchor_and_the_file_its_download_link() {
        let labels = Labels {
            download_href: "schema.sql",
            download: "Download",
            lines: "3 lines".into(),
            line: "Line",
            ranges: &["L2-L3".to_string()],
        };
        let html = listing("sql", "create table t (\n  id int\n);\n", &labels);
        for n in 1..=3 {
            assert!(html.contains(&format!("id=\"L{n}\"")), "{html}");
            assert!(html.contains(&format!("href=\"#L{n}\"")));
        }
        assert!(!html.contains("id=\"L4\""));
        assert!(html.contains("href=\"schema.sql\" download"));
        // A range a link names has an id at its first line.
        let at = html.find("id=\"L2-L3\"").expect("range anchor");
        assert!(at > html.find("id=\"L2\"").unwrap() && at < html.find("id=\"L3\"").unwrap());
        assert!(html.contains("hl-"), "highlighted: {html}");
    }

    #[test]
    fn the_source_is_escaped() {
        let labels = Labels {
            download_href: "a.txt",
            download: "d",
            lines: "1".into(),
            line: "L",
            ranges: &[],
        };
        let html = listing("", "<script>alert(1)</script>", &labels);
        assert!(!html.contains("<script>"));
        assert!(html.contains("&lt;script&gt;"));
    }
}
