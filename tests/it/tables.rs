//! Data tables from YAML: golden output for every table shape (`tests/fixtures/tables/`), each
//! validation error with its file, line and column, and the sample site's numbers.

use super::support::*;
use archsite::config::SiteArgs;
use archsite::diag::{render_human, ColorMode};
use archsite::output::OutputFile;
use archsite::pipeline::{build, Build};
use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

fn main_of(html: &str) -> &str {
    let start = html.find("<main").expect("page has <main>");
    let end = html.find("</main>").expect("page has </main>") + "</main>".len();
    &html[start..end]
}

#[test]
fn every_table_shape_matches_golden_output() {
    let dir = fixture("tables");
    let built = build(&SiteArgs {
        path: Some(dir.join("site")),
        ..Default::default()
    });
    let text = render_human(&built.diagnostics, &built.sources, ColorMode::Never);
    assert!(built.diagnostics.is_empty(), "{text}");
    let expected = dir.join("expected");
    let mut seen = BTreeSet::new();
    for (path, file) in built.output.iter() {
        let OutputFile::Bytes(bytes) = file else {
            continue;
        };
        if !path.ends_with(".html") || path == "404.html" || path == "sitemap.html" {
            continue;
        }
        let html = String::from_utf8_lossy(bytes);
        let golden = expected.join(path);
        assert_golden(&golden, &(main_of(&html).to_string() + "\n"));
        seen.insert(golden);
    }
    assert!(seen.contains(&expected.join("environment-diff.html")));
    if !blessing() {
        for entry in walkdir::WalkDir::new(&expected).into_iter().flatten() {
            if entry.file_type().is_file() {
                assert!(
                    seen.contains(entry.path()),
                    "unused {}",
                    entry.path().display()
                );
            }
        }
    }
}

/// Builds a site made of `files` (path → text) in a temp folder.
fn site(files: &[(&str, &str)]) -> (tempfile::TempDir, Build) {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let path = dir.path().join("content").join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    let built = build(&SiteArgs {
        path: Some(dir.path().to_path_buf()),
        ..Default::default()
    });
    (dir, built)
}

/// `code file:line:col message` (file relative to the content folder) of every diagnostic, and
/// its help.
fn located(built: &Build) -> Vec<(String, Option<String>)> {
    built
        .diagnostics
        .iter()
        .map(|d| {
            let span = d.span.as_ref().expect("every data diagnostic has a place");
            let (line, col) = built
                .sources
                .line_col(&span.file, span.range.start)
                .unwrap();
            let file = span.file.split("/content/").last().unwrap().to_string();
            (
                format!("{} {file}:{line}:{col} {}", d.code, d.message),
                d.help.clone(),
            )
        })
        .collect()
}

const ENVS: &str = "environments:\n  - {id: dev, name: Dev}\n  - {id: prod, name: Prod}\n";

fn with_envs<'a>(files: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut all = vec![("data/environments.yaml", ENVS)];
    all.extend_from_slice(files);
    all
}

fn only(built: &Build) -> (String, Option<String>) {
    let all = located(built);
    assert_eq!(all.len(), 1, "{all:#?}");
    all.into_iter().next().unwrap()
}

#[test]
fn malformed_yaml_points_at_the_error() {
    let (_d, b) = site(&with_envs(&[
        (
            "data/cost.yaml",
            "caption: x\nrows:\n  - label: [a, b\n    dev: 1\n",
        ),
        ("index.md", "# I\n"),
    ]));
    let (msg, _) = only(&b);
    assert!(msg.starts_with("data data/cost.yaml:4:"), "{msg}");
    assert!(msg.contains("invalid YAML"), "{msg}");
}

#[test]
fn row_missing_an_environment_value() {
    let (_d, b) = site(&with_envs(&[
        (
            "data/cost.yaml",
            "rows:\n  - label: A\n    dev: 1\n    prod: 2\n  - label: B\n    dev: 3\n",
        ),
        ("index.md", "# I\n"),
    ]));
    let (msg, help) = only(&b);
    assert_eq!(
        msg,
        "data data/cost.yaml:5:12 row `b` has no value for `prod`"
    );
    assert_eq!(
        help.as_deref(),
        Some("add `prod: …` to the row (`prod: ~` when it does not apply)")
    );
}

