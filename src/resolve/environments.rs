//! Environments named by file name, for folders without front matter: `network-dev.md` and
//! `network-prod.md` in one folder are the dev and prod documents of one group, as if each said
//! `environment:`. The rule:
//!
//! - the file's stem ends in `-` or `_` and an environment word: `dev`, `develop`,
//!   `development`, `qa`, `test`, `stg`, `stage`, `staging`, `prod`, `production`, or Korean
//!   `개발` / `운영` (also `개발환경` / `운영환경`), in any case;
//! - at least two documents of the same folder share the rest of the name (`network`) and
//!   name different environments: a lone `load-test.md` is not an environment;
//! - a page with front matter `environment:` is left to it (front matter wins).

use crate::model::Page;
use std::collections::BTreeMap;

/// Environment words of file names and the environment each names.
const WORDS: &[(&str, &str)] = &[
    ("dev", "dev"),
    ("develop", "dev"),
    ("development", "dev"),
    ("qa", "qa"),
    ("test", "test"),
    ("stg", "staging"),
    ("stage", "staging"),
    ("staging", "staging"),
    ("prod", "prod"),
    ("production", "prod"),
    ("개발", "dev"),
    ("개발환경", "dev"),
    ("운영", "prod"),
    ("운영환경", "prod"),
];

/// Per page: its environment and group by file name, when it pairs with a sibling.
pub fn by_name(pages: &[Page]) -> Vec<Option<(String, String)>> {
    let mut groups: BTreeMap<String, Vec<(usize, &'static str)>> = BTreeMap::new();
    for (id, page) in pages.iter().enumerate() {
        if page.front.environment.is_some() || page.kind != crate::model::PageKind::Markdown {
            continue;
        }
        if let Some((group, env)) = split(&page.file.rel) {
            groups.entry(group).or_default().push((id, env));
        }
    }
    let mut out = vec![None; pages.len()];
    for (group, members) in groups {
        let mut envs: Vec<&str> = members.iter().map(|(_, e)| *e).collect();
        envs.sort_unstable();
        envs.dedup();
        if envs.len() < 2 {
            continue;
        }
        for (id, env) in members {
            out[id] = Some((env.to_string(), group.clone()));
        }
    }
    out
}

/// `infra/network-dev.md` → (`infra/network`, `dev`).
fn split(rel: &str) -> Option<(String, &'static str)> {
    let stem = rel.strip_suffix(".md")?;
    let (folder, name) = stem.rsplit_once('/').unwrap_or(("", stem));
    let cut = name.rfind(['-', '_'])?;
    let (prefix, word) = (&name[..cut], &name[cut + 1..]);
    if prefix.is_empty() {
        return None;
    }
    let word = word.to_lowercase();
    let env = WORDS.iter().find(|(w, _)| *w == word)?.1;
    Some((format!("{folder}/{prefix}"), env))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pages(rels: &[(&str, &str)]) -> Vec<Page> {
        rels.iter()
            .map(|(rel, text)| crate::parse::test_page(rel, text))
            .collect()
    }

    fn envs(rels: &[(&str, &str)]) -> Vec<Option<String>> {
        by_name(&pages(rels))
            .into_iter()
            .map(|e| e.map(|(env, _)| env))
            .collect()
    }

    #[test]
    fn siblings_named_by_environment_pair_up() {
        assert_eq!(
            envs(&[
                ("infra/network-dev.md", "# a\n"),
                ("infra/network-prod.md", "# b\n"),
                ("infra/network-STG.md", "# c\n"),
                ("infra/db_개발.md", "# d\n"),
                ("infra/db_운영환경.md", "# e\n"),
            ]),
            [
                Some("dev".into()),
                Some("prod".into()),
                Some("staging".into()),
                Some("dev".into()),
                Some("prod".into()),
            ]
        );
    }

    #[test]
    fn a_lone_or_unpaired_name_is_no_environment() {
        assert_eq!(
            envs(&[
                ("load-test.md", "# a\n"),
                ("docs/network-dev.md", "# b\n"),
                ("other/network-prod.md", "# c\n"),
                ("x/a-dev.md", "# d\n"),
                ("x/a_dev.md", "# e\n"),
                ("x/-prod.md", "# f\n"),
                ("x/api-dev.md", "# g\n"),
                ("x/db-prod.md", "# h\n"),
            ]),
            [None, None, None, None, None, None, None, None]
        );
    }

    #[test]
    fn front_matter_wins() {
        let found = envs(&[
            ("a/net-dev.md", "---\nenvironment: qa\n---\n# a\n"),
            ("a/net-prod.md", "# b\n"),
            ("a/net-test.md", "# c\n"),
        ]);
        assert_eq!(found, [None, Some("prod".into()), Some("test".into())]);
    }
}
