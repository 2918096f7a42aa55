//! Source pages: every text file of a known source or configuration extension (`.sql`,
//! `.yaml`, `.json`, `.sh`, `.py`, …, [`EXTENSIONS`]) gets a page beside it (`schema.sql` →
//! `schema.sql.html`) showing the highlighted source with numbered lines (`#L12`, `#L12-L20`),
//! a download link and the pages that link to it; the raw file is still published. Links to
//! the file go to the page, and links to `schema.sql#L12` are checked against its line count.
//!
//! The rule is by extension, not by who links to it: a design folder's schemas and configs
//! are worth reading whether or not a document names them yet, and the decision is made
//! before any page is parsed. Not claimed: data files (`data/**/*.yaml`, they make tables),
//! files another kind takes first (an OpenAPI spec), files that are not UTF-8 or hold a NUL
//! byte (binary), files over [`MAX_BYTES`], and scripts and styles a page loads (`.js`,
//! `.css`, `.html`), whose links must stay links to the file.

use super::Kind;
use crate::diag::Diagnostic;
use crate::model::document::{Block, Builder, Slot};
use crate::model::{Page, PageKind, SourceFile};
use pulldown_cmark::{CodeBlockKind, CowStr, Event, Tag, TagEnd};
use std::sync::Arc;

pub struct SourceText;

/// Extensions that get a source page, and the highlighting language of each (the token
/// syntect knows it by; empty: shown as plain text).
pub const EXTENSIONS: &[(&str, &str)] = &[
    ("sql", "sql"),
    ("psql", "sql"),
    ("pgsql", "sql"),
    ("ddl", "sql"),
    ("yaml", "yaml"),
    ("yml", "yaml"),
    ("json", "json"),
    ("sh", "sh"),
    ("bash", "sh"),
    ("zsh", "sh"),
    ("txt", ""),
    ("toml", ""),
    ("ini", ""),
    ("conf", ""),
    ("cfg", ""),
    ("properties", ""),
    ("env", ""),
    ("py", "py"),
    ("java", "java"),
    ("kt", ""),
    ("scala", "scala"),
    ("go", "go"),
    ("rs", "rs"),
    ("rb", "rb"),
    ("ts", "js"),
    ("tsx", "js"),
    ("c", "c"),
    ("h", "c"),
    ("cpp", "cpp"),
    ("cs", "cs"),
    ("php", "php"),
    ("lua", "lua"),
    ("xml", "xml"),
    ("proto", ""),
    ("graphql", ""),
    ("gql", ""),
    ("tf", ""),
    ("hcl", ""),
    ("gradle", "groovy"),
    ("dockerfile", ""),
    ("csv", ""),
    ("log", ""),
];

/// Beyond this a file is published as it is, without a page (a dump or a log, not a source
/// someone reads line by line).
pub const MAX_BYTES: usize = 1 << 20;

/// The highlighting language of a file this kind claims.
pub fn language(rel: &str) -> Option<&'static str> {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let (_, ext) = name.rsplit_once('.')?;
    let ext = ext.to_ascii_lowercase();
    EXTENSIONS
        .iter()
        .find(|(e, _)| *e == ext)
        .map(|(_, lang)| *lang)
}

impl Kind for SourceText {
    fn page_kind(&self) -> PageKind {
        PageKind::Source
    }

    fn claims(&self, rel: &str) -> bool {
        language(rel).is_some() && !crate::model::data::is_data_file(rel)
    }

    fn accepts(&self, text: &str) -> bool {
        text.len() <= MAX_BYTES && !text.contains('\0')
    }

    fn optional(&self) -> bool {
        true
    }

    fn max_bytes(&self) -> Option<u64> {
        Some(MAX_BYTES as u64)
    }

    fn url(&self, rel: &str) -> String {
        format!("{rel}.html")
    }

    fn parse(&self, file: SourceFile, text: Arc<str>) -> (Page, Vec<Diagnostic>) {
        (page(file, text), Vec::new())
    }

    fn check_anchor(&self, page: &Page, fragment: &str) -> Option<Result<(), (String, String)>> {
        let lines = line_count(&page.text);
        let name = &page.file.rel;
        let help = || {
            format!("`{name}` has {lines} lines; link to `#L1` … `#L{lines}`, or a range such as `#L1-L{}`", lines.min(5))
        };
        Some(match line_range(fragment) {
            None => Err((
                format!(
                    "`{name}` has no anchor `#{fragment}`: a source page's anchors are its lines"
                ),
                help(),
            )),
            Some((a, b)) if a == 0 || b < a => Err((
                format!("`#{fragment}` is not a range of lines of `{name}`"),
                help(),
            )),
            Some((_, b)) if b > lines => Err((
                format!("`{name}` has {lines} lines: `#{fragment}` is past its end"),
                help(),
            )),
            Some(_) => Ok(()),
        })
    }
}

