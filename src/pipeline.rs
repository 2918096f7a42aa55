//! The only place that knows the order of the stages:
//! config → load (+ data) → parse → resolve (+ data tables) → render (+ search index) →
//! (if no errors) write.

use crate::config::{display_path, CONFIG_FILE};
use crate::config::{Config, SiteArgs};
use crate::diag::codes::apply_levels;
use crate::diag::Span;
use crate::diag::{has_errors, sorted, Diagnostic, SourceMap};
use crate::diagram::{self, Validator};
use crate::external::{check_external, ExternalLink};
use crate::model::document::Lending;
use crate::model::{LinkTarget, Resolved};
use crate::model::{Page, SourceFile};
use crate::output::{self, Destination, Output, Protected, WriteStats};
use crate::render::tables::Drawn;
use crate::render::{render_site, validate_templates, RenderContext, Templates};
use crate::resolve::dest_span;
use crate::{lint, load, parse, render, resolve, theme};
use rayon::prelude::*;
use std::sync::Arc;

/// A build held in memory: the output (when the build got that far), every diagnostic, and the
/// sources they point into.
#[derive(Debug, Default)]
pub struct Build {
    pub config: Option<Config>,
    pub output: Output,
    pub diagnostics: Vec<Diagnostic>,
    pub sources: SourceMap,
    pub pages: usize,
    /// How long each stage took, in order (printed by `--timings`).
    pub timings: Vec<(&'static str, std::time::Duration)>,
    /// Where a build that writes staged its pages (removed once written or failed).
    staging: Option<output::Staging>,
    /// What the search index is made from, when a preview build left the index for later
    /// (`build_preview`, then `search_output`).
    pub search_inputs: Option<SearchInputs>,
}

/// A successful build's pages and what resolve made of them: all the search index needs.
#[derive(Debug)]
pub struct SearchInputs {
    pages: Vec<Page>,
    resolved: Resolved,
    tables: Drawn,
}

impl Build {
    pub fn failed(&self) -> bool {
        has_errors(&self.diagnostics)
    }
}

/// How far the pipeline goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Render every page (the output is kept in memory).
    Build,
    /// `Build` without the search index: the live preview shows an edited page first and
    /// indexes afterwards (`search_output`).
    Preview,
    /// Validate only: every link, anchor and lint, and the templates on one page; external links
    /// too when asked.
    Check { external: bool },
}

/// A source's text and what parsing it gave (`None`: a draft left out).
type ParsedSource = (Arc<str>, Option<Page>, Vec<Diagnostic>);

/// What one build lends the next in `serve`: parsed pages (reused when their text is
/// unchanged) and rendered page bodies (reused when their inputs hash the same). Results are
/// the same bytes as a build without a cache; only the time differs.
#[derive(Debug, Default)]
pub struct Cache {
    pages: rustc_hash::FxHashMap<String, ParsedSource>,
    content: crate::render::ContentCache,
    /// Shared with `serve`'s indexing thread (`search_cache`).
    search: Arc<crate::search::IndexCache>,
    links: resolve::ResolveCache,
    lints: lint::LintCache,
    drafts: bool,
    /// Warm diagram engines and the verdicts they gave, for the settings they were made with.
    diagrams: Option<Validator>,
    /// Source texts, reused while their files are unchanged.
    texts: load::TextCache,
}

impl Cache {
    /// Tells the next build which paths the file watcher saw change since the last one (every
    /// one of them), so that it need not walk the content folder or look at unchanged files.
    pub fn note_changes(&self, paths: &[std::path::PathBuf]) {
        self.texts.note_changes(paths);
    }

    /// The search index's cache, for `search_output` on another thread.
    pub fn search_cache(&self) -> Arc<crate::search::IndexCache> {
        self.search.clone()
    }

