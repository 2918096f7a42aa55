//! What one diagram's check costs on each path: mermaid's grammars run natively
//! (`diagram::paths::native`) and mermaid itself in QuickJS (`paths::Mermaid`), per diagram of
//! the design folder (`tests/mermaid-native/`), the sample site (`content/`) and the oracle's
//! valid diagrams. A benchmark, not a test: it prints a Markdown table and asserts nothing.
//!
//!     cargo run --release --example mermaid_parse [-- REPEATS]
//!
//! Each figure is the median of REPEATS (default 21) parses of the same text on one thread,
//! after one unmeasured parse (QuickJS then has the diagram type's parser loaded; the native
//! path its grammar). Run it on a quiet machine, or say what the load was (`uptime`).

use archsite::diagram::paths::{self, Mermaid};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn timed<T>(repeats: usize, mut f: impl FnMut() -> T) -> Duration {
    std::hint::black_box(f());
    median(
        (0..repeats)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(f());
                t.elapsed()
            })
            .collect(),
    )
}

fn diagrams(root: &Path) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    for dir in [
        "tests/mermaid-native",
        "content",
        "tests/mermaid-oracle/valid",
    ] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        let mut files: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "mmd"))
            .collect();
        files.sort();
        out.extend(files.into_iter().map(|p| (dir.to_string(), p)));
    }
    out
}

fn main() {
    let repeats: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(21);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let t = Instant::now();
    let mermaid = Mermaid::load().expect("mermaid's bundle loads");
    println!(
        "QuickJS engine load (bytecode): {:.1} ms\n",
        t.elapsed().as_secs_f64() * 1e3
    );
    println!("| diagram | lines | native µs | QuickJS ms | × | native decides |");
    println!("|---|---:|---:|---:|---:|---|");
    let (mut native_all, mut quickjs_all) = (Vec::new(), Vec::new());
    for (dir, path) in diagrams(root) {
        let text = std::fs::read_to_string(&path).expect("read the diagram");
        let native = timed(repeats, || paths::native(&text));
        let quickjs = timed(repeats, || mermaid.parse(&text));
        let decides = match paths::native_undecided(&text) {
            None => "yes".to_string(),
            Some(why) => format!("no: {why}"),
        };
        if decides == "yes" {
            native_all.push(native);
            quickjs_all.push(quickjs);
        }
        println!(
            "| {dir}/{} | {} | {:.0} | {:.2} | {:.0} | {decides} |",
            path.file_name().unwrap().to_string_lossy(),
            text.lines().count(),
            native.as_secs_f64() * 1e6,
            quickjs.as_secs_f64() * 1e3,
            quickjs.as_secs_f64() / native.as_secs_f64().max(1e-9),
        );
    }
    if !native_all.is_empty() {
        let (n, q) = (median(native_all), median(quickjs_all));
        println!(
            "\nMedian over the diagrams the native path decides: native {:.0} µs, QuickJS {:.2} ms ({:.0}×).",
            n.as_secs_f64() * 1e6,
            q.as_secs_f64() * 1e3,
            q.as_secs_f64() / n.as_secs_f64().max(1e-9)
        );
    }
}
