//! A page's Markdown as `parse` read it, once: its events (pulldown-cmark's, adjacent text
//! merged) and what each of them is to the later stages, its [`Slot`]: the n-th heading of the
//! page, the n-th link, a code block that is a data table or a diagram, inline code quoting a
//! value. `render` and `search` read the events and their slots; neither parses the Markdown
//! again nor counts its way through it (a change to what parse finds reaches both).
//!
//! Stored compactly, borrowing from the page's text: an event is 12 bytes, its strings ranges
//! of the page's text (or of a small buffer, for the text the parser made: decoded entities,
//! merged text), and tags with strings (links, headings, code blocks) sit in a side table. At
//! 10,000 generated pages the documents cost ~41 MB beside the pages' 73 MB of text (0.57 of
//! it; 1.5 times on the table-heavy real folders of `tests/fixtures/corpus`); a build frees
//! each as soon as render and search are done with its page ([`Lending`]).

use super::Page;
use pulldown_cmark::{
    Alignment, BlockQuoteKind, CodeBlockKind, CowStr, Event, LinkType, MetadataBlockKind, Tag,
    TagEnd,
};
use std::ops::Range;
use std::sync::{Arc, Mutex};

/// What an event is to the later stages.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Slot {
    /// The start or the end of the page's n-th heading (`Page::headings`).
    Heading(u32),
    /// A link or an image: the page's n-th link (`Page::links`).
    Link(u32),
    /// Text holding path-like words that are links (plain paths in a list item): the page's
    /// links from `first` on, one per range, each the word's byte range in the text.
    Paths {
        first: u32,
        ranges: Box<[Range<u32>]>,
    },
    /// Raw HTML whose `href`/`src` values are links: the page's links from `first` on, one per
    /// range, each the value's byte range in the HTML.
    HtmlLinks {
        first: u32,
        values: Box<[Range<u32>]>,
    },
    /// The start of a code block: what it holds, whether it is fenced (or indented), and its
    /// byte range in the page's text.
    Code {
        block: Block,
        fenced: bool,
        span: Range<u32>,
    },
    /// Inline code quoting a data value (`` `=cost.total.prod` ``): the page's n-th data
    /// directive (`Page::data`).
    Value(u32),
}

/// What a code block holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Block {
    /// A ```` ```table ```` directive: the page's n-th data directive.
    Table(u32),
    /// A diagram: the page's n-th diagram (`Page::diagrams`).
    Diagram(u32),
    /// Code, shown highlighted.
    Code,
    /// A whole source file, shown highlighted with numbered lines that links can target
    /// (`#L12`, `#L12-L20`).
    Source,
}

/// A string of the document: a byte range of the page's text, or (high bit set) of
/// `Document::owned`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Str {
    start: u32,
    end: u32,
}

const OWNED: u32 = 1 << 31;

/// A start tag without strings, stored in place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Simple {
    Paragraph,
    BlockQuote(Option<BlockQuoteKind>),
    HtmlBlock,
    Item,
    DefinitionList,
    DefinitionListTitle,
    DefinitionListDefinition,
    TableHead,
    TableRow,
    TableCell,
    Emphasis,
    Strong,
    Strikethrough,
    Superscript,
    Subscript,
    MetadataBlock(MetadataBlockKind),
}

impl Simple {
    fn of(tag: &Tag) -> Option<Simple> {
        Some(match tag {
            Tag::Paragraph => Simple::Paragraph,
            Tag::BlockQuote(kind) => Simple::BlockQuote(*kind),
            Tag::HtmlBlock => Simple::HtmlBlock,
            Tag::Item => Simple::Item,
            Tag::DefinitionList => Simple::DefinitionList,
            Tag::DefinitionListTitle => Simple::DefinitionListTitle,
            Tag::DefinitionListDefinition => Simple::DefinitionListDefinition,
            Tag::TableHead => Simple::TableHead,
            Tag::TableRow => Simple::TableRow,
            Tag::TableCell => Simple::TableCell,
            Tag::Emphasis => Simple::Emphasis,
            Tag::Strong => Simple::Strong,
            Tag::Strikethrough => Simple::Strikethrough,
            Tag::Superscript => Simple::Superscript,
            Tag::Subscript => Simple::Subscript,
            Tag::MetadataBlock(kind) => Simple::MetadataBlock(*kind),
            Tag::Heading { .. }
            | Tag::CodeBlock(_)
            | Tag::List(_)
            | Tag::FootnoteDefinition(_)
            | Tag::Table(_)
            | Tag::Link { .. }
            | Tag::Image { .. } => return None,
        })
    }

