//! Site configuration: where the site is, and the optional `archsite.yaml`.
//!
//! `RawConfig` is the file as written (serde, unknown keys rejected); `Config` is validated, with
//! paths resolved. A folder without `archsite.yaml` is a valid site: zero configuration.

use crate::diag::codes::{self, is_configurable, Level};
use crate::diag::{closest, Diagnostic, SourceMap};
use crate::external::{ExternalConfig, EXTERNAL_CONFIG_KEYS};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub const CONFIG_FILE: &str = "archsite.yaml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    title: Option<String>,
    description: Option<String>,
    base_url: Option<String>,
    language: Option<String>,
    theme: Option<String>,
    /// The master index page, relative to the content folder.
    index: Option<String>,
    /// Order of the top-level sidebar entries (paths relative to the content folder).
    nav: Option<Vec<String>>,
    content: Option<String>,
    output: Option<String>,
    /// Diagnostic code → `error`, `warning` or `off`.
    severity: Option<BTreeMap<String, String>>,
    /// External link checking (`archsite check --external`).
    external: Option<ExternalConfig>,
    /// Full-text search in the default theme (`false` to leave it out).
    search: Option<bool>,
    /// The live preview (`archsite serve`).
    serve: Option<RawServe>,
    /// PlantUML: a jar's path or a command (`plantuml`), relative to the site folder.
    plantuml: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawServe {
    /// Host names the preview answers besides localhost and its own address.
    allowed_hosts: Option<Vec<String>>,
}

const SERVE_KEYS: &[&str] = &["allowed_hosts"];

const KNOWN_KEYS: &[&str] = &[
    "title",
    "description",
    "base_url",
    "language",
    "theme",
    "index",
    "nav",
    "content",
    "output",
    "severity",
    "external",
    "search",
    "serve",
    "plantuml",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    Ko,
    #[default]
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ko => "ko",
            Lang::En => "en",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    pub site_root: PathBuf,
    pub content_dir: PathBuf,
    pub output_dir: PathBuf,
    pub title: Option<String>,
    pub description: String,
    /// Absolute base URL with a trailing slash, e.g. `https://example.com/docs/`.
    pub base_url: Option<String>,
    /// Path part of `base_url`, always starting and ending with `/` (`/` without a base URL).
    pub base_path: String,
    /// `None`: detected from the content.
    pub language: Option<Lang>,
    pub theme: Option<String>,
    pub index: Option<String>,
    pub nav_order: Vec<String>,
    pub drafts: bool,
    /// Configured severity per diagnostic code.
    pub levels: BTreeMap<String, Level>,
    pub deny_warnings: bool,
    /// How `check --external` checks http(s) links.
    pub external: ExternalConfig,
    /// Where this site's caches live (output manifest, Mermaid verdicts, external link
    /// results): the user's cache folder, never the site folder (see `site_cache_dir`).
    pub cache_dir: PathBuf,
    /// Whether the site gets a search box and a search index (`search:`, default on).
    pub search: bool,
    /// Host names `serve` answers besides localhost and its own address (`serve:
    /// {allowed_hosts: [...]}`); a leading dot allows subdomains too.
    pub allowed_hosts: Vec<String>,
    /// `plantuml:`: a jar or a command that runs PlantUML (relative paths: to the site folder);
    /// `None`: looked for (`PLANTUML_JAR`, `plantuml` on PATH, `node_modules`).
    pub plantuml: Option<String>,
}

/// What the command line says about where the site is.
#[derive(Debug, Default, Clone)]
pub struct SiteArgs {
    pub path: Option<PathBuf>,
    pub output: Option<PathBuf>,
    pub drafts: bool,
    pub deny_warnings: bool,
}

