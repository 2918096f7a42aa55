//! Command-line arguments (clap). Parsing only; `main.rs` acts on them.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(name = "archsite", version, about = "Build a cross-linked, validated website from architecture documents in Markdown", long_about = None)]
pub struct Cli {
    /// When to colour diagnostics (auto: only on a terminal, and never with NO_COLOR set)
    #[arg(long, value_enum, default_value_t = Color::Auto, global = true)]
    pub color: Color,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// compiler-style messages with source snippets
    Human,
    /// one JSON object per line
    Json,
    /// GitHub Actions workflow annotations
    Github,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Deny {
    /// treat every warning as an error (for CI)
    Warnings,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new site: archsite.yaml, a master index, dev and prod documents, data and a diagram
    Init {
        /// Folder to create (must not exist or be empty)
        dir: PathBuf,
        /// Language of the sample text and of the theme
        #[arg(long, value_parser = ["ko", "en"], default_value = "ko")]
        lang: String,
    },
    /// Build the site into the output folder (public/ by default); nothing is written if there are errors
    Build {
        #[command(flatten)]
        site: SiteOpts,
        /// Output folder (default: public/ in the site folder, or `output` in archsite.yaml)
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Write into an output folder that archsite did not create (its other files are removed)
        #[arg(long)]
        force: bool,
    },
    /// Check the site (links, anchors, front matter, lints, templates) without writing anything
    Check {
        #[command(flatten)]
        site: SiteOpts,
        /// Also check external http(s) links (concurrent, cached; see `external:` in archsite.yaml)
        #[arg(long)]
        external: bool,
    },
    /// Live preview: build in memory, serve on http://127.0.0.1:1111, rebuild and reload the browser on every save
    Serve {
        #[command(flatten)]
        site: SiteOpts,
        /// Port to listen on (0: any free port)
        #[arg(short, long, default_value_t = 1111)]
        port: u16,
        /// Address to listen on; anything but loopback makes the preview reachable from the network
        #[arg(long, default_value = "127.0.0.1")]
        bind: String,
        /// Open the site in the default browser
        #[arg(long)]
        open: bool,
        /// Also answer requests for this host name (a proxy, a tunnel, a name in /etc/hosts);
        /// repeatable; `.example.com` allows its subdomains too. localhost, loopback addresses
        /// and the --bind address are always answered; other hosts get 403 (DNS rebinding)
        #[arg(long = "allow-host", value_name = "NAME", value_parser = host_pattern)]
        allow_host: Vec<String>,
    },
}

fn host_pattern(name: &str) -> Result<String, String> {
    if crate::config::is_host_pattern(name) {
        Ok(name.to_string())
    } else {
        Err("a host name alone, without scheme, port or path (`docs.example.com`), or `.example.com` for its subdomains too".into())
    }
}

#[derive(Debug, Args)]
pub struct SiteOpts {
    /// Site folder: holds archsite.yaml or content/, or is itself a folder of Markdown [default: .]
    pub path: Option<PathBuf>,
    /// Include pages marked `draft: true`
    #[arg(long)]
    pub drafts: bool,
    /// How to print diagnostics
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Print how long each stage of the build took
    #[arg(long)]
    pub timings: bool,
    /// `--deny warnings`: fail (exit 1) on warnings too
    #[arg(long, value_enum)]
    pub deny: Option<Deny>,
}