    fn tag(self) -> Tag<'static> {
        match self {
            Simple::Paragraph => Tag::Paragraph,
            Simple::BlockQuote(kind) => Tag::BlockQuote(kind),
            Simple::HtmlBlock => Tag::HtmlBlock,
            Simple::Item => Tag::Item,
            Simple::DefinitionList => Tag::DefinitionList,
            Simple::DefinitionListTitle => Tag::DefinitionListTitle,
            Simple::DefinitionListDefinition => Tag::DefinitionListDefinition,
            Simple::TableHead => Tag::TableHead,
            Simple::TableRow => Tag::TableRow,
            Simple::TableCell => Tag::TableCell,
            Simple::Emphasis => Tag::Emphasis,
            Simple::Strong => Tag::Strong,
            Simple::Strikethrough => Tag::Strikethrough,
            Simple::Superscript => Tag::Superscript,
            Simple::Subscript => Tag::Subscript,
            Simple::MetadataBlock(kind) => Tag::MetadataBlock(kind),
        }
    }
}

/// One event, in 12 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ev {
    Simple(Simple),
    /// A start tag with strings or lists: its index in `Document::tags`.
    Tag(u32),
    End(TagEnd),
    Text(Str),
    Code(Str),
    InlineMath(Str),
    DisplayMath(Str),
    Html(Str),
    InlineHtml(Str),
    FootnoteReference(Str),
    SoftBreak,
    HardBreak,
    Rule,
    TaskListMarker(bool),
}

/// A start tag with strings, stored with them as ranges.
#[derive(Debug, Clone, PartialEq)]
enum Stored {
    Heading {
        level: pulldown_cmark::HeadingLevel,
        id: Option<Str>,
        classes: Box<[Str]>,
        attrs: Box<[(Str, Option<Str>)]>,
    },
    CodeBlock(Option<Str>),
    List(Option<u64>),
    FootnoteDefinition(Str),
    Table(Box<[Alignment]>),
    Link {
        image: bool,
        link_type: LinkType,
        dest_url: Str,
        title: Str,
        id: Str,
    },
}

/// See the module doc.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Document {
    events: Vec<Ev>,
    /// Text the parser made rather than borrowed.
    owned: String,
    tags: Vec<Stored>,
    /// (event position, its slot), by position.
    slots: Vec<(u32, Slot)>,
}