impl Config {
    /// Finds the site from `args`: a folder with `archsite.yaml` or a `content/` folder is a site
    /// root; any other folder is itself the content. Config errors come back as diagnostics.
    pub fn discover(args: &SiteArgs, sources: &mut SourceMap) -> Result<Config, Vec<Diagnostic>> {
        let path = args.path.clone().unwrap_or_else(|| PathBuf::from("."));
        if !path.is_dir() {
            return Err(vec![Diagnostic::new(
                codes::SITE_NOT_FOUND,
                format!("`{}` is not a folder", path.display()),
            )
            .help(
                "give the folder that holds archsite.yaml, content/ or your Markdown files",
            )]);
        }
        let config_path = path.join(CONFIG_FILE);
        let raw = if config_path.is_file() {
            read_raw(&config_path, sources)?
        } else {
            RawConfig::default()
        };
        let file: Arc<str> = display_path(&config_path).into();
        let content_dir = match &raw.content {
            Some(dir) => path.join(dir),
            None if path.join("content").is_dir() => path.join("content"),
            None => path.clone(),
        };
        if !content_dir.is_dir() {
            return Err(vec![Diagnostic::new(
                codes::CONFIG,
                format!("content folder `{}` does not exist", content_dir.display()),
            )
            .in_file(&file)]);
        }
        let output_dir = match (&args.output, &raw.output) {
            (Some(out), _) => out.clone(),
            (None, Some(out)) => path.join(out),
            (None, None) => path.join("public"),
        };
        let language = match raw.language.as_deref() {
            None => None,
            Some(l) if l == "ko" || l.starts_with("ko-") => Some(Lang::Ko),
            Some(l) if l == "en" || l.starts_with("en-") => Some(Lang::En),
            Some(other) => {
                return Err(vec![Diagnostic::new(
                    codes::CONFIG,
                    format!("unsupported language `{other}`"),
                )
                .at(&file, find_value(sources, &file, other))
                .help("archsite's theme speaks `ko` and `en`")]);
            }
        };
        let (base_url, base_path) = match raw.base_url.as_deref().map(str::trim) {
            None | Some("") | Some("/") => (None, "/".to_string()),
            Some(url) => normalize_base_url(url).map_err(|msg| {
                vec![Diagnostic::new(codes::CONFIG, msg)
                    .at(&file, find_value(sources, &file, url))
                    .help("use an absolute URL such as `https://example.com/docs/`, or a path such as `/docs/`")]
            })?,
        };
        let levels = severity_levels(raw.severity.unwrap_or_default(), &file, sources)?;
        let allowed_hosts = raw.serve.and_then(|s| s.allowed_hosts).unwrap_or_default();
        if let Some(bad) = allowed_hosts.iter().find(|h| !is_host_pattern(h)) {
            return Err(vec![Diagnostic::new(
                codes::CONFIG,
                format!("`{bad}` in `serve.allowed_hosts` is not a host name"),
            )
            .at(&file, find_value(sources, &file, bad))
            .help("write a name alone, without scheme, port or path (`docs.example.com`), or with a leading dot for its subdomains too (`.example.com`)")]);
        }
        Ok(Config {
            levels,
            deny_warnings: args.deny_warnings,
            external: raw.external.unwrap_or_default(),
            cache_dir: site_cache_dir(&path, |name| std::env::var_os(name)),
            site_root: path,
            content_dir,
            output_dir,
            title: raw.title,
            description: raw.description.unwrap_or_default(),
            base_url,
            base_path,
            language,
            theme: raw.theme,
            index: raw.index,
            nav_order: raw.nav.unwrap_or_default(),
            drafts: args.drafts,
            search: raw.search.unwrap_or(true),
            allowed_hosts,
            plantuml: raw.plantuml.filter(|p| !p.trim().is_empty()),
        })
    }
}

/// A host name the preview may be told to answer: letters, digits, `-`, `_` and dots, with an
/// optional leading dot (the name and its subdomains).
pub fn is_host_pattern(name: &str) -> bool {
    let name = name.strip_prefix('.').unwrap_or(name);
    !name.is_empty()
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// The environment variable that moves archsite's cache folder (all sites) elsewhere.
pub const CACHE_ENV: &str = "ARCHSITE_CACHE_DIR";

/// The cache folder of the site at `site_root`: `<root>/<site key>`, where the root is
/// `$ARCHSITE_CACHE_DIR`, else `$XDG_CACHE_HOME/archsite`, else `~/.cache/archsite` (else the
/// system's temporary folder), and the key is the site folder's name and a hash of its full
/// path. Caches only save time, so they are kept out of the site: `archsite check` writes
/// nothing there, a fresh checkout builds cold, and two copies of a site never share a cache.
pub fn site_cache_dir(
    site_root: &Path,
    env: impl Fn(&str) -> Option<std::ffi::OsString>,
) -> PathBuf {
    let set = |name: &str| env(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    let root = set(CACHE_ENV)
        .or_else(|| {
            set("XDG_CACHE_HOME")
                .filter(|p| p.is_absolute())
                .map(|p| p.join("archsite"))
        })
        .or_else(|| set("HOME").map(|home| home.join(".cache").join("archsite")))
        .unwrap_or_else(|| std::env::temp_dir().join("archsite-cache"));
    root.join(site_key(site_root))
}

/// `<folder name>-<16 hex digits>`: readable in a listing, unique per absolute path.
fn site_key(site_root: &Path) -> String {
    let full = std::path::absolute(site_root).unwrap_or_else(|_| site_root.to_path_buf());
    let full = full.canonicalize().unwrap_or(full);
    let name: String = full
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(40)
        .collect();
    // FNV-1a: the same key from one archsite version to the next (std's hasher may change).
    let hash = full
        .as_os_str()
        .as_encoded_bytes()
        .iter()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
        });
    let name = if name.is_empty() {
        "site".to_string()
    } else {
        name
    };
    format!("{name}-{hash:016x}")
}