    /// The validator for these settings: the one kept from the last build, unless the
    /// configuration changed what its engines were made with (`plantuml:` edited while a
    /// preview runs: the next build uses the new PlantUML, as `archsite build` would).
    fn validator(&mut self, settings: diagram::Settings) -> &Validator {
        if self
            .diagrams
            .as_ref()
            .is_some_and(|v| *v.settings() != settings)
        {
            self.diagrams = None;
        }
        self.diagrams
            .get_or_insert_with(|| Validator::with_settings(settings))
    }

    /// Starts the diagram engines now, so that the first edit to a diagram does not wait for
    /// them.
    pub fn prewarm_diagrams(&mut self, config: &Config) {
        self.validator(diagram::Settings::of(config)).prewarm();
    }
}

/// Runs every stage but writing. Never touches the output folder.
pub fn build(args: &SiteArgs) -> Build {
    run(args, Mode::Build, None, None)
}

/// `build` for the live preview, reusing and refreshing `cache`. The search index is not
/// built: a successful build carries `search_inputs` for `search_output` instead.
pub fn build_preview(args: &SiteArgs, cache: &mut Cache) -> Build {
    run(args, Mode::Preview, Some(cache), None)
}

/// The search index files of a preview build, reusing and refreshing `cache`'s analyses
/// (`Cache::search_cache`).
pub fn search_output(inputs: &SearchInputs, cache: &crate::search::IndexCache) -> Output {
    let mut out = Output::default();
    for (path, bytes) in crate::search::index_files(
        &inputs.pages,
        &inputs.resolved,
        Some(&inputs.tables.pages),
        Some(cache),
    ) {
        out.insert(path, crate::output::OutputFile::Bytes(bytes));
    }
    out
}

/// Everything `build` reports, without rendering every page: for `archsite check`.
pub fn check(args: &SiteArgs, external: bool) -> Build {
    run(args, Mode::Check { external }, None, None)
}