impl Document {
    /// The events, each with its slot, borrowing from `text`, the page's text the document was
    /// built from.
    pub fn events<'a>(
        &'a self,
        text: &'a str,
    ) -> impl Iterator<Item = (Event<'a>, Option<&'a Slot>)> {
        let mut slots = self.slots.iter().peekable();
        self.events.iter().enumerate().map(move |(i, ev)| {
            let slot = slots
                .next_if(|(at, _)| *at as usize == i)
                .map(|(_, slot)| slot);
            (self.event(ev, text), slot)
        })
    }

    /// The events at positions `range`, each with its slot (a page kind's part of its
    /// document: an OpenAPI operation's description).
    pub fn events_in<'a>(
        &'a self,
        text: &'a str,
        range: Range<usize>,
    ) -> impl Iterator<Item = (Event<'a>, Option<&'a Slot>)> {
        let end = range.end.min(self.events.len());
        let start = range.start.min(end);
        let first_slot = self.slots.partition_point(|(at, _)| (*at as usize) < start);
        let mut slots = self.slots[first_slot..].iter().peekable();
        self.events[start..end]
            .iter()
            .enumerate()
            .map(move |(i, ev)| {
                let slot = slots
                    .next_if(|(at, _)| *at as usize == start + i)
                    .map(|(_, slot)| slot);
                (self.event(ev, text), slot)
            })
    }

    /// The slots, in document order.
    pub fn slots(&self) -> impl Iterator<Item = &Slot> {
        self.slots.iter().map(|(_, s)| s)
    }

    pub fn len(&self) -> usize {
        self.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// The bytes the document holds on the heap, beside the page's text (which it borrows).
    pub fn heap_bytes(&self) -> usize {
        use std::mem::{size_of, size_of_val};
        let slots: usize = self
            .slots
            .iter()
            .map(|(_, slot)| match slot {
                Slot::Paths { ranges, .. } => size_of_val(&**ranges),
                Slot::HtmlLinks { values, .. } => size_of_val(&**values),
                _ => 0,
            })
            .sum();
        let tags: usize = self
            .tags
            .iter()
            .map(|tag| match tag {
                Stored::Heading { classes, attrs, .. } => {
                    size_of_val(&**classes) + size_of_val(&**attrs)
                }
                Stored::Table(alignments) => size_of_val(&**alignments),
                _ => 0,
            })
            .sum();
        self.events.capacity() * size_of::<Ev>()
            + self.owned.capacity()
            + self.tags.capacity() * size_of::<Stored>()
            + self.slots.capacity() * size_of::<(u32, Slot)>()
            + slots
            + tags
    }

    fn str<'a>(&'a self, s: Str, text: &'a str) -> CowStr<'a> {
        let str = if s.start & OWNED != 0 {
            &self.owned[(s.start & !OWNED) as usize..(s.end & !OWNED) as usize]
        } else {
            &text[s.start as usize..s.end as usize]
        };
        CowStr::Borrowed(str)
    }

    fn event<'a>(&'a self, ev: &Ev, text: &'a str) -> Event<'a> {
        let s = |s: Str| self.str(s, text);
        match *ev {
            Ev::Simple(t) => Event::Start(t.tag()),
            Ev::Tag(i) => Event::Start(self.tag(&self.tags[i as usize], text)),
            Ev::End(end) => Event::End(end),
            Ev::Text(t) => Event::Text(s(t)),
            Ev::Code(t) => Event::Code(s(t)),
            Ev::InlineMath(t) => Event::InlineMath(s(t)),
            Ev::DisplayMath(t) => Event::DisplayMath(s(t)),
            Ev::Html(t) => Event::Html(s(t)),
            Ev::InlineHtml(t) => Event::InlineHtml(s(t)),
            Ev::FootnoteReference(t) => Event::FootnoteReference(s(t)),
            Ev::SoftBreak => Event::SoftBreak,
            Ev::HardBreak => Event::HardBreak,
            Ev::Rule => Event::Rule,
            Ev::TaskListMarker(checked) => Event::TaskListMarker(checked),
        }
    }

    fn tag<'a>(&'a self, stored: &Stored, text: &'a str) -> Tag<'a> {
        let s = |s: Str| self.str(s, text);
        match stored {
            Stored::Heading {
                level,
                id,
                classes,
                attrs,
            } => Tag::Heading {
                level: *level,
                id: id.map(s),
                classes: classes.iter().map(|c| s(*c)).collect(),
                attrs: attrs.iter().map(|(k, v)| (s(*k), v.map(s))).collect(),
            },
            Stored::CodeBlock(None) => Tag::CodeBlock(CodeBlockKind::Indented),
            Stored::CodeBlock(Some(info)) => Tag::CodeBlock(CodeBlockKind::Fenced(s(*info))),
            Stored::List(start) => Tag::List(*start),
            Stored::FootnoteDefinition(label) => Tag::FootnoteDefinition(s(*label)),
            Stored::Table(alignments) => Tag::Table(alignments.to_vec()),
            Stored::Link {
                image,
                link_type,
                dest_url,
                title,
                id,
            } => {
                let (link_type, dest_url, title, id) =
                    (*link_type, s(*dest_url), s(*title), s(*id));
                if *image {
                    Tag::Image {
                        link_type,
                        dest_url,
                        title,
                        id,
                    }
                } else {
                    Tag::Link {
                        link_type,
                        dest_url,
                        title,
                        id,
                    }
                }
            }
        }
    }
}