fn severity_levels(
    raw: BTreeMap<String, String>,
    file: &Arc<str>,
    sources: &SourceMap,
) -> Result<BTreeMap<String, Level>, Vec<Diagnostic>> {
    let mut levels = BTreeMap::new();
    let mut diags = Vec::new();
    let names = codes::configurable();
    for (code, level) in raw {
        if !is_configurable(&code) {
            let help = match closest(&code, names.clone()) {
                Some(best) => format!("did you mean `{best}`?"),
                None => format!(
                    "configurable codes: {}",
                    names.clone().collect::<Vec<_>>().join(", ")
                ),
            };
            diags.push(
                Diagnostic::new(
                    codes::CONFIG,
                    format!("`{code}` is not a diagnostic code whose severity can be set"),
                )
                .at(file, find_value(sources, file, &code))
                .help(help),
            );
            continue;
        }
        let parsed = match level.as_str() {
            "error" => Level::Error,
            "warning" | "warn" => Level::Warning,
            "off" | "allow" => Level::Off,
            other => {
                diags.push(
                    Diagnostic::new(codes::CONFIG, format!("severity `{other}` for `{code}`"))
                        .at(file, find_value(sources, file, other))
                        .help("use `error`, `warning` or `off`"),
                );
                continue;
            }
        };
        levels.insert(code, parsed);
    }
    if diags.is_empty() {
        Ok(levels)
    } else {
        Err(diags)
    }
}

fn read_raw(config_path: &Path, sources: &mut SourceMap) -> Result<RawConfig, Vec<Diagnostic>> {
    let file: Arc<str> = display_path(config_path).into();
    let bytes = std::fs::read(config_path).map_err(|e| {
        vec![
            Diagnostic::new(codes::CONFIG, format!("cannot read {CONFIG_FILE}: {e}"))
                .in_file(&file),
        ]
    })?;
    let text = String::from_utf8(bytes).map_err(|_| {
        vec![Diagnostic::new(
            codes::INVALID_UTF8,
            format!("{CONFIG_FILE} is not valid UTF-8"),
        )
        .in_file(&file)]
    })?;
    sources.add(file.clone(), text.clone().into());
    if text.trim().is_empty() {
        return Ok(RawConfig::default());
    }
    // A misspelt key may belong to the top level or to `external:`; suggest from both.
    let known: Vec<&str> = KNOWN_KEYS
        .iter()
        .chain(EXTERNAL_CONFIG_KEYS)
        .chain(SERVE_KEYS)
        .copied()
        .collect();
    serde_yaml::from_str(&text).map_err(|e| vec![yaml_error(&file, &text, &e, &known)])
}

