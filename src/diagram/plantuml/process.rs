//! One PlantUML process for many diagrams: PlantUML's pipe mode (`-pipe`) reads diagrams from
//! its standard input one after the other and answers each with an SVG, or `ERROR`, the line
//! and the message, followed by a delimiter line. Measured on the 2-core machine
//! (docs/diagrams.md): a JVM start costs ~1.4 s (~0.7 s with the class-data archive archsite
//! keeps in its cache folder, and C1 only), a diagram ~30–90 ms once it runs; one `java` per
//! diagram would cost the start 40 times for 40 diagrams.
//!
//! A diagram that takes longer than the time-out stops the process (it is started again for
//! the next diagram); a process that dies is started again once per diagram.

use super::tool::Tool;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Ends each answer (a line of its own, or right after `</svg>`): unlikely in any diagram's text.
const DELIMITER: &str = "@@archsite-plantuml-end-7f3a9c@@";

/// What a diagram gave.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    Svg(String),
    /// PlantUML's error: its line (1-based, of the text it was given) and message.
    Error {
        line: usize,
        message: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// The diagram took longer than the time-out; the process was stopped.
    TimedOut(Duration),
    /// The process could not start or stopped: why (its last words on stderr).
    Stopped(String),
}

pub struct Process {
    child: Child,
    stdin: Option<ChildStdin>,
    answers: Receiver<Option<Vec<u8>>>,
    stderr: Arc<Mutex<Vec<u8>>>,
    /// Java writes the class-data archive when it ends normally: the process is then let end
    /// by closing its input (in the background, after archsite is done), not killed.
    writes_archive: bool,
}

/// JVM flags, chosen by measurement (docs/benchmarks.md): C1 only (PlantUML's work per
/// diagram is short: the C2 compiler's time is not paid back), headless AWT, UTF-8.
const JVM_FLAGS: &[&str] = &[
    "-XX:TieredStopAtLevel=1",
    "-Djava.awt.headless=true",
    "-Dfile.encoding=UTF-8",
    "-Xshare:auto",
];

impl Process {
    /// Starts PlantUML in pipe mode. `archive`: the class-data sharing archive to use, or to
    /// write when the process ends if there is none yet (a Java 13+ feature; Java ignores a
    /// damaged or foreign archive).
    pub fn start(tool: &Tool, archive: Option<&PathBuf>) -> Result<Process, String> {
        let mut writes_archive = false;
        let mut command = match tool {
            Tool::Jar { java, jar } => {
                let mut c = Command::new(java);
                c.args(JVM_FLAGS);
                if let Some(archive) = archive {
                    if archive.is_file() {
                        c.arg(format!("-XX:SharedArchiveFile={}", archive.display()));
                    } else {
                        c.arg(format!("-XX:ArchiveClassesAtExit={}", archive.display()));
                        writes_archive = true;
                    }
                    c.arg("-Xlog:cds=off").arg("-Xlog:cds+dynamic=off");
                }
                c.arg("-jar").arg(jar);
                c
            }
            Tool::Command(path) => Command::new(path),
        };
        command
            .args(["-tsvg", "-charset", "UTF-8", "-pipe", "-pipeNoStderr"])
            .args(["-pipedelimitor", DELIMITER])
            // PlantUML's own layout: no Graphviz needed for class diagrams and ERDs, and the
            // same drawing on every machine.
            .arg("-Playout=smetana")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command
            .spawn()
            .map_err(|e| format!("{} could not be started: {e}", tool.file().display()))?;
        let stdout = child.stdout.take().expect("piped");
        let mut err_pipe = child.stderr.take().expect("piped");
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let tail = stderr.clone();
        std::thread::Builder::new()
            .name("plantuml-stderr".into())
            .spawn(move || {
                let mut buf = [0u8; 4096];
                while let Ok(n) = err_pipe.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    let mut tail = tail.lock().expect("stderr lock");
                    tail.extend_from_slice(&buf[..n]);
                    let excess = tail.len().saturating_sub(4096);
                    tail.drain(..excess);
                }
            })
            .map_err(|e| e.to_string())?;
        let (tx, answers) = mpsc::channel();
        std::thread::Builder::new()
            .name("plantuml-stdout".into())
            .spawn(move || read_answers(stdout, tx))
            .map_err(|e| e.to_string())?;
        Ok(Process {
            stdin: child.stdin.take(),
            child,
            answers,
            stderr,
            writes_archive,
        })
    }

    /// Draws one diagram (`blocks`: how many `@start…@end` blocks it holds; the first one's
    /// answer is kept).
    pub fn draw(&mut self, text: &str, blocks: usize, limit: Duration) -> Result<Answer, Failure> {
        let deadline = Instant::now() + limit;
        let mut input = text.to_string();
        if !input.ends_with('\n') {
            input.push('\n');
        }
        let written = self
            .stdin
            .as_mut()
            .map(|s| s.write_all(input.as_bytes()).and_then(|()| s.flush()));
        if !matches!(written, Some(Ok(()))) {
            return Err(self.stopped());
        }
        let mut first = None;
        for _ in 0..blocks.max(1) {
            let wait = deadline.saturating_duration_since(Instant::now());
            match self.answers.recv_timeout(wait) {
                Ok(Some(bytes)) => {
                    first.get_or_insert(bytes);
                }
                Ok(None) | Err(RecvTimeoutError::Disconnected) => return Err(self.stopped()),
                Err(RecvTimeoutError::Timeout) => {
                    self.kill();
                    return Err(Failure::TimedOut(limit));
                }
            }
        }
        Ok(parse_answer(&first.unwrap_or_default()))
    }

    fn stopped(&mut self) -> Failure {
        // The process is ending: give it and stderr's reader a moment for the last words.
        let deadline = Instant::now() + Duration::from_secs(1);
        while Instant::now() < deadline && matches!(self.child.try_wait(), Ok(None)) {
            std::thread::sleep(Duration::from_millis(10));
        }
        self.kill();
        std::thread::sleep(Duration::from_millis(20));
        let tail = String::from_utf8_lossy(&self.stderr.lock().expect("stderr lock")).to_string();
        let last = tail
            .lines()
            .rfind(|l| !l.trim().is_empty())
            .unwrap_or("no message")
            .trim()
            .to_string();
        Failure::Stopped(format!("PlantUML stopped ({last})"))
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        drop(self.stdin.take());
        if !self.writes_archive {
            self.kill();
        }
    }
}