/// `writing: Some(force)` for a build that writes its output: its files go to the output
/// folder's staging (`output::Staging`) as they are made, and pages the folder already holds,
/// unchanged since the last build, are not made again.
fn run(args: &SiteArgs, mode: Mode, mut cache: Option<&mut Cache>, writing: Option<bool>) -> Build {
    let mut b = Build::default();
    let config = match Config::discover(args, &mut b.sources) {
        Ok(c) => c,
        Err(diags) => {
            b.diagnostics = sorted(diags);
            return b;
        }
    };
    let mut diags = Vec::new();
    let mut clock = std::time::Instant::now();
    let mut lap = |b: &mut Build, stage: &'static str| {
        b.timings.push((stage, clock.elapsed()));
        clock = std::time::Instant::now();
    };
    let (loaded, load_diags) =
        load::load(&config, &mut b.sources, cache.as_deref().map(|c| &c.texts));
    diags.extend(load_diags);
    lap(&mut b, "load");

    // A build without a preview's cache has its own validator, made now so that mermaid's
    // engines load while pages are parsed (`Validator::saw_diagrams`).
    let own_validator = match cache.is_some() {
        true => None,
        false => Some(Validator::with_settings(diagram::Settings::of(&config))),
    };
    let saw_diagrams = |page: &Page| {
        if let Some(v) = &own_validator {
            for d in page.diagrams.iter() {
                if let Some(language) = diagram::language(d.language) {
                    v.saw_diagrams(language, 1);
                }
            }
        }
    };
    // Pages of other kinds (diagram files) first: their diagrams start the engines early.
    let kind_pages = parse_kind_pages(loaded.kind_pages, &mut diags);
    kind_pages.iter().for_each(saw_diagrams);
    let (data, data_diags) = parse::data::parse_files(&loaded.data);
    diags.extend(data_diags);
    let (mut pages, drafts) = parse_all(
        loaded.markdown,
        config.drafts,
        cache.as_deref_mut(),
        &mut diags,
        &saw_diagrams,
    );
    pages.extend(kind_pages);
    crate::kinds::finish(&mut pages);
    lap(&mut b, "parse");

    let validator = match (cache.as_deref_mut(), &own_validator) {
        (Some(c), _) => c.validator(diagram::Settings::of(&config)),
        (None, Some(own)) => own,
        (None, None) => unreachable!("a build without a cache has its own validator"),
    };
    let (verdicts, diagram_diags) = diagram::check_pages(&pages, validator);
    // A build's own engines (20–40 MB of QuickJS heap each) are freed now, before render and
    // the search index need the memory (10,000 pages, cold: 304 MiB peak with them kept, 277
    // without).
    drop(own_validator);
    diags.extend(diagram_diags);
    lap(&mut b, "diagrams");

    let (resolved, resolve_diags) = resolve::resolve(
        &config,
        &pages,
        &loaded.assets,
        &drafts,
        cache.as_deref().map(|c| &c.links),
    );
    diags.extend(resolve_diags);
    let site = lint::Site {
        config: &config,
        pages: &pages,
        assets: &loaded.assets,
        resolved: &resolved,
    };
    diags.extend(lint::check(&site, cache.as_deref().map(|c| &c.lints)));
    diags.extend(resolve::tables::check_data(&data));
    let (tables, table_diags) = resolve::tables::resolve(&data, &pages, &resolved, &drafts);
    diags.extend(table_diags);
    lap(&mut b, "resolve");

    let theme_files = theme::theme_files(&loaded.theme_overrides);
    // A build that writes renders straight into a staging folder (see `output::Staging`);
    // one that will fail anyway renders nothing.
    let failing = writing.is_some()
        && has_errors(&apply_levels(
            diags.clone(),
            &config.levels,
            config.deny_warnings,
        ));
    let staging = match writing {
        Some(force) if !failing => open_staging(&config, force, &mut diags),
        _ => None,
    };
    // Pages go to the staging folder as they are made when the build writes, else stay in
    // memory; `output` alone decides what becomes of them.
    let dest: &dyn Destination = match &staging {
        Some(s) => s,
        None => &output::Memory,
    };
    // The data tables are drawn first: the pages and the search index both read them.
    let templates = Templates::load(&theme_files);
    let drawn = match &templates {
        Ok(t) => match render::tables::draw(t, &tables.pages, tables.diff.as_ref()) {
            Ok(d) => Some(d),
            Err(d) => {
                diags.push(d);
                None
            }
        },
        Err(_) => None,
    };
    let drawn_tables = drawn.as_ref().map(|d| d.pages.as_slice());
    let renders_pages =
        matches!(mode, Mode::Build | Mode::Preview) && !failing && templates.is_ok();
    let indexes = mode == Mode::Build && config.search;
    // A build that renders every page and keeps nothing for later (not the preview) frees
    // each page's document as soon as render and search are done with it (`Lending`).
    let documents = match cache {
        None if renders_pages => Lending::take(&mut pages, 1 + u8::from(indexes)),
        _ => Lending::default(),
    };
    // The search index needs nothing from rendering: the two are made side by side (rayon),
    // each using the cores the other leaves idle.
    let rendering = || {
        let rendered = match &templates {
            Ok(templates) => {
                let ctx = RenderContext::new(render::Inputs {
                    config: &config,
                    pages: &pages,
                    resolved: &resolved,
                    templates,
                    dest,
                    tables: drawn.as_ref(),
                    diagrams: Some(&verdicts),
                    content_cache: cache.as_deref().map(|c| &c.content),
                    documents: &documents,
                });
                if renders_pages {
                    Ok(render_site(&ctx, &theme_files))
                } else {
                    Ok((Output::default(), validate_templates(&ctx)))
                }
            }
            Err(template_diags) => Err(template_diags.clone()),
        };
        if let Some(c) = cache.as_deref() {
            c.content.finish_build();
        }
        rendered
    };
    let indexing =
        || indexes.then(|| index_site(&config, &pages, &resolved, drawn_tables, &documents, dest));
    let (rendered, indexed) = rayon::join(rendering, indexing);
    match rendered {
        Ok((out, render_diags)) => {
            diags.extend(render_diags);
            b.output = out;
        }
        Err(template_diags) => diags.extend(place_template_errors(
            template_diags,
            &config,
            &theme_files,
            &mut b.sources,
        )),
    }
    lap(&mut b, "render");
    if let Some((files, key, took)) = indexed {
        for (path, entry) in files {
            b.output.insert_entry(path, entry);
        }
        b.output.set_group(crate::search::DIR, key);
        // Its own time, spent beside `render` (whose lap is the wall time of both).
        b.timings.push(("search", took));
    }
    if mode == (Mode::Check { external: true }) {
        diags.extend(check_external_links(&config, &pages, &resolved));
        lap(&mut b, "external");
    }
    let diags = apply_levels(diags, &config.levels, config.deny_warnings);
    b.pages = pages.len();
    if mode == Mode::Preview && config.search && !has_errors(&diags) {
        b.search_inputs = Some(SearchInputs {
            pages,
            resolved,
            tables: drawn.unwrap_or_default(),
        });
        std::thread::spawn(move || drop((tables, data)));
    } else {
        // Freeing 10,000 pages takes ~30 ms that nobody needs to wait for (and the command
        // line exits without waiting at all).
        std::thread::spawn(move || drop((pages, resolved, tables, drawn, data)));
    }
    b.diagnostics = sorted(diags);
    b.config = Some(config);
    b.staging = staging;
    b
}