/// Turns a serde_yaml error into a diagnostic at its location, with a suggestion for a
/// misspelt key.
pub fn yaml_error(
    file: &Arc<str>,
    text: &str,
    err: &serde_yaml::Error,
    known: &[&str],
) -> Diagnostic {
    let message = err.to_string();
    let start = err.location().map_or(0, |l| l.index());
    let word_len = text[start.min(text.len())..]
        .find(|c: char| c == ':' || c.is_whitespace())
        .unwrap_or(0);
    let short = message
        .split(" at line ")
        .next()
        .unwrap_or(&message)
        .to_string();
    let mut diag = Diagnostic::new(codes::CONFIG, short).at(file, start..start + word_len);
    // serde_yaml places a duplicate key at the start of its mapping: point at the repeat.
    if let Some(field) = message
        .split_once("duplicate field `")
        .and_then(|(_, rest)| rest.split('`').next())
    {
        let key = format!("{field}:");
        let mut offset = start.min(text.len());
        let mut repeats = text[offset..].split_inclusive('\n').filter_map(|line| {
            let at = offset + (line.len() - line.trim_start().len());
            offset += line.len();
            line.trim_start().starts_with(&key).then_some(at)
        });
        if let Some(second) = repeats.nth(1) {
            diag = diag
                .at(file, second..second + field.len())
                .label("second time")
                .help(format!("remove one of the two `{field}` keys"));
        }
    }
    if let Some(unknown) = message
        .split_once("unknown field `")
        .map(|(_, rest)| rest)
        .and_then(|rest| rest.split('`').next())
    {
        diag = diag.label("unknown key");
        diag = match closest(unknown, known.iter().copied()) {
            Some(best) => diag.help(format!("did you mean `{best}`?")),
            None => diag.help(format!("known keys: {}", known.join(", "))),
        };
    }
    diag
}

fn find_value(sources: &SourceMap, file: &str, value: &str) -> std::ops::Range<usize> {
    sources
        .get(file)
        .and_then(|t| t.find(value))
        .map_or(0..0, |i| i..i + value.len())
}

fn normalize_base_url(url: &str) -> Result<(Option<String>, String), String> {
    let with_slash = if url.ends_with('/') {
        url.to_string()
    } else {
        format!("{url}/")
    };
    if with_slash.starts_with('/') {
        return Ok((Some(with_slash.clone()), with_slash));
    }
    let rest = with_slash
        .strip_prefix("https://")
        .or_else(|| with_slash.strip_prefix("http://"))
        .ok_or_else(|| format!("base_url `{url}` is neither an http(s) URL nor a path"))?;
    let path = rest.find('/').map_or("/", |i| &rest[i..]);
    Ok((Some(with_slash.clone()), path.to_string()))
}

/// A path as the user would type it: relative to the working folder when it is below it.
pub fn display_path(path: &Path) -> String {
    display_path_from(path, std::env::current_dir().ok().as_deref())
}

