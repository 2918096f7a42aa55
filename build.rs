//! Embeds the default theme, the `init` scaffolds, the pinned mermaid.js and the live preview's
//! DOM morphing library (idiomorph) in the binary, so that archsite works in any folder,
//! offline, without files installed beside it. Generates
//! `$OUT_DIR/embedded.rs` with one `(relative path, bytes)` table per folder; the bytes are
//! `include_bytes!` of the files, so cargo rebuilds when they change.
//!
//! mermaid comes from npm, pinned by `js/package-lock.json`. The first build of each profile in
//! a target folder (each has its own `OUT_DIR`) copies `js/`'s package files to `$OUT_DIR/js/`,
//! runs `npm ci` there (the npm registry, or npm's own cache, must be reachable: a 50 MB
//! download, 165 MB installed) and makes two
//! artefacts: the browser build readers get (`mermaid.min.js`, as published) and a parse-only
//! bundle for QuickJS (`mermaid-parse.js`, made by esbuild from `js/parse-entry.mjs`); beside
//! them idiomorph's browser build as published (`idiomorph.min.js`, which `src/serve/live.rs`
//! puts in front of the preview's script). Everything
//! is written under `OUT_DIR`, as cargo expects of a build script; later builds only compare a
//! stamp.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The files the mermaid artefacts are made from: a change to any of them remakes both.
const MERMAID_INPUTS: &[&str] = &[
    "package.json",
    "package-lock.json",
    "parse-entry.mjs",
    "quickjs-env.mjs",
    "dompurify-stub.mjs",
    "extract-grammars.mjs",
];

fn mermaid(out: &mut String, js: &Path) {
    let mut stamp = String::from("4\n");
    for name in MERMAID_INPUTS {
        let path = js.join(name);
        println!("cargo:rerun-if-changed={}", path.display());
        let bytes = fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
        writeln!(stamp, "{name} {:016x}", fnv1a(&bytes)).unwrap();
    }
    let work = out_dir().join("js");
    let dist = work.join("dist");
    let stamp_file = dist.join("stamp");
    let artefacts = [
        "mermaid.min.js",
        "mermaid-parse.js",
        "assign-with-depth.js",
        "grammars.json",
        "version",
        "idiomorph.min.js",
    ];
    let fresh = fs::read_to_string(&stamp_file).ok().as_deref() == Some(stamp.as_str())
        && artefacts.iter().all(|a| dist.join(a).is_file());
    if !fresh {
        make_mermaid(js, &work, &dist);
        fs::write(&stamp_file, &stamp).expect("write the mermaid stamp");
    }
    let version = fs::read_to_string(dist.join("version")).expect("read the mermaid version");
    writeln!(
        out,
        "pub const MERMAID_VERSION: &str = {:?};",
        version.trim()
    )
    .unwrap();
    // Identifies the parser bundle and the code that turns its answers into verdicts (cached
    // verdicts are interpreted ones), so that verdicts of another bundle or of an older
    // interpretation are not reused.
    let bundle = fs::read(dist.join("mermaid-parse.js")).expect("read mermaid-parse.js");
    let mut identity = bundle.clone();
    for interpreting in ["verdict.rs", "hints.rs", "layout.rs"] {
        let path = Path::new("src/diagram/mermaid").join(interpreting);
        println!("cargo:rerun-if-changed={}", path.display());
        identity.extend(fs::read(&path).unwrap_or_default());
    }
    writeln!(
        out,
        "pub const MERMAID_BUNDLE_ID: &str = \"{:016x}\";",
        fnv1a(&identity)
    )
    .unwrap();
    let original = dist.join("assign-with-depth.js").display().to_string();
    writeln!(
        out,
        "/// mermaid's own `assignWithDepth`, which the tests hold `js/quickjs-env.mjs`'s shortcut to.\n\
         #[cfg(test)]\npub static MERMAID_ASSIGN_WITH_DEPTH: &str = include_str!({original:?});"
    )
    .unwrap();
    let grammars = dist.join("grammars.json").display().to_string();
    writeln!(
        out,
        "/// mermaid's jison grammars as data (`js/extract-grammars.mjs`), run natively by `src/diagram/mermaid/native/`.\n\
         pub static MERMAID_GRAMMARS_JSON: &str = include_str!({grammars:?});"
    )
    .unwrap();
    for (name, file) in [
        ("MERMAID_BROWSER_JS", "mermaid.min.js"),
        ("MERMAID_PARSE_JS", "mermaid-parse.js"),
    ] {
        let path = dist.join(file).display().to_string();
        writeln!(out, "pub static {name}: &[u8] = include_bytes!({path:?});").unwrap();
    }
    let bytecode = out_dir().join("mermaid-parse.qjsbc");
    fs::write(&bytecode, compile_bytecode(&bundle)).expect("write the mermaid bytecode");
    writeln!(
        out,
        "pub static MERMAID_PARSE_BYTECODE: &[u8] = include_bytes!({:?});",
        bytecode.display().to_string()
    )
    .unwrap();
}