/// The lines a fragment names: `L12` → (12, 12), `L12-L20` (or `L12-20`) → (12, 20).
pub fn line_range(fragment: &str) -> Option<(usize, usize)> {
    let number = |s: &str| {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<usize>().ok())
            .flatten()
    };
    let rest = fragment.strip_prefix('L')?;
    match rest.split_once('-') {
        None => number(rest).map(|n| (n, n)),
        Some((a, b)) => Some((number(a)?, number(b.strip_prefix('L').unwrap_or(b))?)),
    }
}

/// The lines of a file as an editor numbers them (a final newline ends the last line).
pub fn line_count(text: &str) -> usize {
    let newlines = text.matches('\n').count();
    if text.is_empty() || text.ends_with('\n') {
        newlines.max(1)
    } else {
        newlines + 1
    }
}

/// A source file's page: titled by its file name, its document one code block (the whole
/// file) that render shows with numbered lines and search indexes as code.
fn page(file: SourceFile, text: Arc<str>) -> Page {
    let title = file.rel.rsplit('/').next().unwrap_or(&file.rel).to_string();
    let lang = language(&file.rel).unwrap_or("");
    let mut doc = Builder::new(&text);
    doc.slot(
        0,
        Slot::Code {
            block: Block::Source,
            fenced: false,
            span: 0..text.len() as u32,
        },
    );
    doc.push(Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(
        CowStr::from(lang.to_string()),
    ))));
    doc.push(Event::Text(CowStr::Borrowed(&text)));
    doc.push(Event::End(TagEnd::CodeBlock));
    let document = doc.finish();
    let mut letters = (0, 0);
    crate::base::text::count_letters(&text, &mut letters);
    Page {
        diagrams: Arc::new([]),
        file,
        body_start: 0,
        front: Default::default(),
        title,
        has_h1: false,
        headings: Arc::new([]),
        links: Arc::new([]),
        anchors: Arc::new([]),
        letters,
        data: Arc::new([]),
        document: Arc::new(document),
        kind: PageKind::Source,
        api: None,
        text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(rel: &str, text: &str) -> Page {
        let file = SourceFile {
            rel: rel.into(),
            abs: rel.into(),
            display: format!("content/{rel}").into(),
        };
        SourceText.parse(file, text.into()).0
    }

    #[test]
    fn claims_source_extensions_but_not_data_files_scripts_or_binary() {
        assert!(SourceText.claims("database/schema.sql"));
        assert!(SourceText.claims("db/Schema.PSQL"));
        assert!(SourceText.claims("config/app.yaml"));
        assert!(!SourceText.claims("data/cost.yaml"), "a data table");
        assert!(!SourceText.claims("assets/app.js"));
        assert!(!SourceText.claims("a.html"));
        assert!(!SourceText.claims("logo.png"));
        assert!(!SourceText.claims("Makefile"));
        assert!(SourceText.accepts("select 1;\n"));
        assert!(!SourceText.accepts("PNG\0\0"));
        assert!(!SourceText.accepts(&"x".repeat(MAX_BYTES + 1)));
        // What load reads at all: a huge source file is not, a huge diagram file still is
        // (its kind has no limit, and it is reported, not skipped).
        let max = MAX_BYTES as u64;
        assert!(crate::kinds::reads("db/a.sql", max));
        assert!(!crate::kinds::reads("db/a.sql", max + 1));
        assert!(crate::kinds::reads("d/a.mmd", max * 10));
        assert!(!crate::kinds::reads("logo.png", 1));
    }

    #[test]
    fn line_anchors_are_checked_against_the_line_count() {
        let page = source("db/a.sql", "select 1;\nselect 2;\nselect 3;\n");
        let check = |f: &str| SourceText.check_anchor(&page, f).unwrap();
        assert!(check("L1").is_ok());
        assert!(check("L3").is_ok());
        assert!(check("L2-L3").is_ok());
        assert!(check("L2-3").is_ok());
        let past = check("L4").unwrap_err();
        assert_eq!(past.0, "`db/a.sql` has 3 lines: `#L4` is past its end");
        assert!(past.1.contains("#L3"), "{}", past.1);
        assert!(check("L2-L9").is_err());
        assert!(check("L0").is_err());
        assert!(check("L3-L2").is_err());
        assert!(check("users").unwrap_err().0.contains("its lines"));
    }

    #[test]
    fn lines_are_counted_as_an_editor_numbers_them() {
        assert_eq!(line_count(""), 1);
        assert_eq!(line_count("a"), 1);
        assert_eq!(line_count("a\n"), 1);
        assert_eq!(line_count("a\nb"), 2);
        assert_eq!(line_count("a\n\n"), 2);
    }

    #[test]
    fn a_source_page_is_titled_by_its_file_name() {
        let page = source("database/schema.sql", "create table t (id int);\n");
        assert_eq!(page.title, "schema.sql");
        assert_eq!(page.kind, PageKind::Source);
        assert!(page.links.is_empty());
    }
}
