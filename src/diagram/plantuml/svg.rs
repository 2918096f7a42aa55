//! PlantUML's SVG made safe to put in a page, and able to share it with other diagrams.
//!
//! PlantUML passes text and links of a diagram into its SVG (`[[url]]`, `[[javascript:…]]`,
//! labels). Inline SVG is part of the page: anything that runs script there runs on the site.
//! So the SVG is rebuilt from an allowlist: known SVG drawing elements only (no `script`,
//! `foreignObject`, `style`, `iframe`, animation elements that can set `href`), no event
//! handler attributes, links only to `http(s):`, `mailto:`, relative paths and fragments,
//! images only from `data:image/png|jpeg|gif|webp`, styles without `url()` to other places.
//! Comments, processing instructions (`<?plantuml-src …?>`, the diagram's source compressed)
//! and doctypes are dropped. Every `id` gets the diagram's prefix (and references to it,
//! `url(#id)` and `href="#id"`): two diagrams of one page must not share gradient or filter
//! ids.

use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, Writer};

const ELEMENTS: &[&str] = &[
    "svg",
    "g",
    "defs",
    "title",
    "desc",
    "rect",
    "circle",
    "ellipse",
    "line",
    "polyline",
    "polygon",
    "path",
    "text",
    "tspan",
    "textPath",
    "a",
    "linearGradient",
    "radialGradient",
    "stop",
    "filter",
    "feGaussianBlur",
    "feColorMatrix",
    "feOffset",
    "feBlend",
    "feFlood",
    "feComposite",
    "feMerge",
    "feMergeNode",
    "feDropShadow",
    "clipPath",
    "mask",
    "marker",
    "pattern",
    "symbol",
    "use",
    "image",
];

/// Attributes whose value is a URL.
const URL_ATTRIBUTES: &[&str] = &["href", "xlink:href"];

/// The SVG, sanitised, with `prefix` before every id. `None` when it is not well-formed XML.
pub fn sanitise(svg: &str, prefix: &str) -> Option<String> {
    let mut reader = Reader::from_str(svg);
    reader.config_mut().trim_text(false);
    let mut writer = Writer::new(Vec::with_capacity(svg.len()));
    // Depth inside an element that is dropped with everything in it.
    let mut skipping = 0usize;
    let mut open: Vec<bool> = Vec::new();
    loop {
        let event = reader.read_event().ok()?;
        match event {
            Event::Eof => break,
            Event::Start(e) => {
                if skipping > 0 || !allowed(&e) {
                    skipping += 1;
                    continue;
                }
                open.push(true);
                writer.write_event(Event::Start(clean(&e, prefix)?)).ok()?;
            }
            Event::Empty(e) if skipping == 0 && allowed(&e) => {
                writer.write_event(Event::Empty(clean(&e, prefix)?)).ok()?;
            }
            Event::End(e) => {
                if skipping > 0 {
                    skipping -= 1;
                    continue;
                }
                open.pop()?;
                writer.write_event(Event::End(e)).ok()?;
            }
            Event::Text(t) if skipping == 0 && !open.is_empty() => {
                writer.write_event(Event::Text(t)).ok()?;
            }
            Event::GeneralRef(r) if skipping == 0 && !open.is_empty() => {
                writer.write_event(Event::GeneralRef(r)).ok()?;
            }
            Event::CData(c) if skipping == 0 && !open.is_empty() => {
                // Text of an allowed element (a label): written as escaped text.
                let text = String::from_utf8_lossy(&c.into_inner()).to_string();
                writer
                    .write_event(Event::Text(quick_xml::events::BytesText::new(&text)))
                    .ok()?;
            }
            // Comments, processing instructions, doctypes, declarations: dropped.
            _ => {}
        }
    }
    if !open.is_empty() || skipping > 0 {
        return None;
    }
    String::from_utf8(writer.into_inner()).ok()
}

fn allowed(e: &BytesStart) -> bool {
    let name = e.name();
    let name = std::str::from_utf8(name.as_ref()).unwrap_or("");
    ELEMENTS.contains(&name)
}

/// The element with only safe attributes, its ids prefixed.
fn clean<'a>(e: &BytesStart<'a>, prefix: &str) -> Option<BytesStart<'static>> {
    let name = String::from_utf8(e.name().as_ref().to_vec()).ok()?;
    let mut out = BytesStart::new(name.clone());
    for attr in e.attributes().with_checks(false) {
        let attr = attr.ok()?;
        let key = std::str::from_utf8(attr.key.as_ref()).ok()?.to_string();
        let value = attr.unescape_value().ok()?.to_string();
        let lower = key.to_ascii_lowercase();
        if lower.starts_with("on") {
            continue;
        }
        let value = if lower == "id" {
            format!("{prefix}{value}")
        } else if URL_ATTRIBUTES.contains(&lower.as_str()) {
            match safe_url(&value, &name) {
                Some(url) if url.starts_with('#') => format!("#{prefix}{}", &url[1..]),
                Some(url) => url,
                None => continue,
            }
        } else if value.contains("url(") {
            match local_urls(&value, prefix) {
                Some(v) => v,
                None => continue,
            }
        } else {
            value
        };
        if ["style"].contains(&lower.as_str()) && !safe_style(&value) {
            continue;
        }
        out.push_attribute((key.as_str(), value.as_str()));
    }
    Some(out)
}

