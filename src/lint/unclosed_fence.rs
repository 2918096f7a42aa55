//! Lint `unclosed-fence`: a fenced code block that runs to the end of the page without its
//! closing fence usually swallows the rest of the page: say how much it hides.

use super::Site;
use crate::diag::{codes, Diagnostic};
use crate::model::document::Slot;
use crate::model::Page;
use std::ops::Range;
use std::sync::Arc;

pub fn check(site: &Site) -> Vec<Diagnostic> {
    site.pages.iter().flat_map(page_diagnostics).collect()
}

fn page_diagnostics(page: &Page) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    for slot in page.document.slots() {
        if let Slot::Code {
            fenced: true, span, ..
        } = slot
        {
            let range = span.start as usize..span.end as usize;
            diags.extend(unclosed_fence(&page.text, &range, &page.file.display));
        }
    }
    diags
}

fn unclosed_fence(text: &str, range: &Range<usize>, file: &Arc<str>) -> Option<Diagnostic> {
    let (indent, fence) = crate::base::fence::unclosed_fence(text, range)?;
    let block = &text[range.clone()];
    let first_line = block.lines().next()?;
    let hidden: Vec<&str> = block.lines().skip(1).collect();
    let headings = hidden
        .iter()
        .filter(|l| l.trim_start().starts_with('#'))
        .count();
    let links = hidden
        .iter()
        .map(|l| l.matches("](").count())
        .sum::<usize>();
    let start = range.start + indent;
    Some(
        Diagnostic::new(
            codes::UNCLOSED_FENCE,
            format!("this code fence is never closed: it hides the remaining {} lines ({headings} headings, {links} links)", hidden.len()),
        )
        .at(file, start..start + first_line.trim().len())
        .label("opened here")
        .help(format!("add a line {fence} where the code block should end")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SourceFile;

    fn diags(text: &str) -> Vec<Diagnostic> {
        let file = SourceFile {
            rel: "t.md".into(),
            abs: "t.md".into(),
            display: "t.md".into(),
        };
        let page = crate::parse::parse_page(file, text.into(), false)
            .0
            .unwrap();
        page_diagnostics(&page)
    }

    #[test]
    fn unclosed_fence_reports_what_it_hides() {
        let text = "# T\n\n```yaml\na: 1\n## Hidden\n[x](y.md)\n";
        let d = diags(text);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].code, "unclosed-fence");
        assert!(
            d[0].message.contains("3 lines (1 headings, 1 links)"),
            "{}",
            d[0].message
        );
        assert_eq!(&text[d[0].span.clone().unwrap().range], "```yaml");
        assert!(diags("```\ncode\n```\n").is_empty());
        assert!(diags("~~~~\ncode\n~~~~~\n\ntext\n").is_empty());
        assert!(diags("    indented\n    code\n").is_empty());
    }
}