/// The parse-only bundle as QuickJS bytecode (a module; no source text or debug lines, which
/// mermaid's parse errors do not need). An empty result makes archsite compile the source at
/// run time instead.
fn compile_bytecode(bundle: &[u8]) -> Vec<u8> {
    use rquickjs::module::WriteOptions;
    use rquickjs::{Context, Module, Runtime};
    let Ok(source) = std::str::from_utf8(bundle) else {
        return Vec::new();
    };
    let Ok(runtime) = Runtime::new() else {
        return Vec::new();
    };
    runtime.set_max_stack_size(64 << 20);
    let Ok(context) = Context::full(&runtime) else {
        return Vec::new();
    };
    context.with(|ctx| {
        Module::declare(ctx, "mermaid-parse", source)
            .and_then(|module| {
                module.write(WriteOptions {
                    strip_source: true,
                    strip_debug: true,
                    ..WriteOptions::default()
                })
            })
            .unwrap_or_else(|e| {
                println!("cargo:warning=mermaid bytecode not made ({e}); the source is compiled at run time");
                Vec::new()
            })
    })
}

/// Installs the pinned packages in `work` (a copy of `js/`'s package files under `OUT_DIR`) and
/// makes the artefacts in `dist`.
fn make_mermaid(js: &Path, work: &Path, dist: &Path) {
    fs::create_dir_all(work).expect("create $OUT_DIR/js");
    for name in MERMAID_INPUTS {
        fs::copy(js.join(name), work.join(name))
            .unwrap_or_else(|e| panic!("copy js/{name} to {}: {e}", work.display()));
    }
    // What `npm ci` last installed here: a changed lock file installs again.
    let installed = work.join("installed-lock");
    let lock = format!(
        "{:016x}",
        fnv1a(&fs::read(js.join("package-lock.json")).expect("read js/package-lock.json"))
    );
    let needs_install = !work.join("node_modules/mermaid/package.json").is_file()
        || !work.join("node_modules/.bin/esbuild").exists()
        || fs::read_to_string(&installed).ok().as_deref() != Some(lock.as_str());
    if needs_install {
        // Cargo shows a build script's output only as warnings: this is the one line a
        // newcomer sees while the first build waits for the registry.
        println!(
            "cargo:warning=installing mermaid {} and esbuild from the npm registry (`npm ci`, once per \
             profile and target folder: a 50 MB download, 1 to 3 minutes on a first run, seconds from \
             npm's cache)",
            pinned_mermaid_version(js)
        );
        check_npm();
        run(
            Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
                .current_dir(work),
            "npm ci",
        );
        fs::write(&installed, &lock).expect("write $OUT_DIR/js/installed-lock");
    }
    fs::create_dir_all(dist).expect("create $OUT_DIR/js/dist");
    // Bundled readable first, so that `patch_bundle` can find mermaid's code by its text, then
    // minified.
    let full = work.join("mermaid-parse.full.js");
    run(
        Command::new(work.join("node_modules/.bin/esbuild"))
            .args([
                "parse-entry.mjs",
                "--bundle",
                "--format=iife",
                "--platform=browser",
                "--alias:dompurify=./dompurify-stub.mjs",
                "--legal-comments=none",
                "--log-level=warning",
            ])
            .arg(format!("--outfile={}", full.display()))
            .current_dir(work),
        "esbuild",
    );
    let text = fs::read_to_string(&full).expect("read the bundle");
    let (patched, original_assign) = patch_bundle(&text);
    // mermaid's own jison tables and lexer rules, read from the readable bundle by Node.
    let grammars = Command::new("node")
        .arg("extract-grammars.mjs")
        .arg(&full)
        .current_dir(work)
        .output()
        .unwrap_or_else(|e| {
            panic!("\n\nBuilding archsite runs Node once to read mermaid's grammars: {e}\n\n")
        });
    assert!(
        grammars.status.success(),
        "js/extract-grammars.mjs failed: {}",
        String::from_utf8_lossy(&grammars.stderr)
    );
    fs::write(dist.join("grammars.json"), &grammars.stdout).expect("write grammars.json");
    let patched_file = work.join("mermaid-parse.patched.js");
    fs::write(&patched_file, patched).expect("write the patched bundle");
    fs::write(dist.join("assign-with-depth.js"), original_assign)
        .expect("write assign-with-depth.js");
    run(
        Command::new(work.join("node_modules/.bin/esbuild"))
            .arg(&patched_file)
            .args(["--minify", "--legal-comments=none", "--log-level=warning"])
            .arg(format!(
                "--outfile={}",
                dist.join("mermaid-parse.js").display()
            ))
            .current_dir(work),
        "esbuild --minify",
    );
    let package = work.join("node_modules/mermaid");
    fs::copy(
        package.join("dist/mermaid.min.js"),
        dist.join("mermaid.min.js"),
    )
    .expect("copy mermaid.min.js");
    fs::copy(
        work.join("node_modules/idiomorph/dist/idiomorph.min.js"),
        dist.join("idiomorph.min.js"),
    )
    .expect("copy idiomorph.min.js");
    let manifest =
        fs::read_to_string(package.join("package.json")).expect("read mermaid's package.json");
    fs::write(dist.join("version"), json_version(&manifest)).expect("write the mermaid version");
}