#[test]
fn unknown_environment_in_a_row_suggests_the_closest() {
    let (_d, b) = site(&with_envs(&[
        (
            "data/cost.yaml",
            "rows:\n  - label: A\n    dev: 1\n    prd: 2\n",
        ),
        ("index.md", "# I\n"),
    ]));
    let all = located(&b);
    assert_eq!(
        all[0],
        (
            "data data/cost.yaml:4:5 unknown key `prd` in a row".into(),
            Some("did you mean `prod`?".into())
        )
    );
}

#[test]
fn unknown_environment_in_envs_list() {
    let (_d, b) = site(&with_envs(&[
        (
            "data/cost.yaml",
            "envs: [dev, prdo]\nrows:\n  - label: A\n    dev: 1\n",
        ),
        ("index.md", "# I\n"),
    ]));
    let (msg, help) = only(&b);
    assert_eq!(msg, "data data/cost.yaml:1:13 unknown environment `prdo`");
    assert_eq!(help.as_deref(), Some("did you mean `prod`?"));
}

#[test]
fn text_in_a_summed_column() {
    let (_d, b) = site(&with_envs(&[
        (
            "data/cost.yaml",
            "unit: usd\ntotal: true\nrows:\n  - label: A\n    dev: 1\n    prod: about 20\n",
        ),
        ("index.md", "# I\n"),
    ]));
    let (msg, _) = only(&b);
    assert_eq!(
        msg,
        "data data/cost.yaml:6:11 text `about 20` in a summed column"
    );
}

#[test]
fn unknown_key_in_a_table_suggests_the_closest() {
    let (_d, b) = site(&with_envs(&[
        (
            "data/cost.yaml",
            "captoin: x\nrows:\n  - label: A\n    dev: 1\n",
        ),
        ("index.md", "# I\n"),
    ]));
    let (msg, help) = only(&b);
    assert_eq!(
        msg,
        "data data/cost.yaml:1:1 unknown key `captoin` in a data table"
    );
    assert_eq!(help.as_deref(), Some("did you mean `caption`?"));
}

const COST: &str = "unit: usd\ntotal: true\nrows:\n  - id: nodes\n    label: Nodes\n    dev: 120\n    prod: 1200\n";

#[test]
fn directive_naming_a_missing_file_or_table() {
    let (_d, b) = site(&with_envs(&[
        ("data/cost.yaml", COST),
        ("index.md", "# I\n\n```table\ntable: costs\n```\n"),
    ]));
    let (msg, help) = only(&b);
    assert_eq!(
        msg,
        "data-ref index.md:4:8 no data table `costs` (no file `data/costs.yaml`)"
    );
    assert_eq!(help.as_deref(), Some("did you mean `cost`?"));
}

#[test]
fn directive_unknown_key_environment_and_column() {
    let (_d, b) = site(&with_envs(&[
        ("data/cost.yaml", COST),
        (
            "index.md",
            "# I\n\n```table\ntable: cost\nenvs: [dev, prd]\ncolumns: [kind]\nratoi: prod/dev\n```\n",
        ),
    ]));
    let all = located(&b);
    let msgs: Vec<_> = all
        .iter()
        .map(|(m, h)| (m.as_str(), h.as_deref()))
        .collect();
    assert_eq!(
        msgs,
        [
            (
                "data-ref index.md:5:13 unknown environment `prd`",
                Some("did you mean `prod`?")
            ),
            (
                "data-ref index.md:6:11 the table `cost` has no column `kind`",
                Some("the table has no extra columns")
            ),
            (
                "data-ref index.md:7:1 unknown key `ratoi` in a table directive",
                Some("did you mean `ratio`?")
            ),
        ]
    );
}

#[test]
fn inline_value_with_a_missing_key() {
    let (_d, b) = site(&with_envs(&[
        ("data/cost.yaml", COST),
        (
            "index.md",
            "# I\n\nProd: `=cost.total.prd`, nodes: `=cost.node.prod`, ok: `=cost.total.prod`.\n",
        ),
    ]));
    let all = located(&b);
    assert_eq!(
        all,
        [
            (
                "data-ref index.md:3:7 the table `cost` has no environment `prd`".to_string(),
                Some("did you mean `prod`?".to_string())
            ),
            (
                "data-ref index.md:3:33 the table `cost` has no row `node`".to_string(),
                Some("did you mean `nodes`?".to_string())
            ),
        ]
    );
}

