//! External link checking (`archsite check --external`): every `http(s)` link of the site is
//! fetched once per run (per URL without its fragment), with per-host and overall concurrency
//! limits, timeouts, retries with backoff, redirects followed by hand (to tell permanent ones
//! apart), fragments checked against the ids of HTML pages, and successful results cached on
//! disk for `cache_hours`. Every problem is reported at every place the URL is written.
//!
//! - `urls`: splitting, resolving `Location`s, hosts;
//! - `http`: one URL's check: requests, redirects, retries;
//! - `pool`: the per-host limiter and work queue;
//! - `cache`: the JSON cache file;
//! - `fragment`: ids of an HTML page and fragment matching;
//! - `report`: results → diagnostics.

mod cache;
mod fragment;
mod http;
mod pool;
mod report;
mod urls;

use crate::diag::codes;
use crate::diag::{sorted, Diagnostic, Span};
use http::{Fetcher, Outcome};
use pool::HostLimiter;
use regex::Regex;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

/// One external link as written in a source file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalLink {
    pub url: String,
    /// Where the link is written.
    pub span: Span,
}

/// The `external:` section of `archsite.yaml`.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ExternalConfig {
    /// Regexes; matching URLs are not checked.
    pub skip: Vec<String>,
    /// If non-empty, only matching URLs are checked.
    pub allow: Vec<String>,
    /// Per request (and per redirect hop).
    pub timeout_secs: u64,
    /// Extra attempts for timeouts, connection errors, 429 and 5xx.
    pub retries: u32,
    /// Requests in flight overall.
    pub concurrency: usize,
    /// Requests in flight per host (`host:port`).
    pub per_host: usize,
    /// How long a successful result stays valid in the cache; 0 disables the cache.
    pub cache_hours: u64,
    /// Check `#fragment`s against the ids of HTML pages.
    pub check_fragments: bool,
}

impl Default for ExternalConfig {
    fn default() -> Self {
        ExternalConfig {
            skip: Vec::new(),
            allow: Vec::new(),
            timeout_secs: 10,
            retries: 2,
            concurrency: 16,
            per_host: 2,
            cache_hours: 24,
            check_fragments: true,
        }
    }
}

/// The keys of `ExternalConfig`, for "did you mean" on unknown keys.
pub const EXTERNAL_CONFIG_KEYS: &[&str] = &[
    "skip",
    "allow",
    "timeout_secs",
    "retries",
    "concurrency",
    "per_host",
    "cache_hours",
    "check_fragments",
];

/// The name of the cache file inside `cache_dir`.
pub const CACHE_FILE: &str = "external-links.json";

/// Checks every external `http(s)` link; other schemes are ignored. Returns the diagnostics
/// sorted by file and position. `cache_dir: None` (or `cache_hours: 0`) means no cache.
pub fn check_external(
    links: &[ExternalLink],
    config: &ExternalConfig,
    cache_dir: Option<&Path>,
) -> Vec<Diagnostic> {
    let (skip, allow) = match (
        patterns("skip", &config.skip),
        patterns("allow", &config.allow),
    ) {
        (Ok(skip), Ok(allow)) => (skip, allow),
        (skip, allow) => {
            let errors = skip.err().into_iter().chain(allow.err()).flatten();
            return sorted(errors.collect());
        }
    };

    // Unique URLs (without fragment), each with the places it is written.
    let mut targets: BTreeMap<String, Vec<(&ExternalLink, Option<String>)>> = BTreeMap::new();
    for link in links {
        let url = link.url.trim();
        if skip.iter().any(|r| r.is_match(url))
            || (!allow.is_empty() && !allow.iter().any(|r| r.is_match(url)))
        {
            continue;
        }
        let Some((base, fragment)) = urls::split_http(url) else {
            continue;
        };
        targets.entry(base).or_default().push((link, fragment));
    }
    if targets.is_empty() {
        return Vec::new();
    }

    let now = cache::now_secs();
    let cache_path = cache_dir
        .filter(|_| config.cache_hours > 0)
        .map(|dir| dir.join(CACHE_FILE));
    let max_age = config.cache_hours.saturating_mul(3600);
    let mut cache = cache_path
        .as_deref()
        .map(|p| cache::Cache::load(p, now, max_age))
        .unwrap_or_default();

    let mut outcomes: BTreeMap<&str, Outcome> = BTreeMap::new();
    let mut jobs: Vec<(&str, bool)> = Vec::new();
    for (url, uses) in &targets {
        let want_body = config.check_fragments
            && uses
                .iter()
                .any(|(_, f)| f.as_deref().and_then(fragment::anchor_of).is_some());
        match cache.get(url, want_body) {
            Some(page) => {
                outcomes.insert(url, Outcome::Page(page.clone()));
            }
            None => jobs.push((url, want_body)),
        }
    }

    for (url, outcome) in fetch_all(&jobs, config) {
        if let Outcome::Page(page) = &outcome {
            cache.put(url, page.clone(), now);
        }
        outcomes.insert(url, outcome);
    }

    let mut diags = Vec::new();
    if let Some(path) = &cache_path {
        if !jobs.is_empty() {
            if let Err(e) = cache.save(path) {
                diags.push(Diagnostic::new(
                    codes::EXTERNAL_CACHE,
                    format!("could not write the link cache `{}`: {e}", path.display()),
                ));
            }
        }
    }
    for (url, uses) in &targets {
        let outcome = &outcomes[url.as_str()];
        for (link, fragment) in uses {
            diags.extend(report::diagnose(
                link,
                url,
                fragment.as_deref(),
                outcome,
                config,
            ));
        }
    }
    sorted(diags)
}