/// The pages' documents while `render` and `search` read them. A build that keeps nothing for
/// later lends them out of the pages, and each is freed as soon as the last of its readers is
/// done with its page rather than when the whole site is: at 10,000 pages the documents are
/// ~40 MB, and they were all held through the build's peak (the search index's merge). The
/// preview keeps its pages for the next build, so its documents stay in them (`Lending::default`).
/// Whatever reads a document must do so through `document` before its reader's `done`: the
/// home page's descriptions are made during render's pass for that reason.
#[derive(Debug, Default)]
pub struct Lending {
    /// Per page: how many readers are not done with it, and its document until none is.
    slots: Vec<Mutex<(u8, Option<Arc<Document>>)>>,
}

impl Lending {
    /// Takes every page's document out of `pages` (each page keeps an empty one), lent to
    /// `readers` readers that each say `done` once per page.
    pub fn take(pages: &mut [Page], readers: u8) -> Lending {
        let empty = Arc::new(Document::default());
        Lending {
            slots: pages
                .iter_mut()
                .map(|page| {
                    let document = std::mem::replace(&mut page.document, empty.clone());
                    Mutex::new((readers, Some(document)))
                })
                .collect(),
        }
    }

    /// Whether the documents are lent (else they are read in the pages).
    pub fn is_lent(&self) -> bool {
        !self.slots.is_empty()
    }

    /// Page `id`'s document: lent, or in the page when nothing is lent.
    pub fn document(&self, pages: &[Page], id: usize) -> Arc<Document> {
        match self.slots.get(id) {
            Some(slot) => lock(slot)
                .1
                .clone()
                .expect("a reader reads a page's document before it is done with the page"),
            None => pages[id].document.clone(),
        }
    }

    /// One reader is done with page `id`; after the last one, its document is freed (once
    /// the reader that still holds it lets go).
    pub fn done(&self, id: usize) {
        let Some(slot) = self.slots.get(id) else {
            return;
        };
        let freed = {
            let mut slot = lock(slot);
            slot.0 = slot.0.saturating_sub(1);
            if slot.0 == 0 {
                slot.1.take()
            } else {
                None
            }
        };
        // Dropped outside the lock.
        drop(freed);
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A reader that panicked left the slot as it was: still a valid state.
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The longest text a document can be built from (its ranges are 31-bit).
pub const MAX_TEXT: usize = (OWNED - 1) as usize;

/// Builds a document from the events of a page's text (at most `MAX_TEXT` bytes), as `parse`
/// reads them.
pub struct Builder<'t> {
    text: &'t str,
    doc: Document,
}

impl<'t> Builder<'t> {
    pub fn new(text: &'t str) -> Self {
        Builder {
            text,
            doc: Document::default(),
        }
    }

    /// The position the next event will have.
    pub fn next_position(&self) -> u32 {
        self.doc.events.len() as u32
    }

    /// Gives the event at `position` its slot (positions in increasing order).
    pub fn slot(&mut self, position: u32, slot: Slot) {
        debug_assert!(self.doc.slots.last().is_none_or(|(at, _)| *at < position));
        self.doc.slots.push((position, slot));
    }

    pub fn push(&mut self, event: Event<'t>) {
        let ev = match event {
            Event::Start(tag) => match Simple::of(&tag) {
                Some(simple) => Ev::Simple(simple),
                None => {
                    let stored = self.store_tag(tag);
                    self.doc.tags.push(stored);
                    Ev::Tag(self.doc.tags.len() as u32 - 1)
                }
            },
            Event::End(end) => Ev::End(end),
            Event::Text(t) => Ev::Text(self.str(t)),
            Event::Code(t) => Ev::Code(self.str(t)),
            Event::InlineMath(t) => Ev::InlineMath(self.str(t)),
            Event::DisplayMath(t) => Ev::DisplayMath(self.str(t)),
            Event::Html(t) => Ev::Html(self.str(t)),
            Event::InlineHtml(t) => Ev::InlineHtml(self.str(t)),
            Event::FootnoteReference(t) => Ev::FootnoteReference(self.str(t)),
            Event::SoftBreak => Ev::SoftBreak,
            Event::HardBreak => Ev::HardBreak,
            Event::Rule => Ev::Rule,
            Event::TaskListMarker(checked) => Ev::TaskListMarker(checked),
        };
        self.doc.events.push(ev);
    }