/// A link or image URL that runs no script: http(s), mailto, a fragment or a relative path;
/// for `image`, a raster `data:` image. Browsers ignore tabs, newlines and leading spaces in
/// a scheme (`java\tscript:`): they are removed before looking.
fn safe_url(url: &str, element: &str) -> Option<String> {
    let compact: String = url
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_control())
        .collect();
    let lower = compact.to_ascii_lowercase();
    if compact.is_empty() {
        // PlantUML's answer to a `javascript:` link: a link to this page, which is no link.
        return None;
    }
    if element == "image" {
        let raster = ["png", "jpeg", "jpg", "gif", "webp"]
            .iter()
            .any(|t| lower.starts_with(&format!("data:image/{t};")));
        return raster.then_some(compact);
    }
    let scheme_end = lower.find(':');
    let path_start = lower.find(['/', '?', '#']);
    match scheme_end {
        Some(colon) if path_start.is_none_or(|p| colon < p) => {
            let scheme = &lower[..colon];
            ["http", "https", "mailto"]
                .contains(&scheme)
                .then(|| url.trim().to_string())
        }
        _ => Some(url.trim().to_string()),
    }
}

/// `url(#id)` references get the prefix; any other `url(…)` (a remote or script URL) makes
/// the value unsafe (`None`).
fn local_urls(value: &str, prefix: &str) -> Option<String> {
    let mut out = String::with_capacity(value.len() + 16);
    let mut rest = value;
    while let Some(i) = rest.find("url(") {
        out.push_str(&rest[..i + 4]);
        rest = &rest[i + 4..];
        let inner = rest.trim_start().trim_start_matches(['"', '\'']);
        let id = inner.strip_prefix('#')?;
        out.push('#');
        out.push_str(prefix);
        rest = id;
    }
    out.push_str(rest);
    Some(out)
}

/// A style attribute without anything that loads or runs (`url(` other than the ids handled
/// above, `expression(`, `javascript:`, `@import`).
fn safe_style(style: &str) -> bool {
    let lower: String = style
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    !(lower.contains("expression(")
        || lower.contains("javascript:")
        || lower.contains("@import")
        || lower.contains("\\")
        || lower.contains("url(") && !lower.contains("url(#"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_handlers_and_script_urls_are_removed() {
        let hostile = r##"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" onload="alert(1)"><?plantuml 1.2026.8?><!-- c --><script>alert(2)</script><foreignObject><div xmlns="http://www.w3.org/1999/xhtml"><img src="x" onerror="alert(3)"/></div></foreignObject><style>body{display:none}</style><defs><filter id="f1"/></defs><g filter="url(#f1)" style="fill:url(http://evil/x)"><a href="javascript:alert(4)" xlink:href="JaVa&#x09;Script:alert(5)"><text onclick="alert(6)">&lt;script&gt;alert(7)&lt;/script&gt;</text></a><a href="https://example.com/a?b=1&amp;c=2"><text>ok</text></a><a xlink:href="#f1"><text>frag</text></a><image href="data:image/svg+xml;base64,PHN2Zy8+"/><image href="data:image/png;base64,iVBO"/><set attributeName="href" to="javascript:alert(8)"/><animate attributeName="href" values="javascript:alert(9)"/></g></svg>"##;
        let clean = sanitise(hostile, "d1-").unwrap();
        for bad in [
            "onload",
            "onclick",
            "onerror",
            "<script",
            "foreignObject",
            "<style",
            "javascript",
            "JaVa",
            "evil",
            "svg+xml",
            "<set",
            "<animate",
            "<?plantuml",
            "<!--",
        ] {
            assert!(!clean.contains(bad), "{bad} in {clean}");
        }
        assert!(
            clean.contains("&lt;script&gt;alert(7)&lt;/script&gt;"),
            "{clean}"
        );
        assert!(clean.contains(r#"<filter id="d1-f1"/>"#), "{clean}");
        assert!(clean.contains(r#"filter="url(#d1-f1)""#), "{clean}");
        assert!(clean.contains(r##"xlink:href="#d1-f1""##), "{clean}");
        assert!(
            clean.contains(r#"href="https://example.com/a?b=1&amp;c=2""#),
            "{clean}"
        );
        assert!(clean.contains("data:image/png;base64,iVBO"), "{clean}");
    }

    #[test]
    fn broken_xml_is_refused() {
        assert_eq!(sanitise("<svg><g></svg>", "p"), None);
        assert_eq!(sanitise("<svg><g>", "p"), None);
    }

    #[test]
    fn relative_and_mail_links_stay() {
        assert_eq!(safe_url("../api.md#x", "a").as_deref(), Some("../api.md#x"));
        assert_eq!(
            safe_url("mailto:a@b.c", "a").as_deref(),
            Some("mailto:a@b.c")
        );
        assert_eq!(safe_url("data:text/html,x", "a"), None);
        assert_eq!(safe_url(" vbscript:x", "a"), None);
        assert_eq!(safe_url("a/b:c", "a").as_deref(), Some("a/b:c"));
    }
}
