//! `archsite serve`: the live preview. Sits on top of the pipeline; the build knows nothing of
//! it.
//!
//! - `server`: the HTTP/1.1 server itself (std + httparse, a thread per connection);
//! - `guard`: which requests are answered (the `Host` and `Origin` checks against DNS
//!   rebinding);
//! - `http`: request → response over the in-memory site (no URL reaches the disk by its path);
//! - `watch`: debounced file events, filtered by the rules the build's walk applies;
//! - `rebuild`: a build per batch of changes, swapped in when it has no errors;
//! - `live`: Server-Sent Events to every open page, and the script that listens to them.
//!
//! A rebuild runs the whole pipeline with a `pipeline::Cache`, so unchanged pages are neither
//! parsed nor rendered again. A build with errors never replaces the last good site: pages keep
//! being served and the errors go to the browser as an overlay and to the terminal.

pub mod guard;
pub mod http;
pub mod live;
mod rebuild;
pub mod server;
pub mod watch;

use crate::config::SiteArgs;
use crate::diag::{render_human, ColorMode};
use crate::load::rules::Inputs;
use crate::output::Output;
use crate::pipeline::{build_preview, search_output, Cache};
use http::{Response as Reply, INTERNAL};
use live::{event, Hub};
use server::Request;
use std::io::Write;
use std::path::PathBuf;
use std::sync::mpsc;
use std::sync::{Arc, RwLock};

pub struct ServeOptions {
    pub bind: String,
    pub port: u16,
    pub open: bool,
    pub color: ColorMode,
    /// Print the time of each pipeline stage of every rebuild.
    pub timings: bool,
    /// Host names to answer besides localhost and the bind address (`--allow-host`).
    pub allowed_hosts: Vec<String>,
}

/// What requests are answered from: the last good build, and the errors of the latest one.
struct Snapshot {
    output: Arc<Output>,
    /// The search index, built after the pages of each rebuild (see `rebuild_loop`).
    search: Arc<Output>,
    /// JSON array for the overlay when the latest build failed.
    errors: Option<String>,
    /// The settings of the last good build: the site is served below its base path, files
    /// published by copy must stay in its content folder, and its hosts are answered.
    site: Arc<SiteSettings>,
}

struct SiteSettings {
    base_path: String,
    content_dir: PathBuf,
    hosts: guard::Hosts,
}

impl SiteSettings {
    fn of(config: &crate::config::Config, options: &HostOptions) -> SiteSettings {
        SiteSettings {
            base_path: config.base_path.clone(),
            content_dir: config.content_dir.clone(),
            hosts: guard::Hosts::new(
                &options.bind,
                options
                    .allowed
                    .iter()
                    .chain(&config.allowed_hosts)
                    .map(String::as_str),
            ),
        }
    }
}

/// What the command line says about the hosts to answer (the config adds to it).
struct HostOptions {
    bind: String,
    allowed: Vec<String>,
}

struct Shared {
    snapshot: RwLock<Arc<Snapshot>>,
    hub: Hub,
    hosts: HostOptions,
    streams: Arc<server::Slots>,
    /// Hosts already reported as refused (each is reported once, up to a bound).
    refused: std::sync::Mutex<std::collections::BTreeSet<String>>,
}

impl Shared {
    fn current(&self) -> Arc<Snapshot> {
        self.snapshot.read().expect("snapshot lock").clone()
    }

    /// Tells the writer once per host that requests for it were refused, in case it is a name
    /// they use on purpose.
    fn report_refused(&self, host: Option<&str>) {
        let host: String = host.unwrap_or("").chars().take(100).collect();
        let Ok(mut refused) = self.refused.lock() else {
            return;
        };
        if refused.len() < 16 && refused.insert(host.clone()) {
            eprintln!(
                "warning: refused a request for host `{host}` (only localhost and the preview's \
                 own address are answered); if you use that name, pass `--allow-host NAME`"
            );
        }
    }
}

const MAX_STREAMS: usize = 512;

