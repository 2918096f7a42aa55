//! Results → diagnostics, one set per place a URL is written.

use super::fragment;
use super::http::{status_text, Failure, Outcome, Page, MAX_REDIRECTS};
use super::urls;
use super::{ExternalConfig, ExternalLink};
use crate::diag::codes;
use crate::diag::{closest, Diagnostic};

/// The diagnostics for one occurrence of `url` (written as `link.url`, with `fragment`).
pub fn diagnose(
    link: &ExternalLink,
    url: &str,
    fragment: Option<&str>,
    outcome: &Outcome,
    config: &ExternalConfig,
) -> Vec<Diagnostic> {
    let at = |d: Diagnostic| d.at(&link.span.file, link.span.range.clone());
    match outcome {
        Outcome::Page(page) => page_diagnostics(url, fragment, page, config)
            .into_iter()
            .map(at)
            .collect(),
        Outcome::Failed(failure) => vec![at(failure_diagnostic(url, failure, config))],
    }
}

fn page_diagnostics(
    url: &str,
    fragment: Option<&str>,
    page: &Page,
    config: &ExternalConfig,
) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let with_fragment = |u: &str| match fragment {
        Some(f) => format!("{u}#{f}"),
        None => u.to_string(),
    };
    if let Some(moved) = page.moved_to.as_deref().filter(|m| *m != url) {
        diags.push(
            Diagnostic::new(
                codes::EXTERNAL_REDIRECT,
                format!("`{url}` is permanently redirected to `{moved}`"),
            )
            .label("moved permanently")
            .help(format!("update the link to {}", with_fragment(moved))),
        );
    }
    let anchor = fragment.and_then(fragment::anchor_of);
    let (Some(anchor), true, true, Some(ids)) =
        (anchor, config.check_fragments, page.html, page.ids.as_ref())
    else {
        return diags;
    };
    let github = fragment::is_github(&urls::host_name(&page.final_url));
    if fragment::has_anchor(ids, anchor, github) {
        return diags;
    }
    let decoded = percent_encoding::percent_decode_str(anchor).decode_utf8_lossy();
    let candidates = fragment::suggestions(ids, github);
    let help = match closest(&decoded, candidates.iter().copied()) {
        Some(id) => Some(format!(
            "did you mean `#{id}`? The page has an element with id `{id}`"
        )),
        None if page.truncated => Some(
            "only the first 5 MB of the page were read; the element may be further down".into(),
        ),
        None if ids.is_empty() => Some(
            "the page has no ids at all; it may build its content with JavaScript, \
             in which case add the URL to `external.skip`"
                .into(),
        ),
        None => None,
    };
    diags.push(
        Diagnostic::new(
            codes::EXTERNAL_ANCHOR,
            format!("`{url}` has no element with id or name `{decoded}`"),
        )
        .label("no such anchor on that page")
        .help_opt(help),
    );
    diags
}

fn failure_diagnostic(url: &str, failure: &Failure, config: &ExternalConfig) -> Diagnostic {
    let skip_hint = "if the page works in a browser, the server may be turning the checker \
                     away; add a pattern for it to `external.skip`";
    match failure {
        Failure::Status { status, final_url } => {
            let after = final_url
                .as_deref()
                .map(|f| format!(" (redirected to `{f}`)"))
                .unwrap_or_default();
            let help = match status {
                404 | 410 => Some(
                    "the page is gone or has moved: find its new address, link to an \
                     archived copy, or remove the link",
                ),
                401 | 403 | 429 => Some(skip_hint),
                500.. => Some("the server failed; if this persists, report it to the site"),
                _ => None,
            };
            Diagnostic::new(
                codes::EXTERNAL_BROKEN,
                format!("`{url}` answered {}{after}", status_text(*status)),
            )
            .label(status_text(*status))
            .help_opt(help.map(String::from))
        }
        Failure::Timeout { attempts } => {
            let tries = if *attempts == 1 {
                String::new()
            } else {
                format!(" ({attempts} attempts)")
            };
            Diagnostic::new(
                codes::EXTERNAL_TIMEOUT,
                format!(
                    "`{url}` did not answer within {} s{tries}",
                    config.timeout_secs.max(1)
                ),
            )
            .label("timed out")
            .help("if the server is only slow, raise `external.timeout_secs`")
        }
        Failure::Unreachable(cause) => {
            let diag = Diagnostic::new(
                codes::EXTERNAL_UNREACHABLE,
                format!("`{url}` is unreachable: {cause}"),
            )
            .label("unreachable");
            if cause.starts_with("host not found") {
                diag.help("check the host name for typos")
            } else {
                diag
            }
        }
        Failure::RedirectLoop(chain) => Diagnostic::new(
            codes::EXTERNAL_BROKEN,
            format!("`{url}` redirects in a loop: {}", chain.join(" → ")),
        )
        .label("redirect loop"),
        Failure::TooManyRedirects => Diagnostic::new(
            codes::EXTERNAL_BROKEN,
            format!("`{url}` redirects more than {MAX_REDIRECTS} times"),
        )
        .label("too many redirects"),
        Failure::Invalid(why) => {
            Diagnostic::new(codes::EXTERNAL_BROKEN, format!("`{url}` {why}")).label("invalid URL")
        }
    }
}
