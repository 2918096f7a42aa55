//! A running `archsite serve` of a site folder, compared with a fresh `archsite build` of the
//! same files: after each step, every file the preview serves, and the list of them, must be
//! the build's (pages with the preview's reload script added, which `build` never writes); when
//! the build fails, the preview must show the build's errors, at the same places (it keeps
//! serving the last good site under its overlay, as `build` leaves `public/` as it was).

use crate::serve::{start, try_get_as, Server};
use crate::support::archsite;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long the preview may take to catch up with a step (rebuilds, the search index). Far
/// above what it needs on a busy 2-core machine; a preview that never catches up fails.
const CATCH_UP: Duration = Duration::from_secs(30);

pub struct Differential {
    /// Holds the site folder and anything beside it (a content folder outside the site).
    pub tmp: tempfile::TempDir,
    /// The site folder, as given to `serve` and `build`.
    pub root: PathBuf,
    pub server: Server,
    /// Fresh output folders of the reference builds.
    scratch: tempfile::TempDir,
    /// What was done so far, for the failure report.
    steps: Vec<String>,
    /// The seed of a random sequence, for the failure report.
    pub seed: Option<u64>,
    /// The base path of the last build without errors: a preview whose latest build failed
    /// still serves the last good site there.
    good_base: String,
}

/// What the preview says it serves (`__archsite/files`).
#[derive(Debug, PartialEq, Eq)]
struct Served {
    errors: Vec<Place>,
    files: Vec<String>,
}

/// Where an error is, and what: code, absolute file, line, column.
type Place = (String, PathBuf, u64, u64);