/// The staging folder of a build that writes (see `output::Staging`), or the diagnostic that
/// says why archsite will not write there.
fn open_staging(
    config: &Config,
    force: bool,
    diags: &mut Vec<Diagnostic>,
) -> Option<output::Staging> {
    let protected = Protected {
        content_dir: &config.content_dir,
        site_root: &config.site_root,
    };
    match output::Staging::new(&config.output_dir, &config.cache_dir, &protected, force) {
        Ok(s) => Some(s),
        Err(d) => {
            diags.push(d);
            None
        }
    }
}

/// The search index's files, handed to `dest` as they are made (or the index the output
/// already holds, when nothing it depends on changed), with the index's key and the time it
/// took.
fn index_site(
    config: &Config,
    pages: &[Page],
    resolved: &Resolved,
    tables: Option<&[Vec<Arc<str>>]>,
    documents: &Lending,
    dest: &dyn Destination,
) -> (Vec<(String, output::Entry)>, u64, std::time::Duration) {
    let clock = std::time::Instant::now();
    let salt = crate::model::hash_of(&format!("{config:?}"));
    let plan = crate::search::plan(pages, resolved, tables, salt);
    let files = match dest.held_group(crate::search::DIR, plan.key) {
        Some(entries) => {
            // The output folder holds this index: no page is read for it.
            (0..pages.len()).for_each(|id| documents.done(id));
            entries
        }
        None => crate::search::write_index(
            &plan,
            pages,
            resolved,
            tables,
            // Only the preview keeps analyses between builds, and it indexes afterwards.
            None,
            documents,
            |path, bytes| dest.place(path, output::OutputFile::Bytes(bytes)),
        ),
    };
    (files, plan.key, clock.elapsed())
}