#[test]
fn broken_link_in_a_cell_is_reported_at_the_yaml() {
    let (_d, b) = site(&with_envs(&[
        (
            "data/net.yaml",
            "rows:\n  - label: A\n    dev: \"see [prod](../prd.md)\"\n    prod: \"[ok](../prod.md#top)\"\n",
        ),
        ("index.md", "# I\n\n```table\ntable: net\n```\n\n[p](prod.md)\n"),
        ("prod.md", "# Prod\n\n## Top\n"),
    ]));
    let (msg, help) = only(&b);
    assert_eq!(
        msg,
        "broken-link data/net.yaml:3:22 `/prd.md` does not exist"
    );
    assert_eq!(help.as_deref(), Some("did you mean `../prod.md`?"));
}

#[test]
fn alias_bomb_is_an_error_not_a_hang() {
    let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let p = i - 1;
        bomb.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    let started = std::time::Instant::now();
    let (_d, b) = site(&with_envs(&[
        ("data/bomb.yaml", &bomb),
        ("index.md", "# I\n"),
    ]));
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    let (msg, _) = only(&b);
    assert!(msg.starts_with("data data/bomb.yaml:"), "{msg}");
    assert!(msg.contains("alias bomb"), "{msg}");
}

#[test]
fn reference_cycles_are_errors() {
    let (_d, b) = site(&with_envs(&[
        (
            "data/a.yaml",
            "rows:\n  - id: x\n    label: X\n    dev: {ref: b.y.dev}\n    prod: 1\n",
        ),
        (
            "data/b.yaml",
            "rows:\n  - id: y\n    label: Y\n    dev: {ref: a.x.dev}\n    prod: 1\n",
        ),
        ("index.md", "# I\n"),
    ]));
    let all = located(&b);
    assert_eq!(all.len(), 2, "{all:#?}");
    assert!(all[0].0.contains("go in a circle"), "{all:#?}");
}

/// The sample's numbers, checked independently of archsite's arithmetic: the rows of
/// `content/data/cost.yaml` read with serde_yaml add up to the total the site shows.
#[test]
fn sample_prod_cost_total_is_the_sum_of_its_rows() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let yaml: serde_yaml::Value =
        serde_yaml::from_str(&fs::read_to_string(root.join("content/data/cost.yaml")).unwrap())
            .unwrap();
    let sum = |env: &str| -> f64 {
        yaml["rows"]
            .as_sequence()
            .unwrap()
            .iter()
            .map(|row| match &row[env] {
                serde_yaml::Value::Mapping(m) => m["value"].as_f64().unwrap(),
                v => v.as_f64().unwrap(),
            })
            .sum()
    };
    assert_eq!(sum("prod"), 2300.0);
    assert_eq!(sum("dev"), 150.0);

    let built = build(&SiteArgs {
        path: Some(root.to_path_buf()),
        ..Default::default()
    });
    assert!(!built.failed());
    let Some(OutputFile::Bytes(index)) = built.output.get("index.html") else {
        panic!("no index.html")
    };
    let index = String::from_utf8_lossy(index);
    let cost = &index[index.find("id=\"table-cost\"").unwrap()..];
    let cost = &cost[..cost.find("</figure>").unwrap()];
    let total = &cost[cost.find("<tfoot>").unwrap()..];
    assert!(
        total.contains("<td class=\"num\">$150</td><td class=\"num\">$2,300</td><td class=\"num computed\">15.3배</td>"),
        "{total}"
    );
    assert!(!index.contains("2,650") && !index.contains("17.7"));
    assert!(index.contains("<span class=\"data-value\" data-ref=\"cost.total.prod\">$2,300</span>"));
}

/// Rendered tables are shared between pages; errors are not: each page reports its own.
#[test]
fn the_same_broken_directive_is_reported_on_every_page() {
    let (_d, b) = site(&with_envs(&[
        ("data/cost.yaml", COST),
        (
            "index.md",
            "# I\n\n```table\ntable: cost\nenvs: [dev, prd]\n```\n\n[a](a.md)\n",
        ),
        (
            "a.md",
            "# A\n\n```table\ntable: cost\nenvs: [dev, prd]\n```\n",
        ),
    ]));
    let all = located(&b);
    let msgs: Vec<_> = all.iter().map(|(m, _)| m.as_str()).collect();
    assert_eq!(
        msgs,
        [
            "data-ref a.md:5:13 unknown environment `prd`",
            "data-ref index.md:5:13 unknown environment `prd`"
        ]
    );
}