/// Builds, serves and rebuilds on change until the process is stopped.
pub fn serve(args: SiteArgs, options: ServeOptions) -> Result<(), String> {
    let mut cache = Cache::default();
    let mut first = build_preview(&args, &mut cache);
    let search = first
        .search_inputs
        .take()
        .map(|inputs| search_output(&inputs, &cache.search_cache()))
        .unwrap_or_default();
    eprint!(
        "{}",
        render_human(&first.diagnostics, &first.sources, options.color)
    );
    let Some(config) = first.config.clone() else {
        return Err("the site could not be loaded; fix the errors above".into());
    };
    // Verdicts may all have come from the disk cache: start the engines of the site's diagram
    // languages now anyway (mermaid's parser, PlantUML's Java), so that the first edit to a
    // diagram does not wait for them.
    cache.prewarm_diagrams(&config);
    let hosts = HostOptions {
        bind: options.bind.clone(),
        allowed: options.allowed_hosts.clone(),
    };
    let shared = Arc::new(Shared {
        snapshot: RwLock::new(Arc::new(Snapshot {
            errors: rebuild::overlay_payload(&first),
            output: Arc::new(first.output),
            search: Arc::new(search),
            site: Arc::new(SiteSettings::of(&config, &hosts)),
        })),
        hub: Hub::default(),
        hosts,
        streams: server::Slots::new(MAX_STREAMS),
        refused: Default::default(),
    });

    let listener =
        listen(&options.bind, options.port).map_err(|e| listen_error(&options, &e.to_string()))?;
    let addr = listener.local_addr().map_or_else(
        |_| format!("{}:{}", options.bind, options.port),
        |a| a.to_string(),
    );
    let url = format!("http://{addr}{}", config.base_path);
    eprintln!("Serving on {url}  (Ctrl-C to stop)");
    if options.open {
        if let Err(e) = opener::open(&url) {
            eprintln!("warning: could not open a browser: {e}");
        }
    }

    let (changes_tx, changes_rx) = mpsc::channel();
    let watcher = watch::Watcher::new(Inputs::of(&config), changes_tx.clone())?;
    let (index_tx, index_rx) = mpsc::channel();
    let index_shared = shared.clone();
    let index_cache = cache.search_cache();
    std::thread::spawn(move || rebuild::index_loop(index_rx, &index_cache, &index_shared));
    let rebuilds = rebuild::Rebuilds {
        args,
        cache,
        changes: changes_rx,
        again: changes_tx,
        watcher,
        to_index: index_tx,
        shared: shared.clone(),
        color: options.color,
        timings: options.timings,
    };
    std::thread::spawn(move || rebuilds.run());

    server::run(listener, Arc::new(move |request| handle(&shared, request)));
    Ok(())
}

/// Every request: refused unless it names an allowed host, else the event stream, the live
/// script, or a file of the site.
fn handle(shared: &Shared, request: Request) {
    let snapshot = shared.current();
    let host = request.header("Host");
    if !snapshot.site.hosts.allows(host) {
        shared.report_refused(host);
        let text = guard::refusal(host);
        request.respond(
            403,
            &[("Content-Type", "text/plain; charset=utf-8")],
            text.as_bytes(),
        );
        return;
    }
    let path = request.url.split(['?', '#']).next().unwrap_or("");
    let internal = http::strip_base(path, &snapshot.site.base_path)
        .and_then(|rel| rel.strip_prefix(INTERNAL))
        .map(str::to_string);
    match internal.as_deref() {
        Some("events") => stream_events(shared, &snapshot, request),
        Some("files") => answer_bytes(
            request,
            200,
            "application/json",
            served_files(&snapshot).into_bytes(),
        ),
        Some("live.js") => answer_bytes(
            request,
            200,
            "text/javascript; charset=utf-8",
            live::LIVE_JS.as_bytes().to_vec(),
        ),
        Some(_) => answer_bytes(
            request,
            404,
            "text/plain; charset=utf-8",
            b"not found".to_vec(),
        ),
        None => answer(&snapshot, request),
    }
}

/// A listening socket with `TCP_NODELAY`, which accepted connections inherit: a response goes
/// out in several small writes, and without it the last one waits ~40 ms for the browser's
/// delayed ACK.
fn listen(bind: &str, port: u16) -> std::io::Result<std::net::TcpListener> {
    use socket2::{Domain, Socket, Type};
    let addr = std::net::ToSocketAddrs::to_socket_addrs(&(bind, port))?
        .next()
        .ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("cannot resolve `{bind}`"),
            )
        })?;
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
    socket.set_reuse_address(true)?;
    socket.set_tcp_nodelay(true)?;
    socket.bind(&addr.into())?;
    socket.listen(1024)?;
    Ok(socket.into())
}