/// Stage 2 over every Markdown file, in parallel; with a cache, a file whose text did not
/// change is not parsed again. Returns the pages and the drafts left out.
fn parse_all(
    markdown: Vec<(crate::model::SourceFile, Arc<str>)>,
    include_drafts: bool,
    mut cache: Option<&mut Cache>,
    diags: &mut Vec<Diagnostic>,
    saw_diagrams: &(dyn Fn(&Page) + Sync),
) -> (Vec<Page>, Vec<String>) {
    if let Some(c) = cache.as_deref_mut() {
        if c.drafts != include_drafts {
            c.pages.clear();
            c.drafts = include_drafts;
        }
    }
    let previous = cache.as_deref().map(|c| &c.pages);
    let parsed: Vec<Parsed> = markdown
        .into_par_iter()
        .map(|(file, text)| {
            // Same text at the same place: a content folder moved (`content:`) leaves the
            // paths of the last parse in its pages and diagnostics.
            let unchanged =
                previous
                    .and_then(|p| p.get_key_value(&file.rel))
                    .filter(|(_, (old, page, _))| {
                        (Arc::ptr_eq(old, &text) || *old == text)
                            && page.as_ref().is_none_or(|p| p.file.abs == file.abs)
                    });
            match unchanged {
                Some((rel, entry)) => Parsed::Cached(rel, entry),
                None => {
                    let rel = file.rel.clone();
                    let (page, d) = parse::parse_page(file, text.clone(), include_drafts);
                    if let Some(p) = &page {
                        saw_diagrams(p);
                    }
                    Parsed::Fresh(rel, Box::new((text, page, d)))
                }
            }
        })
        .collect();
    let mut pages = Vec::with_capacity(parsed.len());
    let mut drafts = Vec::new();
    let mut take = |rel: &str, page: Option<Page>, d: Vec<Diagnostic>| {
        diags.extend(d);
        match page {
            Some(p) => pages.push(p),
            None => drafts.push(rel.to_string()),
        }
    };
    // Only what changed goes into the cache (an unchanged entry stays as it is).
    let mut fresh = Vec::new();
    let mut sources = 0;
    for entry in parsed {
        sources += 1;
        match entry {
            Parsed::Cached(rel, (_, page, d)) => take(rel, page.clone(), d.clone()),
            Parsed::Fresh(rel, parsed) if cache.is_some() => {
                take(&rel, parsed.1.clone(), parsed.2.clone());
                fresh.push((rel, *parsed));
            }
            Parsed::Fresh(rel, parsed) => {
                let (_, page, d) = *parsed;
                take(&rel, page, d);
            }
        }
    }
    if let Some(c) = cache {
        c.pages.extend(fresh);
        // Entries of files that are gone (removed, renamed) are dropped.
        if c.pages.len() != sources {
            let current: std::collections::HashSet<&str> = pages
                .iter()
                .map(|p| p.file.rel.as_str())
                .chain(drafts.iter().map(String::as_str))
                .collect();
            c.pages.retain(|rel, _| current.contains(rel.as_str()));
        }
    }
    (pages, drafts)
}

/// The pages of the files other page kinds claimed (`kinds/`) and take by their text, in
/// load's order (the others stay published files).
fn parse_kind_pages(files: Vec<(SourceFile, Arc<str>)>, diags: &mut Vec<Diagnostic>) -> Vec<Page> {
    use rayon::prelude::*;
    let parsed: Vec<_> = files
        .into_par_iter()
        .filter_map(|(file, text)| {
            let kind = crate::kinds::claim_text(&file.rel, &text)?;
            Some(kind.parse(file, text))
        })
        .collect();
    parsed
        .into_iter()
        .map(|(page, d)| {
            diags.extend(d);
            page
        })
        .collect()
}

/// A source's parse: the cache's (its text is unchanged) or a new one.
enum Parsed<'c> {
    Cached(&'c String, &'c ParsedSource),
    Fresh(String, Box<ParsedSource>),
}

/// The in-memory search index of a site, made with `technique`: for the query-set test and the
/// comparison of matching techniques (`build` writes the default one as files). `None` when
/// the site cannot be found.
pub fn search_index(
    args: &SiteArgs,
    technique: crate::search::index::Technique,
) -> Option<crate::search::Index> {
    let mut sources = SourceMap::default();
    let config = Config::discover(args, &mut sources).ok()?;
    let (loaded, _) = load::load(&config, &mut sources, None);
    let (data, _) = parse::data::parse_files(&loaded.data);
    let (mut pages, drafts) = parse_all(
        loaded.markdown,
        config.drafts,
        None,
        &mut Vec::new(),
        &|_| {},
    );
    pages.extend(parse_kind_pages(loaded.kind_pages, &mut Vec::new()));
    crate::kinds::finish(&mut pages);
    let (resolved, _) = resolve::resolve(&config, &pages, &loaded.assets, &drafts, None);
    let (tables, _) = resolve::tables::resolve(&data, &pages, &resolved, &drafts);
    let templates = Templates::load(&theme::theme_files(&loaded.theme_overrides)).ok()?;
    let drawn = render::tables::draw(&templates, &tables.pages, tables.diff.as_ref()).ok()?;
    Some(crate::search::build_index(
        &pages,
        &resolved,
        Some(&drawn.pages),
        technique,
    ))
}

