//! The search query set (`tests/search/queries.json`) on the sample site: for each query, the
//! pages whose text has the concept (judged by hand with a regex over the built pages, then
//! reviewed) and, for most, the sections a reader would want first. Computes precision and
//! recall at 10 (pages) for every matching technique, prints the comparison, and holds the
//! default technique to its figures.

use archsite::config::SiteArgs;
use archsite::pipeline::search_index;
use archsite::search::index::Technique;
use archsite::search::{search, Index};
use serde::Deserialize;
use std::path::Path;

#[derive(Deserialize)]
struct Query {
    query: String,
    why: String,
    relevant: Vec<String>,
    #[serde(default)]
    top: Vec<String>,
}

fn queries() -> Vec<Query> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/search/queries.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn index(technique: Technique) -> Index {
    let args = SiteArgs {
        path: Some(Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()),
        ..Default::default()
    };
    search_index(&args, technique).expect("the sample site")
}

/// Per query: (P@10, R@10, the first hit as `url#anchor`, the top 10 pages).
fn evaluate(index: &Index, technique: Technique, q: &Query) -> (f64, f64, String, Vec<String>) {
    let hits = search(index, &q.query, technique);
    let top: Vec<String> = hits
        .iter()
        .take(10)
        .map(|h| index.pages[h.page as usize].url.clone())
        .collect();
    let first = hits
        .first()
        .map(|h| {
            let p = &index.pages[h.page as usize];
            format!("{}#{}", p.url, p.sections[h.sections[0].0 as usize].anchor)
        })
        .unwrap_or_default();
    let good = top.iter().filter(|u| q.relevant.contains(u)).count() as f64;
    let precision = if top.is_empty() {
        0.0
    } else {
        good / top.len() as f64
    };
    let recall = good / q.relevant.len().max(1) as f64;
    (precision, recall, first, top)
}

#[test]
fn query_set_precision_and_recall_at_10() {
    let queries = queries();
    assert!(
        queries.len() >= 30,
        "the query set has {} queries",
        queries.len()
    );
    let mut summary = String::from(
        "\n| technique | P@10 | R@10 | first hit in the expected sections |\n|---|---|---|---|\n",
    );
    let mut chosen = None;
    for technique in Technique::ALL {
        let index = index(technique);
        let (mut p, mut r, mut firsts, mut with_top) = (0.0, 0.0, 0, 0);
        let mut misses = Vec::new();
        for q in &queries {
            let (precision, recall, first, top) = evaluate(&index, technique, q);
            p += precision;
            r += recall;
            if !q.top.is_empty() {
                with_top += 1;
                if q.top.contains(&first) {
                    firsts += 1;
                } else if technique == Technique::StemsBigrams {
                    misses.push(format!("{}: first hit {first}", q.query));
                }
            }
            if technique == Technique::StemsBigrams && recall < 1.0 {
                // Reported with the recall assertion below.
                misses.push(format!(
                    "{} ({}): recall {recall:.2}, found {top:?}",
                    q.query, q.why
                ));
            }
        }
        let n = queries.len() as f64;
        summary.push_str(&format!(
            "| {} | {:.3} | {:.3} | {firsts}/{with_top} |\n",
            technique.name(),
            p / n,
            r / n
        ));
        if technique == Technique::StemsBigrams {
            chosen = Some((p / n, r / n, firsts, with_top, misses));
        }
    }
    println!("{summary}");
    let (p, r, firsts, with_top, misses) = chosen.unwrap();
    assert_eq!(r, 1.0, "{summary}\n{}", misses.join("\n"));
    // The first hit lands in a section a reader wants for at least 9 queries in 10.
    assert!(
        firsts * 10 >= with_top * 9,
        "{summary}\n{}",
        misses.join("\n")
    );
    assert!(p >= 0.95, "{summary}");
}

#[test]
fn korean_queries_with_particles_find_the_section() {
    let index = index(Technique::StemsBigrams);
    for (query, want) in [
        ("환경별로", "index.html"),
        ("백업은", "physical-architecture-"),
        ("운영환경의", "physical-architecture-prod.html"),
    ] {
        let hits = search(&index, query, Technique::StemsBigrams);
        let first = &index.pages[hits[0].page as usize];
        assert!(first.url.starts_with(want), "{query}: {}", first.url);
    }
}