/// `display_path` with the working folder already known (a walk shows thousands of paths).
pub fn display_path_from(path: &Path, cwd: Option<&Path>) -> String {
    let shown = cwd
        .and_then(|cwd| path.strip_prefix(cwd).ok())
        .unwrap_or(path);
    let s = shown.to_string_lossy();
    let s = if std::path::MAIN_SEPARATOR == '\\' {
        s.replace('\\', "/")
    } else {
        s.into_owned()
    };
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn discover_with(yaml: &str) -> Result<Config, Vec<Diagnostic>> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(CONFIG_FILE), yaml).unwrap();
        let args = SiteArgs {
            path: Some(dir.path().to_path_buf()),
            ..Default::default()
        };
        Config::discover(&args, &mut SourceMap::default())
    }

    #[test]
    fn unknown_key_is_rejected_with_suggestion() {
        let errs = discover_with("title: x\ntitel: y\n").unwrap_err();
        assert_eq!(errs[0].help.as_deref(), Some("did you mean `title`?"));
        assert_eq!(errs[0].span.as_ref().unwrap().range, 9..14);
    }

    #[test]
    fn base_url_path_is_extracted() {
        let c = discover_with("base_url: https://example.com/docs").unwrap();
        assert_eq!(c.base_url.as_deref(), Some("https://example.com/docs/"));
        assert_eq!(c.base_path, "/docs/");
        assert_eq!(discover_with("").unwrap().base_path, "/");
    }

    #[test]
    fn severity_levels_are_validated() {
        let c = discover_with("severity:\n  orphan-page: off\n  broken-anchor: warning\n").unwrap();
        assert_eq!(c.levels.get("orphan-page"), Some(&Level::Off));
        let errs = discover_with("severity:\n  orphan-pages: off\n").unwrap_err();
        assert_eq!(errs[0].help.as_deref(), Some("did you mean `orphan-page`?"));
        let errs = discover_with("severity:\n  orphan-page: loud\n").unwrap_err();
        assert!(errs[0].message.contains("loud"));
    }

    #[test]
    fn external_section_is_validated_with_suggestions() {
        let c =
            discover_with("external:\n  timeout_secs: 3\n  skip: ['^https://intranet']\n").unwrap();
        assert_eq!(c.external.timeout_secs, 3);
        assert_eq!(
            c.external.per_host,
            crate::external::ExternalConfig::default().per_host
        );
        let errs = discover_with("external:\n  timeout: 3\n").unwrap_err();
        assert_eq!(
            errs[0].help.as_deref(),
            Some("did you mean `timeout_secs`?")
        );
    }

    #[test]
    fn search_is_on_unless_switched_off() {
        assert!(discover_with("title: x\n").unwrap().search);
        assert!(!discover_with("search: false\n").unwrap().search);
        let errs = discover_with("serch: false\n").unwrap_err();
        assert_eq!(errs[0].help.as_deref(), Some("did you mean `search`?"));
        let errs = discover_with("search: maybe\n").unwrap_err();
        assert!(errs[0].message.contains("search"), "{}", errs[0].message);
    }

    #[test]
    fn serve_allowed_hosts_are_names() {
        assert!(discover_with("title: x\n")
            .unwrap()
            .allowed_hosts
            .is_empty());
        let c =
            discover_with("serve:\n  allowed_hosts: [docs.internal, .tunnel.example]\n").unwrap();
        assert_eq!(c.allowed_hosts, ["docs.internal", ".tunnel.example"]);
        let errs =
            discover_with("serve:\n  allowed_hosts: ['http://docs.internal:8080']\n").unwrap_err();
        assert!(
            errs[0].message.contains("http://docs.internal:8080"),
            "{}",
            errs[0].message
        );
        assert_eq!(errs[0].span.as_ref().unwrap().range, 26..51);
        let errs = discover_with("serve:\n  allowed_host: [x]\n").unwrap_err();
        assert_eq!(
            errs[0].help.as_deref(),
            Some("did you mean `allowed_hosts`?")
        );
    }

    #[test]
    fn bad_language_is_an_error() {
        let errs = discover_with("language: klingon\n").unwrap_err();
        assert!(errs[0].message.contains("klingon"));
    }

    #[test]
    fn bare_folder_is_its_own_content() {
        let dir = tempfile::tempdir().unwrap();
        let args = SiteArgs {
            path: Some(dir.path().to_path_buf()),
            ..Default::default()
        };
        let c = Config::discover(&args, &mut SourceMap::default()).unwrap();
        assert_eq!(c.content_dir, dir.path());
        assert_eq!(c.output_dir, dir.path().join("public"));
    }

    #[test]
    fn caches_live_outside_the_site_per_site() {
        let site = tempfile::tempdir().unwrap();
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                vars.iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| std::ffi::OsString::from(v))
            }
        };
        let home = site_cache_dir(site.path(), env(&[("HOME", "/home/u")]));
        assert!(home.starts_with("/home/u/.cache/archsite"), "{home:?}");
        let xdg = site_cache_dir(
            site.path(),
            env(&[("HOME", "/home/u"), ("XDG_CACHE_HOME", "/xdg")]),
        );
        assert!(xdg.starts_with("/xdg/archsite"), "{xdg:?}");
        // A relative XDG_CACHE_HOME is ignored, as the XDG spec says.
        let relative = site_cache_dir(
            site.path(),
            env(&[("HOME", "/home/u"), ("XDG_CACHE_HOME", "rel")]),
        );
        assert!(relative.starts_with("/home/u/.cache/archsite"));
        let over = site_cache_dir(
            site.path(),
            env(&[("XDG_CACHE_HOME", "/xdg"), (CACHE_ENV, "/elsewhere")]),
        );
        assert_eq!(over.parent(), Some(Path::new("/elsewhere")));
        // Per site: the folder's name for people, a hash of its full path for uniqueness.
        let name = site
            .path()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .replace('.', "_");
        let key = over.file_name().unwrap().to_string_lossy().into_owned();
        assert!(key.starts_with(&name), "{key} {name}");
        let other = tempfile::tempdir().unwrap();
        let vars = env(&[(CACHE_ENV, "/elsewhere")]);
        assert_ne!(
            site_cache_dir(site.path(), vars),
            site_cache_dir(other.path(), vars)
        );
        // The same site by another path (relative, `..`) has the same key.
        let dotted = site.path().join("x").join("..");
        std::fs::create_dir(site.path().join("x")).unwrap();
        assert_eq!(
            site_cache_dir(&dotted, vars),
            site_cache_dir(site.path(), vars)
        );
        assert!(!site_cache_dir(site.path(), vars).starts_with(site.path()));
    }
}