/// Template errors name a theme path (`templates/page.html`): point them at the file of the
/// site it came from (the site's `templates/` wins over `themes/<name>/`), whose text the
/// snippet shows.
fn place_template_errors(
    diags: Vec<Diagnostic>,
    config: &Config,
    theme_files: &std::collections::BTreeMap<String, Vec<u8>>,
    sources: &mut SourceMap,
) -> Vec<Diagnostic> {
    let mut roots = vec![config.site_root.clone()];
    if let Some(theme) = &config.theme {
        roots.push(config.site_root.join("themes").join(theme));
    }
    diags
        .into_iter()
        .map(|mut d| {
            let Some(span) = &mut d.span else { return d };
            let Some(origin) = roots
                .iter()
                .map(|r| r.join(&*span.file))
                .find(|p| p.is_file())
            else {
                return d;
            };
            let shown: Arc<str> = display_path(&origin).into();
            if let Some(bytes) = theme_files.get(&*span.file) {
                sources.add(shown.clone(), String::from_utf8_lossy(bytes).into());
            }
            span.file = shown;
            d
        })
        .collect()
}

/// Builds, and writes the output only when the build has no errors.
pub fn build_and_write(args: &SiteArgs, force: bool) -> (Build, Option<WriteStats>) {
    let mut b = run(args, Mode::Build, None, Some(force));
    let staging = b.staging.take();
    let (b, stats) = write_build(b, force, staging.as_ref());
    if let Some(s) = staging {
        s.discard();
    }
    (b, stats)
}

fn write_build(
    mut b: Build,
    force: bool,
    staging: Option<&output::Staging>,
) -> (Build, Option<WriteStats>) {
    if b.failed() {
        return (b, None);
    }
    let Some(config) = &b.config else {
        return (b, None);
    };
    let protected = Protected {
        content_dir: &config.content_dir,
        site_root: &config.site_root,
    };
    let clock = std::time::Instant::now();
    output::forget_manifest(&config.cache_dir);
    let written = match staging {
        Some(s) => s.write(&b.output),
        None => output::write(&b.output, &config.output_dir, &protected, force),
    };
    match written {
        Ok(stats) => {
            output::save_manifest(&config.cache_dir, &config.output_dir, &b.output, staging);
            b.timings.push(("write", clock.elapsed()));
            (b, Some(stats))
        }
        Err(diag) => {
            b.diagnostics.push(diag);
            (b, None)
        }
    }
}

/// Every http(s) link of the site, checked over the network (only with `check --external`).
fn check_external_links(config: &Config, pages: &[Page], resolved: &Resolved) -> Vec<Diagnostic> {
    let mut links = Vec::new();
    for (id, page) in pages.iter().enumerate() {
        for (link, target) in page.links.iter().zip(resolved.links[id].iter()) {
            let url = link.dest.trim();
            let web =
                url.starts_with("http://") || url.starts_with("https://") || url.starts_with("//");
            if target.target == LinkTarget::External && web {
                let span = Span {
                    file: page.file.display.clone(),
                    range: dest_span(page, link),
                };
                links.push(ExternalLink {
                    url: url.to_string(),
                    span,
                });
            }
        }
    }
    let config_file: Arc<str> = display_path(&config.site_root.join(CONFIG_FILE)).into();
    check_external(&links, &config.external, Some(&config.cache_dir))
        .into_iter()
        // Invalid `skip`/`allow` patterns come back without a place: they are in the config.
        .map(|d| {
            if d.code == "config" && d.span.is_none() {
                d.in_file(&config_file)
            } else {
                d
            }
        })
        .collect()
}