/// Splices two shortcuts of `js/quickjs-env.mjs` into the readable bundle, where mermaid's
/// parse spends most of its time in QuickJS (measured: docs/benchmarks.md): the config merge
/// `assignWithDepth` into a fresh object (`__archsiteAssignFresh`, ~70 % of a small diagram) and
/// the jison lexers' rule loop (`__archsiteFirstRule`, one regex instead of up to ~150 per
/// token). Both give the same results as the code they stand in for, which stays in place for
/// the cases they decline. Also returns mermaid's own `assignWithDepth`, which the tests compare
/// the shortcut with. A pattern not found (another mermaid version) leaves that code as it is,
/// with a warning: slower, never wrong.
fn patch_bundle(text: &str) -> (String, String) {
    const ASSIGN: &str =
        "assignWithDepth = /* @__PURE__ */ __name((dst, src, { depth = 2 } = {}) => {";
    let mut out = text.to_string();
    let mut original = String::new();
    match (out.matches(ASSIGN).count(), out.find(ASSIGN)) {
        (1, Some(at)) => {
            let body = &out[at + ASSIGN.len()..];
            if let Some(end) = body.find("}, \"assignWithDepth\");") {
                original = format!(
                    "(dst, src, {{ depth = 2 }} = {{}}) => {{{}}}",
                    &body[..end].replace("assignWithDepth(", "__original(")
                );
            }
            out.replace_range(
                at..at + ASSIGN.len(),
                &format!(
                    "{ASSIGN}\n        if (depth === 2) {{ const fresh = globalThis.__archsiteAssignFresh(dst, src); \
                     if (fresh !== void 0) return fresh; }}"
                ),
            );
        }
        _ => {
            println!("cargo:warning=mermaid's assignWithDepth not found: its shortcut is not used")
        }
    }
    // jison-lex's `next()`: `var R = this._currentRules(); for (var I = 0; I < R.length; I++) {
    // tempMatch = this._input.match(this.rules[R[I]]); if (tempMatch && (!M || …)) { M =
    // tempMatch; X = I; …` with names chosen by esbuild per lexer.
    let lexer_loop = regex::Regex::new(
        r"var (\w+) = this\._currentRules\(\);\n(\s*)for \(var (\w+) = 0; (\w+) < (\w+)\.length; (\w+)\+\+\) \{\n\s*tempMatch = this\._input\.match\(this\.rules\[(\w+)\[(\w+)\]\]\);\n\s*if \(tempMatch && \(!(\w+) \|\| tempMatch\[0\]\.length > (\w+)\[0\]\.length\)\) \{\n\s*(\w+) = tempMatch;\n\s*(\w+) = (\w+);",
    )
    .expect("the lexer loop pattern");
    let mut loops = 0;
    let patched = lexer_loop.replace_all(&out, |c: &regex::Captures| {
        let (rules, indent, i, matched, index) = (&c[1], &c[2], &c[3], &c[9], &c[12]);
        let consistent = [&c[5], &c[7]].iter().all(|r| *r == rules)
            && [&c[4], &c[6], &c[8], &c[13]].iter().all(|v| *v == i)
            && &c[10] == matched
            && &c[11] == matched;
        if !consistent {
            return c[0].to_string();
        }
        loops += 1;
        let rest = &c[0][format!("var {rules} = this._currentRules();\n{indent}").len()..];
        format!(
            "var {rules} = this._currentRules();\n{indent}var firstRule = globalThis.__archsiteFirstRule(this, {rules});\n\
             {indent}if (firstRule !== void 0) {{ if (firstRule >= 0) {{ {matched} = this._input.match(this.rules[{rules}[firstRule]]); {index} = firstRule; }} }} else\n\
             {indent}{rest}"
        )
    });
    let patched = patched.into_owned();
    if loops == 0 {
        println!("cargo:warning=jison's lexer loop not found in mermaid: its shortcut is not used");
    }
    (patched, original)
}

