//! "The preview serves exactly what `build` would publish, after any sequence of edits", as a
//! property the tests hold: a running `archsite serve` is compared, after every step, with a
//! fresh `archsite build` of the same files (`harness`), over seeded random edit sequences on
//! copies of the sample and of the fixture sites (`edits`), and over fixed scenarios: the six
//! ways the preview once differed from the build, and a build into `public/` while it runs.
//!
//! `ARCHSITE_DIFF_STEPS=N` sets the steps per site (default 16: about a minute of test time in
//! all on a 2-core machine); `ARCHSITE_DIFF_SEED=S` replays a run (the seed is printed, and
//! every failure says it).

mod edits;
mod harness;

use crate::serve::{start_in, Events};
use crate::support::{archsite, fixture};
use edits::{set_config, set_modified, Editor};
use harness::Differential;
use std::path::Path;
use std::time::{Duration, Instant};

fn steps() -> usize {
    std::env::var("ARCHSITE_DIFF_STEPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(16)
}

/// The seed of this run: `ARCHSITE_DIFF_SEED`, or a new one each run (more sequences are tried
/// over time).
fn run_seed() -> u64 {
    std::env::var("ARCHSITE_DIFF_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        })
}

/// Random steps over `site`, each followed by a comparison with a fresh build.
fn random_edits(name: &str, mut site: Differential) {
    let seed = run_seed();
    site.seed = Some(seed);
    let steps = steps();
    eprintln!("preview equals build, {name}: ARCHSITE_DIFF_SEED={seed}, {steps} steps");
    let began = Instant::now();
    // Each site its own sequence of the run's seed.
    let site_seed = name.bytes().fold(seed, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    let mut editor = Editor::new(&site, site_seed);
    site.check("as started");
    for step in 1..=steps {
        editor.step(&mut site);
        site.check(&format!("step {step}"));
    }
    // Nothing late (a rebuild still queued, the search index) may undo it.
    std::thread::sleep(Duration::from_millis(300));
    site.check("settled");
    eprintln!(
        "preview equals build, {name}: {steps} steps in {:?}",
        began.elapsed()
    );
}

/// A copy of the sample site of this repository (`archsite.yaml` and `content/`) in `site/` of
/// a new temporary folder.
fn sample_copy() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let site = tmp.path().join("site");
    crate::support::copy_dir(&repo.join("content"), &site.join("content"));
    std::fs::copy(repo.join("archsite.yaml"), site.join("archsite.yaml")).unwrap();
    tmp
}

#[test]
fn random_edits_of_the_sample_site() {
    random_edits("sample", Differential::start(sample_copy()));
}

#[test]
fn random_edits_of_a_bare_folder() {
    random_edits("bare", Differential::of_copy(&fixture("bare/site")));
}

#[test]
fn random_edits_of_the_basic_fixture() {
    random_edits("basic", Differential::of_copy(&fixture("basic/site")));
}

#[test]
fn random_edits_of_the_tables_fixture() {
    random_edits("tables", Differential::of_copy(&fixture("tables/site")));
}

#[test]
fn random_edits_of_the_api_fixture() {
    random_edits("api", Differential::of_copy(&fixture("api/site")));
}

#[test]
fn random_edits_of_the_diagrams_fixture() {
    random_edits("diagrams", Differential::of_copy(&fixture("diagrams/site")));
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Adds a line (with a blank line before it) to the end of a text file.
fn append(path: &Path, line: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    std::fs::write(path, format!("{text}\n{line}\n")).unwrap();
}

/// A site whose `archsite.yaml` says `content: ../docs`, with the basic fixture's pages there.
fn content_outside(title: &str) -> Differential {
    let tmp = tempfile::tempdir().unwrap();
    crate::support::copy_dir(&fixture("basic/site/content"), &tmp.path().join("docs"));
    write(
        &tmp.path().join("site/archsite.yaml"),
        &format!("title: {title}\ncontent: ../docs\n"),
    );
    Differential::start(tmp)
}

/// Found by the random edits: two diagram files with the same text once shared one rendered
/// body in the preview, the first one's download link included.
#[test]
fn diagram_files_with_the_same_text_keep_their_own_pages() {
    let mut site = Differential::of_copy(&fixture("diagrams/site"));
    site.check("as started");
    let text = std::fs::read_to_string(site.path("content/architecture.mmd")).unwrap();
    write(&site.path("content/copy.mmd"), &text);
    site.check("a second diagram file with the same text");
    write(&site.path("content/sub/third.mmd"), &text);
    site.check("a third one in a folder");
}

/// Found by the random edits: vim saves `a.md` by renaming it to `a.md~`, writing `a.md` anew
/// and removing the backup; deleted at once after that, the page was still served (the
/// debouncer then in use reported only the backup's removal).
#[test]
fn a_page_saved_by_vim_and_deleted_at_once_is_gone() {
    let mut site = Differential::of_copy(&fixture("basic/site"));
    site.check("as started");
    write(&site.path("content/env/extra.md"), "# Extra\n");
    site.check("a new page");
    let page = site.path("content/env/extra.md");
    let backup = site.path("content/env/extra.md~");
    std::fs::rename(&page, &backup).unwrap();
    std::fs::write(&page, "# Extra, saved\n").unwrap();
    std::fs::remove_file(&backup).unwrap();
    std::fs::remove_file(&page).unwrap();
    site.check("saved by vim, then deleted");
}

/// Gap 1: "target architecture" is a common folder name in architecture documents, and
/// `node_modules` may hold documents too: the build publishes both, so the preview must see
/// them.
#[test]
fn content_folders_named_target_and_node_modules_are_watched() {
    let mut site = Differential::of_copy(&fixture("basic/site"));
    site.check("as started");
    write(
        &site.path("content/target/plan.md"),
        "# Target plan\n\n[Home](../index.md)\n",
    );
    write(
        &site.path("content/node_modules/notes.md"),
        "# Notes\n\n[Plan](../target/plan.md)\n",
    );
    site.check("new pages in target/ and node_modules/");
    write(
        &site.path("content/target/plan.md"),
        "# Target plan, edited\n\n[Home](../index.md)\n",
    );
    site.check("a page in target/ edited");
    std::fs::remove_file(site.path("content/node_modules/notes.md")).unwrap();
    site.check("a page in node_modules/ deleted");
}

/// Gap 2: files whose names look like editors' temporary files are published by the build
/// when they are not hidden; the preview must not ignore them (while hidden files and `~`
/// backups stay out of both).
#[test]
fn files_named_like_editor_temporaries_are_published_as_the_build_does() {
    let mut site = Differential::of_copy(&fixture("basic/site"));
    site.check("as started");
    write(&site.path("content/notes.tmp"), "kept notes");
    let index = site.path("content/index.md");
    append(&index, "[Notes](notes.tmp)");
    site.check("notes.tmp, and a link to it");
    for (name, text) in [
        ("notes.tmp", "kept notes, edited"),
        ("4913", "a file named 4913"),
        ("#draft#", "emacs-looking"),
        ("plan.md___jb_tmp___", "jetbrains-looking"),
        ("backup.swp", "swap-looking"),
        ("index.md~", "a backup: never published"),
        (".notes.tmp", "hidden: never published"),
    ] {
        write(&site.path(&format!("content/{name}")), text);
        site.check(&format!("{name} written"));
    }
}

/// Gap 3: `content: ../docs` puts the content folder outside the site folder; the preview
/// watches it too.
#[test]
fn a_content_folder_outside_the_site_folder_is_watched() {
    let mut site = content_outside("Outside");
    site.check("as started");
    let docs = site.tmp.path().join("docs");
    let page = docs.join("env/prod.md");
    append(&page, "Edited outside the site folder.");
    site.check("a page of ../docs edited");
    write(&docs.join("new.md"), "# New\n\n[Home](index.md)\n");
    site.check("a page added to ../docs");
}

/// Folders are watched, not paths: a content folder moved from outside the site into it, and a
/// folder renamed inside it, are followed, and edits in them are seen.
#[test]
fn moved_and_renamed_folders_are_followed() {
    let mut site = content_outside("Moving");
    site.check("as started with content: ../docs");
    std::fs::rename(site.tmp.path().join("docs"), site.path("docs")).unwrap();
    set_config(&site.root, "content", Some("docs"));
    site.check("the content folder moved into the site, content: docs");
    for page in ["docs/index.md", "docs/env/prod.md"] {
        let path = site.path(page);
        append(&path, "Edited after the move.");
        site.check(&format!("{page} edited"));
    }
    std::fs::rename(site.path("docs/env"), site.path("docs/environments")).unwrap();
    site.check("a folder renamed");
    let path = site.path("docs/environments/prod.md");
    append(&path, "Edited in the renamed folder.");
    site.check("a page of the renamed folder edited");
    write(&site.path("docs/environments/new/deep.md"), "# Deep\n");
    site.check("a new folder in the renamed folder");
    let path = site.path("docs/environments/new/deep.md");
    std::fs::write(&path, "# Deep, edited\n").unwrap();
    site.check("a page of the new folder edited");
}

/// Gap 4: tools that keep modification times (`cp -p`, `tar x`) and file systems with coarse
/// times change a file without changing its size or time; the watcher's word decides, on an
/// in-place edit and on a rebuild that walks the folder again (a new file in the same burst).
#[test]
fn a_rewrite_that_keeps_size_and_time_is_read_again() {
    let mut site = Differential::of_copy(&fixture("basic/site"));
    site.check("as started");
    let page = site.path("content/env/prod.md");
    let same_size = |from: &str, to: &str| {
        let text = std::fs::read_to_string(&page).unwrap();
        assert!(text.contains(from) && from.len() == to.len());
        let time = std::fs::metadata(&page).unwrap().modified().unwrap();
        std::fs::write(&page, text.replacen(from, to, 1)).unwrap();
        set_modified(&page, time);
    };
    append(&page, "Retention: 30 days.");
    site.check("a sentence added");
    same_size("30 days", "90 days");
    site.check("an in-place rewrite keeping size and time");
    same_size("90 days", "60 days");
    write(
        &site.path("content/extra.md"),
        "# Extra\n\n[Home](index.md)\n",
    );
    site.check("the same with a new file in the burst (the folder is walked again)");
    // `cp -p` of a whole folder over the old one.
    let copy = site.tmp.path().join("copy");
    crate::support::copy_dir(&site.path("content/env"), &copy);
    let prod = copy.join("prod.md");
    let time = std::fs::metadata(&page).unwrap().modified().unwrap();
    let text = std::fs::read_to_string(&prod).unwrap();
    std::fs::write(&prod, text.replacen("60 days", "10 days", 1)).unwrap();
    set_modified(&prod, time);
    std::fs::remove_dir_all(site.path("content/env")).unwrap();
    std::fs::rename(&copy, site.path("content/env")).unwrap();
    site.check("a folder replaced by a copy with the old times");
}

/// Gap 5: with `search: false` the build publishes no `search/`; the preview withdraws the
/// index it served, and brings it back with `search: true`.
#[test]
fn search_switched_off_withdraws_the_index() {
    let mut site = Differential::of_copy(&fixture("basic/site"));
    site.check("as started");
    set_config(&site.root, "search", Some("false"));
    site.check("search: false");
    let page = site.path("content/index.md");
    append(&page, "Searchable words.");
    site.check("an edit without search");
    set_config(&site.root, "search", Some("true"));
    site.check("search: true again");
}

/// Gap 6: `base_url` and `content:` changes apply while serving, with no restart.
#[test]
fn base_url_and_content_changes_apply_live() {
    let mut site = Differential::of_copy(&fixture("basic/site"));
    site.check("as started under /docs/");
    set_config(
        &site.root,
        "base_url",
        Some("https://example.com/handbook/"),
    );
    site.check("base_url moved to /handbook/");
    set_config(&site.root, "base_url", None);
    site.check("no base_url");
    // With an error in a page, so that its place is compared too.
    let page = site.path("content/index.md");
    append(&page, "[Gone](missing.md)");
    site.check("a broken link");
    std::fs::rename(site.path("content"), site.path("pages")).unwrap();
    set_config(&site.root, "content", Some("pages"));
    site.check("content: pages (the error is now in pages/index.md)");
    let page = site.path("pages/index.md");
    let fixed = std::fs::read_to_string(&page)
        .unwrap()
        .replace("[Gone](missing.md)", "Edited in the new content folder.");
    std::fs::write(&page, fixed).unwrap();
    site.check("the error fixed in the new content folder");
    write(&site.path("pages/new.md"), "# New\n\n[Home](index.md)\n");
    site.check("a page added to the new content folder");
}

/// Gap 6: an image or a data file a page shows, edited in place, keeps its path: its bytes say
/// it changed, and the open pages are told to reload.
#[test]
fn an_edited_image_or_data_file_reloads_the_pages() {
    let mut site = Differential::of_copy(&fixture("basic/site"));
    site.check("as started");
    let mut events = Events::open(&site.server.addr, "/docs/");
    assert_eq!(events.next().0, "hello");
    for (rel, from, to) in [
        (
            "content/assets/diagram.svg",
            "</svg>",
            "<!-- edited --></svg>",
        ),
        ("content/assets/config.yaml", ":", ":  "),
    ] {
        let path = site.path(rel);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
        let changed: Vec<String> = serde_json::from_str(&events.next_named("reload")).unwrap();
        let published = rel.strip_prefix("content/").unwrap().to_string();
        // A source file's page (`config.yaml.html`) shows the file: it changes with it.
        let mut expected = vec![published.clone()];
        if published.ends_with(".yaml") {
            expected.push(format!("{published}.html"));
        }
        assert_eq!(changed, expected, "{rel}");
        site.check(&format!("{rel} edited in place"));
    }
}

/// `archsite build` into the preview's site writes `public/` (and its cache): none of it is
/// an input, so the preview does not rebuild; an edit still does. In a site with `content/` and
/// in a bare folder, where `public/` lies inside the content folder.
#[test]
fn a_build_into_public_while_serving_causes_no_rebuild() {
    let bare = tempfile::tempdir().unwrap();
    crate::support::copy_dir(&fixture("bare/site"), &bare.path().join("site"));
    for (tmp, page) in [
        (sample_copy(), "content/physical-architecture-dev.md"),
        (bare, "notes/storage.md"),
    ] {
        let root = tmp.path().join("site");
        // Started in the site folder without a path, as a writer types it.
        let server = start_in(&root);
        let mut events = Events::open(&server.addr, "/");
        assert_eq!(events.next().0, "hello");
        for _ in 0..2 {
            let out = archsite(&root, &["build"]);
            assert!(out.status.success(), "{}", crate::support::stderr(&out));
        }
        assert!(root.join("public/index.html").is_file());
        std::thread::sleep(Duration::from_millis(500));
        assert_eq!(
            server.rebuilds(),
            Vec::<String>::new(),
            "no rebuild for public/ ({page})"
        );
        let path = root.join(page);
        append(&path, "Edited.");
        let changed: Vec<String> = serde_json::from_str(&events.next_named("reload")).unwrap();
        let html = page.trim_start_matches("content/").replace(".md", ".html");
        assert!(changed.contains(&html), "{changed:?}");
        // The terminal's line may come after the event: wait for it, and for no other.
        let deadline = Instant::now() + Duration::from_secs(10);
        while server.rebuilds().is_empty() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        std::thread::sleep(Duration::from_millis(300));
        assert_eq!(server.rebuilds().len(), 1, "{:?}", server.rebuilds());
    }
}
