//! The `archsite` command: parses arguments, runs the library, prints diagnostics once, and
//! exits 0 (success), 1 (content errors) or 2 (usage errors).

use archsite::cli::{Cli, Color, Command, Deny, Format, SiteOpts};
use archsite::config::SiteArgs;
use archsite::diag::{render_github, render_human, render_json, ColorMode};
use archsite::pipeline::{self, Build};
use clap::Parser;
use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Instant;

// mimalloc: about 10% less CPU than glibc's malloc for a build (docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

// By default mimalloc commits its arenas eagerly and, on Linux, purges freed memory with
// MADV_FREE, which leaves it counted as resident: a 10,000-page build then peaks at ~315 MB
// instead of ~265 MB. Lazy commit makes purges give the memory back. The option must be set
// before the first allocation, which Rust's runtime makes before `main`, hence a constructor.
#[cfg(target_os = "linux")]
#[used]
#[link_section = ".init_array"]
static MIMALLOC_LAZY_COMMIT: extern "C" fn() = {
    extern "C" {
        fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
    }
    // `mi_option_arena_eager_commit` in mimalloc v3's mimalloc.h (libmimalloc-sys 0.1.49,
    // pinned by Cargo.lock); the sys crate does not export the v3 constant.
    const ARENA_EAGER_COMMIT: std::ffi::c_int = 4;
    extern "C" fn lazy_commit() {
        // SAFETY: sets a global option; called once, before any thread or allocation exists.
        unsafe { mi_option_set(ARENA_EAGER_COMMIT, 0) };
    }
    lazy_commit
};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let color = match cli.color {
        Color::Always => ColorMode::Always,
        Color::Never => ColorMode::Never,
        Color::Auto
            if std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stderr().is_terminal() =>
        {
            ColorMode::Always
        }
        Color::Auto => ColorMode::Never,
    };
    match cli.command {
        Command::Init { dir, lang } => match archsite::init::init(&dir, &lang) {
            Ok(files) => {
                eprintln!(
                    "Created {} with {} files. Next: `archsite serve {}`",
                    dir.display(),
                    files.len(),
                    dir.display()
                );
                ExitCode::SUCCESS
            }
            Err(message) => {
                eprintln!("error: {message}");
                ExitCode::from(1)
            }
        },
        Command::Build {
            site,
            output,
            force,
        } => {
            let start = Instant::now();
            let args = site_args(&site, output);
            let (build, stats) = pipeline::build_and_write(&args, force);
            report(&build, site.format, color);
            if site.timings {
                print_timings(&build);
            }
            // The process ends here: freeing every page's text one by one would only cost time.
            let build = std::mem::ManuallyDrop::new(build);
            match (stats, &build.config) {
                (Some(stats), Some(config)) => {
                    eprintln!(
                        "Built {} pages into {} in {} ms ({} files written, {} unchanged, {} removed; {} pages not rendered again)",
                        build.pages,
                        archsite::config::display_path(&config.output_dir),
                        start.elapsed().as_millis(),
                        stats.written,
                        stats.unchanged,
                        stats.removed,
                        stats.kept
                    );
                    ExitCode::SUCCESS
                }
                _ => {
                    eprintln!("Build failed: nothing was written.");
                    ExitCode::from(1)
                }
            }
        }
        Command::Check { site, external } => {
            let build =
                std::mem::ManuallyDrop::new(pipeline::check(&site_args(&site, None), external));
            report(&build, site.format, color);
            if site.timings {
                print_timings(&build);
            }
            if build.failed() {
                ExitCode::from(1)
            } else {
                if site.format == Format::Human {
                    eprintln!("Checked {} pages: no errors.", build.pages);
                }
                ExitCode::SUCCESS
            }
        }
        Command::Serve {
            site,
            port,
            bind,
            open,
            allow_host,
        } => {
            if bind != "127.0.0.1" && bind != "localhost" && bind != "::1" {
                eprintln!("warning: serving on {bind}: anyone on your network can read this site");
            }
            let options = archsite::serve::ServeOptions {
                bind,
                port,
                open,
                color,
                timings: site.timings,
                allowed_hosts: allow_host,
            };
            match archsite::serve::serve(site_args(&site, None), options) {
                Ok(()) => ExitCode::SUCCESS,
                Err(message) => {
                    eprintln!("error: {message}");
                    ExitCode::from(1)
                }
            }
        }
    }
}

fn site_args(site: &SiteOpts, output: Option<std::path::PathBuf>) -> SiteArgs {
    SiteArgs {
        path: site.path.clone(),
        output,
        drafts: site.drafts,
        deny_warnings: site.deny == Some(Deny::Warnings),
    }
}

fn print_timings(build: &Build) {
    for (stage, took) in &build.timings {
        eprintln!("{stage:>8}: {:>7.1} ms", took.as_secs_f64() * 1000.0);
    }
}

fn report(build: &Build, format: Format, color: ColorMode) {
    let text = match format {
        Format::Human => render_human(&build.diagnostics, &build.sources, color),
        Format::Json => render_json(&build.diagnostics, &build.sources),
        Format::Github => render_github(&build.diagnostics, &build.sources),
    };
    match format {
        Format::Json | Format::Github => print!("{text}"),
        Format::Human => eprint!("{text}"),
    }
}
