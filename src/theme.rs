//! The files embedded in the binary by `build.rs`: the default theme and the `init` scaffolds.

include!(concat!(env!("OUT_DIR"), "/embedded.rs"));

/// The default theme's files with the site's overrides applied, by theme-relative path.
pub fn theme_files(
    overrides: &std::collections::BTreeMap<String, Vec<u8>>,
) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut files: std::collections::BTreeMap<String, Vec<u8>> = THEME_FILES
        .iter()
        .map(|(path, bytes)| (path.to_string(), bytes.to_vec()))
        .collect();
    for (path, bytes) in overrides {
        files.insert(path.clone(), bytes.clone());
    }
    files
}