    /// The document, each of its lists copied to its exact length: `shrink_to_fit` would leave
    /// a list at least half full where it is (mimalloc's `realloc` does not move it), and a
    /// list grown by doubling always is.
    pub fn finish(self) -> Document {
        let doc = self.doc;
        Document {
            events: doc.events.as_slice().to_vec(),
            owned: doc.owned.as_str().to_owned(),
            tags: doc.tags.as_slice().to_vec(),
            slots: doc.slots.as_slice().to_vec(),
        }
    }

    /// A string the parser borrowed from the text is stored as its range; any other is copied.
    /// Ranges are below 2 GiB: `MAX_TEXT` bounds the text, and the text the parser makes
    /// (merged or decoded text) is never longer than the text it comes from.
    fn str(&mut self, s: CowStr<'t>) -> Str {
        let base = self.text.as_ptr() as usize;
        if let CowStr::Borrowed(b) = s {
            let at = (b.as_ptr() as usize).wrapping_sub(base);
            let end = at + b.len();
            if at <= self.text.len() && end <= self.text.len() {
                return Str {
                    start: at as u32,
                    end: end as u32,
                };
            }
        }
        let start = self.doc.owned.len();
        self.doc.owned.push_str(&s);
        let end = self.doc.owned.len();
        debug_assert!(end < OWNED as usize);
        Str {
            start: start as u32 | OWNED,
            end: end as u32 | OWNED,
        }
    }

    fn store_tag(&mut self, tag: Tag<'t>) -> Stored {
        match tag {
            Tag::Heading {
                level,
                id,
                classes,
                attrs,
            } => Stored::Heading {
                level,
                id: id.map(|i| self.str(i)),
                classes: classes.into_iter().map(|c| self.str(c)).collect(),
                attrs: attrs
                    .into_iter()
                    .map(|(k, v)| (self.str(k), v.map(|v| self.str(v))))
                    .collect(),
            },
            Tag::CodeBlock(CodeBlockKind::Indented) => Stored::CodeBlock(None),
            Tag::CodeBlock(CodeBlockKind::Fenced(info)) => Stored::CodeBlock(Some(self.str(info))),
            Tag::List(start) => Stored::List(start),
            Tag::FootnoteDefinition(label) => Stored::FootnoteDefinition(self.str(label)),
            Tag::Table(alignments) => Stored::Table(alignments.into()),
            Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            } => Stored::Link {
                image: false,
                link_type,
                dest_url: self.str(dest_url),
                title: self.str(title),
                id: self.str(id),
            },
            Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            } => Stored::Link {
                image: true,
                link_type,
                dest_url: self.str(dest_url),
                title: self.str(title),
                id: self.str(id),
            },
            // Simple tags are stored in place (`Simple::of`); never here.
            other => unreachable!("a tag without strings: {other:?}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pulldown_cmark::{Options, Parser};

    #[test]
    fn an_event_is_twelve_bytes() {
        assert!(
            std::mem::size_of::<Ev>() <= 12,
            "{}",
            std::mem::size_of::<Ev>()
        );
    }

    proptest::proptest! {
        /// The stored events are the parser's, whatever the Markdown.
        #[test]
        fn events_come_back_as_the_parser_gave_them(
            text in "([-*_`#>\\[\\]()!|:\\\\&<a-z0-9 ]{0,12}\n?){0,12}"
        ) {
            let options = Options::all();
            let mut builder = Builder::new(&text);
            for event in Parser::new_ext(&text, options) {
                builder.push(event);
            }
            let doc = builder.finish();
            let stored: Vec<Event> = doc.events(&text).map(|(e, _)| e).collect();
            let parsed: Vec<Event> = Parser::new_ext(&text, options).collect();
            proptest::prop_assert_eq!(stored, parsed);
        }
    }
}