/// Fetches `jobs` (URL, whether the body is needed for fragments) on a small pool of threads.
fn fetch_all<'a>(jobs: &[(&'a str, bool)], config: &ExternalConfig) -> Vec<(&'a str, Outcome)> {
    if jobs.is_empty() {
        return Vec::new();
    }
    let limiter = HostLimiter::new(
        jobs.iter().map(|(url, _)| urls::host_key(url)).collect(),
        config.per_host.max(1),
    );
    let fetcher = Fetcher::new(
        &limiter,
        Duration::from_secs(config.timeout_secs.max(1)),
        config.retries,
    );
    let workers = config.concurrency.clamp(1, jobs.len());
    let (tx, rx) = mpsc::channel();
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let tx = tx.clone();
            let (fetcher, limiter) = (&fetcher, &limiter);
            scope.spawn(move || {
                while let Some((i, slot)) = limiter.next_job() {
                    let (url, want_body) = jobs[i];
                    let outcome = fetcher.check(url, want_body, slot);
                    if tx.send((i, outcome)).is_err() {
                        return;
                    }
                }
            });
        }
    });
    drop(tx);
    let mut results: Vec<(usize, Outcome)> = rx.into_iter().collect();
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(i, o)| (jobs[i].0, o)).collect()
}

/// Compiles `external.<key>` patterns; every invalid one becomes a `config` error.
fn patterns(key: &str, sources: &[String]) -> Result<Vec<Regex>, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let mut compiled = Vec::new();
    for source in sources {
        match Regex::new(source) {
            Ok(r) => compiled.push(r),
            Err(e) => errors.push(
                Diagnostic::new(
                    codes::CONFIG,
                    format!("`external.{key}` has an invalid regular expression `{source}`"),
                )
                .help(e.to_string()),
            ),
        }
    }
    if errors.is_empty() {
        Ok(compiled)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn link(url: &str) -> ExternalLink {
        ExternalLink {
            url: url.into(),
            span: Span {
                file: Arc::from("a.md"),
                range: 0..1,
            },
        }
    }

    #[test]
    fn defaults_and_yaml() {
        let c: ExternalConfig = serde_yaml::from_str("retries: 5").unwrap();
        assert_eq!((c.retries, c.timeout_secs, c.per_host), (5, 10, 2));
        assert!(c.check_fragments);
        let err = serde_yaml::from_str::<ExternalConfig>("retires: 5").unwrap_err();
        assert!(err.to_string().contains("retires"));
        // Every field is listed for "did you mean".
        for key in EXTERNAL_CONFIG_KEYS {
            let yaml = format!("{key}: []");
            let err = serde_yaml::from_str::<ExternalConfig>(&yaml).err();
            assert!(err.is_none_or(|e| !e.to_string().contains("unknown field")));
        }
    }

    #[test]
    fn invalid_regexes_are_config_errors() {
        let config = ExternalConfig {
            skip: vec!["(".into(), "ok".into()],
            allow: vec!["[".into()],
            ..Default::default()
        };
        let diags = check_external(&[link("http://127.0.0.1:9/")], &config, None);
        assert_eq!(diags.len(), 2);
        assert!(diags.iter().all(|d| d.code == "config"));
    }

    #[test]
    fn other_schemes_are_ignored() {
        let links = [link("mailto:a@b.c"), link("ftp://x/y"), link("tel:123")];
        assert!(check_external(&links, &ExternalConfig::default(), None).is_empty());
    }
}
