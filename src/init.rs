//! `archsite init`: writes a starter site from the scaffold embedded in the binary.

use crate::theme::SCAFFOLD_FILES;
use std::fs;
use std::path::Path;

/// Creates `dir` with the scaffold for `lang`; returns the files written, relative to `dir`.
pub fn init(dir: &Path, lang: &str) -> Result<Vec<String>, String> {
    if dir.exists() {
        let empty = fs::read_dir(dir)
            .map_err(|e| format!("cannot read `{}`: {e}", dir.display()))?
            .next()
            .is_none();
        if !empty {
            return Err(format!(
                "`{}` already exists and is not empty; choose a new folder",
                dir.display()
            ));
        }
    }
    let prefix = format!("{lang}/");
    let mut written = Vec::new();
    for (path, bytes) in SCAFFOLD_FILES {
        let Some(rel) = path.strip_prefix(&prefix) else {
            continue;
        };
        let dest = dir.join(rel);
        if let Some(parent) = dest.parent() {
            fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create `{}`: {e}", parent.display()))?;
        }
        fs::write(&dest, bytes).map_err(|e| format!("cannot write `{}`: {e}", dest.display()))?;
        written.push(rel.to_string());
    }
    if written.is_empty() {
        return Err(format!("no scaffold for language `{lang}`"));
    }
    Ok(written)
}
