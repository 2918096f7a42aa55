//! The on-disk cache of successful checks: `<cache_dir>/external-links.json`,
//! `{"version": 1, "entries": {"<url without fragment>": {"checked_at": <unix secs>, ...Page}}}`.
//! Failures are never stored (they are re-checked every run). Entries older than `cache_hours`
//! are ignored and dropped on the next write. A file that cannot be read or parsed is treated
//! as empty and overwritten; writes go to a temporary file renamed over the old one.

use super::http::Page;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

const VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Entry {
    checked_at: u64,
    #[serde(flatten)]
    page: Page,
}

#[derive(Debug, Serialize, Deserialize)]
struct File {
    version: u32,
    entries: BTreeMap<String, Entry>,
}

#[derive(Debug, Default)]
pub struct Cache {
    entries: BTreeMap<String, Entry>,
}

pub fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl Cache {
    /// The fresh entries of the cache file at `path` (checked at most `max_age` seconds before
    /// `now`); empty if it is missing, unreadable, corrupt or of another version.
    pub fn load(path: &Path, now: u64, max_age: u64) -> Cache {
        let file = std::fs::read(path)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<File>(&bytes).ok())
            .filter(|f| f.version == VERSION);
        let mut entries = file.map(|f| f.entries).unwrap_or_default();
        // An entry from the future (a clock set back) counts as stale too.
        entries.retain(|_, e| e.checked_at <= now && now - e.checked_at <= max_age);
        Cache { entries }
    }

    /// A cached result good enough for a check that needs the page's ids if `want_ids` (an
    /// HTML page cached without its ids is not).
    pub fn get(&self, url: &str, want_ids: bool) -> Option<&Page> {
        let page = &self.entries.get(url)?.page;
        let enough = !want_ids || !page.html || page.ids.is_some();
        enough.then_some(page)
    }

    pub fn put(&mut self, url: &str, page: Page, now: u64) {
        self.entries.insert(
            url.to_string(),
            Entry {
                checked_at: now,
                page,
            },
        );
    }

    /// Writes the cache atomically (temporary file + rename), creating the folder if needed.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let file = File {
            version: VERSION,
            entries: self.entries.clone(),
        };
        let json = serde_json::to_vec(&file).map_err(std::io::Error::other)?;
        let tmp = path.with_extension(format!("json.{}.tmp", std::process::id()));
        let result = std::fs::File::create(&tmp)
            .and_then(|mut f| f.write_all(&json).and_then(|()| f.sync_all()))
            .and_then(|()| std::fs::rename(&tmp, path));
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(ids: Option<Vec<&str>>) -> Page {
        Page {
            status: 200,
            final_url: "https://x.org/".into(),
            moved_to: None,
            html: true,
            ids: ids.map(|v| v.into_iter().map(String::from).collect()),
            truncated: false,
        }
    }

    #[test]
    fn round_trip_expiry_and_corruption() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/external-links.json");
        let mut cache = Cache::load(&path, 1000, 3600);
        assert!(cache.get("https://x.org/", false).is_none());
        cache.put("https://x.org/", page(None), 1000);
        cache.put("https://y.org/", page(Some(vec!["a"])), 1000);
        cache.save(&path).unwrap();

        let cache = Cache::load(&path, 1000 + 3600, 3600);
        assert!(cache.get("https://x.org/", false).is_some());
        // Cached without ids: not enough for a fragment check.
        assert!(cache.get("https://x.org/", true).is_none());
        assert!(cache.get("https://y.org/", true).is_some());
        // Expired, and from the future.
        assert!(Cache::load(&path, 1000 + 3601, 3600).entries.is_empty());
        assert!(Cache::load(&path, 999, 3600).entries.is_empty());

        std::fs::write(&path, b"{\"version\": 1, \"entries\": [").unwrap();
        assert!(Cache::load(&path, 1000, 3600).entries.is_empty());
        std::fs::write(&path, [0xff, 0xfe, 0x00]).unwrap();
        assert!(Cache::load(&path, 1000, 3600).entries.is_empty());
        // Only the cache file is left behind.
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["external-links.json"]);
    }
}