/// Splits PlantUML's output into answers: each ends with the delimiter and a newline.
fn read_answers(stdout: std::process::ChildStdout, tx: mpsc::Sender<Option<Vec<u8>>>) {
    let mut reader = BufReader::new(stdout);
    let mut current = Vec::new();
    let end = format!("{DELIMITER}\n");
    loop {
        let mut line = Vec::new();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => {
                let _ = tx.send(None);
                return;
            }
            Ok(_) => {
                current.extend_from_slice(&line);
                if current.ends_with(end.as_bytes()) {
                    current.truncate(current.len() - end.len());
                    if tx.send(Some(std::mem::take(&mut current))).is_err() {
                        return;
                    }
                }
            }
        }
    }
}

/// `ERROR\n<0-based line>\n<message>…` or an SVG.
fn parse_answer(bytes: &[u8]) -> Answer {
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim_start_matches('\u{feff}').trim();
    if let Some(rest) = text.strip_prefix("ERROR") {
        let mut lines = rest.trim_start().lines();
        let line = lines
            .next()
            .and_then(|l| l.trim().parse::<usize>().ok())
            .map_or(1, |l| l + 1);
        let message: Vec<&str> = lines.map(str::trim).filter(|l| !l.is_empty()).collect();
        return Answer::Error {
            line,
            message: if message.is_empty() {
                "PlantUML could not read this diagram".to_string()
            } else {
                message.join(" ")
            },
        };
    }
    Answer::Svg(text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_errors_with_their_line_or_svgs() {
        assert_eq!(
            parse_answer(b"ERROR\n2\nSyntax Error? (Assumed diagram type: sequence)\n"),
            Answer::Error {
                line: 3,
                message: "Syntax Error? (Assumed diagram type: sequence)".into()
            }
        );
        assert_eq!(
            parse_answer(b"<svg></svg>"),
            Answer::Svg("<svg></svg>".into())
        );
    }

    #[test]
    fn a_command_that_never_answers_is_stopped_at_the_time_out() {
        let tmp = tempfile::tempdir().unwrap();
        let script = tmp.path().join("plantuml");
        std::fs::write(&script, "#!/bin/sh\nexec sleep 30\n").unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        let mut p = Process::start(&Tool::Command(script.clone()), None).unwrap();
        let t = Instant::now();
        let got = p.draw(
            "@startuml\nA -> B\n@enduml\n",
            1,
            Duration::from_millis(300),
        );
        assert_eq!(got, Err(Failure::TimedOut(Duration::from_millis(300))));
        assert!(t.elapsed() < Duration::from_secs(5));
        // One that dies says why.
        std::fs::write(
            &script,
            "#!/bin/sh\necho 'Error: Invalid or corrupt jarfile' >&2\nexit 1\n",
        )
        .unwrap();
        let mut p = Process::start(&Tool::Command(script), None).unwrap();
        match p.draw("@startuml\nA -> B\n@enduml\n", 1, Duration::from_secs(10)) {
            Err(Failure::Stopped(why)) => assert!(why.contains("corrupt jarfile"), "{why}"),
            other => panic!("{other:?}"),
        }
    }
}