fn listen_error(options: &ServeOptions, error: &str) -> String {
    if error.contains("in use") {
        format!("port {} on {} is already in use: stop the other server, or pass `--port 0` for any free port", options.port, options.bind)
    } else {
        format!(
            "cannot listen on {}:{}: {error}",
            options.bind, options.port
        )
    }
}

/// Holds the connection open and writes every event of the hub to it (on the connection's
/// own thread). Only pages of the preview's own origin may listen.
fn stream_events(shared: &Shared, snapshot: &Snapshot, request: Request) {
    if !guard::same_origin(request.header("Origin"), request.header("Host")) {
        request.respond(
            403,
            &[("Content-Type", "text/plain; charset=utf-8")],
            b"archsite serve: 403 Forbidden: the event stream answers only pages of the preview itself (same origin)\n",
        );
        return;
    }
    let Some(_slot) = shared.streams.take() else {
        request.respond(
            503,
            &[("Content-Type", "text/plain; charset=utf-8")],
            b"too many open previews",
        );
        return;
    };
    let first = snapshot.errors.as_ref().map(|e| event("errors", e));
    let mut stream = shared
        .hub
        .subscribe(Some(first.unwrap_or_else(|| event("hello", ""))));
    let mut writer = request.into_stream();
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\nCache-Control: no-store\r\nX-Accel-Buffering: no\r\nConnection: close\r\n\r\nretry: 1000\n\n";
    let mut ok = writer
        .write_all(head.as_bytes())
        .and_then(|_| writer.flush())
        .is_ok();
    while ok {
        let Some(message) = stream.next_message() else {
            break;
        };
        ok = writer
            .write_all(message.as_bytes())
            .and_then(|_| writer.flush())
            .is_ok();
    }
}

/// What the preview serves, as JSON: `{"errors": [...], "files": [...]}`, the errors of the
/// latest build (as the overlay shows them; its pages are not served then) and the output paths
/// of the last good one. For tests and tools that compare the preview with a build.
fn served_files(snapshot: &Snapshot) -> String {
    let mut files: Vec<&String> = snapshot
        .output
        .iter()
        .chain(snapshot.search.iter())
        .map(|(path, _)| path)
        .collect();
    files.sort();
    files.dedup();
    let errors = snapshot
        .errors
        .as_deref()
        .and_then(|e| serde_json::from_str::<serde_json::Value>(e).ok())
        .unwrap_or_else(|| serde_json::json!([]));
    serde_json::json!({ "errors": errors, "files": files }).to_string()
}

/// A page or asset of the site, else a file of the search index.
fn respond<'a>(snapshot: &'a Snapshot, url: &str) -> Reply<'a> {
    let site = &snapshot.site;
    let reply = http::respond(&snapshot.output, &site.base_path, url, &site.content_dir);
    if matches!(reply, Reply::File { status: 404, .. }) {
        let search = http::respond(&snapshot.search, &site.base_path, url, &site.content_dir);
        if matches!(search, Reply::File { status: 200, .. }) {
            return search;
        }
    }
    reply
}

/// A file of the site; pages get the live-reload script.
fn answer(snapshot: &Snapshot, request: Request) {
    let (status, content_type, body) = match respond(snapshot, &request.url) {
        Reply::Redirect(location) => {
            request.respond(301, &[("Location", &location)], b"");
            return;
        }
        Reply::File {
            status,
            content_type,
            body,
        } if content_type.starts_with("text/html") => (
            status,
            content_type,
            http::inject_live_script(&body, &snapshot.site.base_path),
        ),
        Reply::File {
            status,
            content_type,
            body,
        } => (status, content_type, body.into_owned()),
    };
    answer_bytes(request, status, content_type, body);
}

/// A complete response: ETag and 304, gzip when the client takes it.
fn answer_bytes(request: Request, status: u16, content_type: &str, body: Vec<u8>) {
    let tag = http::etag(&body);
    if status == 200 && http::not_modified(request.header("If-None-Match"), &tag) {
        request.respond(304, &[("ETag", &tag)], b"");
        return;
    }
    let mut headers = vec![
        ("Content-Type", content_type),
        ("ETag", tag.as_str()),
        ("Cache-Control", "no-cache"),
    ];
    let gzip = http::is_text(content_type)
        && body.len() > 1024
        && http::accepts_gzip(request.header("Accept-Encoding"));
    let body = if gzip {
        headers.push(("Content-Encoding", "gzip"));
        headers.push(("Vary", "Accept-Encoding"));
        http::gzip(&body)
    } else {
        body
    };
    request.respond(status, &headers, &body);
}