/// The errors among JSON diagnostics, by place; relative files are taken from `cwd`.
fn places<'a>(diagnostics: impl Iterator<Item = &'a serde_json::Value>, cwd: &Path) -> Vec<Place> {
    let mut places: Vec<Place> = diagnostics
        .filter(|d| d["severity"] == "error")
        .map(|d| {
            (
                d["code"].as_str().unwrap_or("").to_string(),
                normal(&cwd.join(d["file"].as_str().unwrap_or(""))),
                d["line"].as_u64().unwrap_or(0),
                d["column"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    places.sort();
    places
}

/// `path` without `.` and `..` (lexically: the files named exist, in folders without symlinks).
fn normal(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

impl Differential {
    /// Starts the preview of `tmp/site`, which the caller has filled.
    pub fn start(tmp: tempfile::TempDir) -> Differential {
        let root = tmp.path().join("site");
        let server = start(&root);
        let good_base = base_path(&root);
        Differential {
            tmp,
            root,
            server,
            scratch: tempfile::tempdir().unwrap(),
            steps: Vec::new(),
            seed: None,
            good_base,
        }
    }

    /// A copy of `site` (a folder of this repository) as the site folder.
    pub fn of_copy(site: &Path) -> Differential {
        let tmp = tempfile::tempdir().unwrap();
        crate::support::copy_dir(site, &tmp.path().join("site"));
        Differential::start(tmp)
    }

    /// A path in the site folder.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    /// Records a step (shown when a later comparison fails).
    pub fn note(&mut self, step: impl Into<String>) {
        self.steps.push(step.into());
    }

    /// Builds the site afresh and waits until the preview serves exactly that build (or, when
    /// the build fails, shows its errors).
    pub fn check(&mut self, step: &str) {
        self.note(format!("-- check: {step}"));
        let out = self
            .scratch
            .path()
            .join(format!("build-{}", self.steps.len()));
        let build = archsite(
            self.tmp.path(),
            &[
                "build",
                self.root.to_str().unwrap(),
                "--output",
                out.to_str().unwrap(),
                "--format",
                "json",
            ],
        );
        let diagnostics: Vec<serde_json::Value> = String::from_utf8_lossy(&build.stdout)
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect();
        let expected = match build.status.code() {
            Some(0) => Ok(read_tree(&out)),
            Some(1) => Err(places(diagnostics.iter(), self.tmp.path())),
            other => panic!(
                "{}archsite build exited with {other:?}:\n{}",
                self.context(),
                crate::support::stderr(&build)
            ),
        };
        let base = match &expected {
            Ok(_) => base_path(&self.root),
            Err(_) => self.good_base.clone(),
        };
        let deadline = Instant::now() + CATCH_UP;
        while let Err(last) = self.compare(&base, expected.as_ref()) {
            if Instant::now() > deadline {
                let build_log = String::from_utf8_lossy(&build.stdout);
                let serve_log = self.server.log.lock().unwrap().join("\n");
                panic!(
                    "{}the preview does not serve what `build` publishes after {CATCH_UP:?}:\n{last}\n\n\
                     build said:\n{build_log}\nserve said (last 30 lines):\n{}",
                    self.context(),
                    serve_log
                        .lines()
                        .rev()
                        .take(30)
                        .collect::<Vec<_>>()
                        .into_iter()
                        .rev()
                        .collect::<Vec<_>>()
                        .join("\n")
                );
            }
            std::thread::sleep(Duration::from_millis(40));
        }
        let _ = std::fs::remove_dir_all(&out);
        self.good_base = base;
    }

    fn context(&self) -> String {
        let seed = self.seed.map_or(String::new(), |s| {
            format!("ARCHSITE_DIFF_SEED={s} reproduces this.\n")
        });
        let steps = self.steps.len();
        let shown: Vec<&String> = self.steps.iter().skip(steps.saturating_sub(60)).collect();
        format!(
            "{seed}site {}; the last steps of {steps}:\n  {}\n",
            self.root.display(),
            shown
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join("\n  ")
        )
    }

    /// `Ok` when the preview serves exactly the files `expected` (or shows exactly the errors
    /// of a failed build), else what differs.
    fn compare(
        &self,
        base: &str,
        expected: Result<&BTreeMap<String, Vec<u8>>, &Vec<Place>>,
    ) -> Result<(), String> {
        let served = self.served(base)?;
        let expected = match expected {
            Err(errors) if served.errors == *errors => return Ok(()),
            Err(errors) => {
                return Err(format!(
                    "the build failed with the errors\n  {errors:?}\nbut the preview shows\n  {:?}",
                    served.errors
                ))
            }
            Ok(files) => files,
        };
        if !served.errors.is_empty() {
            return Err(format!(
                "the build succeeded, but the preview shows errors: {:?}",
                served.errors
            ));
        }
        let names: Vec<&String> = expected.keys().collect();
        if served.files.iter().collect::<Vec<_>>() != names {
            let missing: Vec<&&String> =
                names.iter().filter(|n| !served.files.contains(n)).collect();
            let extra: Vec<&String> = served
                .files
                .iter()
                .filter(|f| !expected.contains_key(*f))
                .collect();
            return Err(format!(
                "the files differ: built but not served {missing:?}; served but not built {extra:?}"
            ));
        }
        for (path, bytes) in expected {
            let (status, body) = fetch(&self.server.addr, &format!("{base}{}", encode(path)));
            let wanted = served_form(path, bytes, base);
            if status != 200 || body != wanted {
                return Err(format!(
                    "`{path}`: status {status}; {}",
                    first_difference(&wanted, &body)
                ));
            }
        }
        Ok(())
    }

    fn served(&self, base: &str) -> Result<Served, String> {
        let (status, body) = fetch(&self.server.addr, &format!("{base}__archsite/files"));
        if status != 200 {
            return Err(format!("{base}__archsite/files: status {status}"));
        }
        let value: serde_json::Value =
            serde_json::from_slice(&body).map_err(|e| format!("files: {e}"))?;
        Ok(Served {
            // The preview shows paths as it was given them (absolute here).
            errors: places(
                value["errors"].as_array().into_iter().flatten(),
                Path::new("/"),
            ),
            files: value["files"]
                .as_array()
                .map(|list| {
                    list.iter()
                        .filter_map(|f| f.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default(),
        })
    }
}

/// Every file of a built site by output path, without the hidden files that mark and lock the
/// output folder.
fn read_tree(out: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(out)
        .min_depth(1)
        .into_iter()
        .filter_entry(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(out).unwrap();
            (
                rel.to_string_lossy().replace('\\', "/"),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

/// A built file as the preview serves it: pages get the reload script before `</body>`.
fn served_form(path: &str, bytes: &[u8], base: &str) -> Vec<u8> {
    if !path.to_ascii_lowercase().ends_with(".html") {
        return bytes.to_vec();
    }
    let text = String::from_utf8_lossy(bytes);
    let tag = format!("<script src=\"{base}__archsite/live.js\" defer></script>");
    let at = text.rfind("</body>").unwrap_or(text.len());
    format!("{}{tag}{}", &text[..at], &text[at..]).into_bytes()
}

/// The base path the site's `archsite.yaml` gives (`/` without one), as `serve` uses it.
pub fn base_path(root: &Path) -> String {
    let config = std::fs::read_to_string(root.join("archsite.yaml")).unwrap_or_default();
    let Some(url) = config.lines().find_map(|l| l.strip_prefix("base_url:")) else {
        return "/".into();
    };
    let url = url.trim().trim_matches(|c| c == '"' || c == '\'');
    let path = match url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
    {
        Some(rest) => rest.find('/').map_or("/", |i| &rest[i..]),
        None => url,
    };
    let path = path.trim_matches('/');
    if path.is_empty() {
        "/".into()
    } else {
        format!("/{path}/")
    }
}

fn encode(path: &str) -> String {
    path.split('/')
        .map(|seg| {
            percent_encoding::utf8_percent_encode(seg, percent_encoding::NON_ALPHANUMERIC)
                .to_string()
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// A GET over a new connection: status and body (status 0 when the preview did not answer).
fn fetch(addr: &str, path: &str) -> (u16, Vec<u8>) {
    try_get_as(addr, addr, path, "").map_or((0, Vec::new()), |r| (r.status, r.body))
}

fn first_difference(wanted: &[u8], got: &[u8]) -> String {
    let at = wanted
        .iter()
        .zip(got)
        .position(|(a, b)| a != b)
        .unwrap_or(wanted.len().min(got.len()));
    let around = |b: &[u8]| {
        let from = at.saturating_sub(60);
        String::from_utf8_lossy(&b[from.min(b.len())..(at + 60).min(b.len())]).into_owned()
    };
    format!(
        "{} bytes built, {} served; first difference at byte {at}:\n  built:  {:?}\n  served: {:?}",
        wanted.len(),
        got.len(),
        around(wanted),
        around(got)
    )
}