/// The mermaid version `js/package.json` pins, for the line printed before installing it.
fn pinned_mermaid_version(js: &Path) -> String {
    let manifest = fs::read_to_string(js.join("package.json")).unwrap_or_default();
    manifest
        .split("\"mermaid\"")
        .nth(1)
        .and_then(|rest| rest.split('"').nth(1))
        .unwrap_or("(pinned)")
        .to_string()
}

/// The `"version"` of a package.json.
fn json_version(manifest: &str) -> &str {
    manifest
        .split("\"version\"")
        .nth(1)
        .and_then(|rest| rest.split('"').nth(1))
        .expect("mermaid's package.json has a version")
}

/// Fails with what to install when npm cannot be run at all (before `npm ci` would).
fn check_npm() {
    let found = Command::new("npm")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        panic!(
            "\n\nBuilding archsite needs npm once: it embeds mermaid.js from the npm registry.\n\
             `npm` was not found (or does not run). Install Node.js 20+ with npm \
             (Debian: `apt-get install nodejs npm`), then build again.\n\
             The built archsite binary needs neither Node nor the network.\n\n"
        );
    }
}

fn run(command: &mut Command, what: &str) {
    let status = command.status().unwrap_or_else(|e| {
        panic!(
            "\n\nBuilding archsite needs npm once: it embeds mermaid.js from the npm registry, \
             and could not run {what}: {e}.\n\
             Install Node.js 20+ with npm (Debian: `apt-get install nodejs npm`), then build again.\n\n"
        )
    });
    assert!(
        status.success(),
        "\n\n{what} failed ({status}). The first build of archsite in a target folder installs \
         mermaid.js and esbuild with `npm ci`: the npm registry (or npm's cache) must be reachable. \
         Check `npm ping`, a proxy (`npm config get proxy`) or a registry mirror \
         (`npm config get registry`), then build again.\n\n"
    );
}

fn out_dir() -> PathBuf {
    PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"))
}

/// A stable hash for the stamp (std's hasher may change between Rust releases).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn main() {
    let root =
        PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let mut out = String::new();
    embed(&mut out, "THEME_FILES", &root.join("themes/default"));
    embed(&mut out, "SCAFFOLD_FILES", &root.join("scaffold"));
    mermaid(&mut out, &root.join("js"));
    let dest = out_dir().join("embedded.rs");
    fs::write(dest, out).expect("write embedded.rs");
}

fn embed(out: &mut String, name: &str, dir: &Path) {
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files = Vec::new();
    collect(dir, dir, &mut files);
    files.sort();
    writeln!(out, "pub static {name}: &[(&str, &[u8])] = &[").unwrap();
    for (rel, abs) in files {
        println!("cargo:rerun-if-changed={}", abs.display());
        writeln!(
            out,
            "    ({rel:?}, include_bytes!({:?})),",
            abs.display().to_string()
        )
        .unwrap();
    }
    writeln!(out, "];").unwrap();
}

fn collect(base: &Path, dir: &Path, files: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        if path.is_dir() {
            // Folders are watched too, so that adding a file re-runs this script.
            println!("cargo:rerun-if-changed={}", path.display());
            collect(base, &path, files);
        } else {
            let rel = path
                .strip_prefix(base)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            files.push((rel, path));
        }
    }
}
