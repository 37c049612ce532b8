//! The files folder: where chat clients' file paths point.
//!
//! A SimpleX client names files by path: the file to send (`fileSource.filePath`) and
//! where to save one it receives (`/freceive … <filePath>`). The SimpleX CLI reads and
//! writes those paths on its own machine as its own user. botgrid is a server that
//! several clients share, so it confines them to one folder: a relative path is taken
//! inside it, an absolute path must lie inside it, and nothing may lead out of it (no
//! `..`, no symbolic link pointing elsewhere).

use crate::errors::ChatError;
use serde_json::json;
use std::path::{Component, Path, PathBuf};

/// The folder clients' file paths are confined to.
#[derive(Clone, Debug)]
pub struct FilesFolder {
    root: PathBuf,
}

fn not_found(path: &str) -> ChatError {
    ChatError::error(json!({
        "type": "fileNotFound",
        "message": format!("{path}: no such file in the files folder"),
    }))
}

fn outside(path: &str) -> ChatError {
    ChatError::error(json!({
        "type": "fileWrite",
        "filePath": path,
        "message": "files are received into the server's files folder only",
    }))
}

impl FilesFolder {
    /// The folder at `root`, created if missing.
    pub fn open(root: &Path) -> std::io::Result<FilesFolder> {
        std::fs::create_dir_all(root)?;
        Ok(FilesFolder {
            root: root.canonicalize()?,
        })
    }

    /// Where the folder is.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `given` joined to the folder, refusing `..` and paths that start elsewhere.
    fn inside(&self, given: &str) -> Option<PathBuf> {
        let path = Path::new(given);
        if given.is_empty() || path.components().any(|c| c == Component::ParentDir) {
            return None;
        }
        let joined = if path.is_absolute() {
            path.to_path_buf()
        } else {
            self.root.join(path)
        };
        joined.starts_with(&self.root).then_some(joined)
    }

    /// The file a client sends, and the name recipients see (its file name).
    pub fn source(&self, given: &str) -> Result<(PathBuf, String), ChatError> {
        let path = self.inside(given).ok_or_else(|| not_found(given))?;
        // Symbolic links are followed, and must still end inside the folder.
        let real = path.canonicalize().map_err(|_| not_found(given))?;
        if !real.starts_with(&self.root) || !real.is_file() {
            return Err(not_found(given));
        }
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or_else(|| not_found(given))?
            .to_owned();
        Ok((real, name))
    }

    /// Where a received file goes: the path the client gave (a folder means "in it,
    /// under the file's name"), or the folder itself; a name taken there gets a number,
    /// as the SimpleX CLI does (`report_1.pdf`). A given file path that exists is refused.
    pub fn destination(&self, given: Option<&str>, name: &str) -> Result<PathBuf, ChatError> {
        let (dir, exact) = match given {
            None => (self.root.clone(), None),
            Some(g) => {
                let path = self.inside(g).ok_or_else(|| outside(g))?;
                if path.is_dir() {
                    (path, None)
                } else {
                    let parent = path.parent().ok_or_else(|| outside(g))?.to_path_buf();
                    (parent, Some(path))
                }
            }
        };
        let real_dir = dir
            .canonicalize()
            .map_err(|_| outside(given.unwrap_or_default()))?;
        if !real_dir.starts_with(&self.root) {
            return Err(outside(given.unwrap_or_default()));
        }
        if let Some(path) = exact {
            let file = path
                .file_name()
                .ok_or_else(|| outside(given.unwrap_or_default()))?;
            let target = real_dir.join(file);
            if target.symlink_metadata().is_ok() {
                return Err(ChatError::error(json!({
                    "type": "fileAlreadyExists",
                    "filePath": given.unwrap_or_default(),
                })));
            }
            return Ok(target);
        }
        Ok(free_name(&real_dir, name))
    }
}

/// `name` in `dir`, or `stem_N.ext` with the first N not taken.
fn free_name(dir: &Path, name: &str) -> PathBuf {
    let first = dir.join(name);
    if first.symlink_metadata().is_err() {
        return first;
    }
    let (stem, ext) = match name.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() => (s, format!(".{e}")),
        _ => (name, String::new()),
    };
    (1..)
        .map(|n| dir.join(format!("{stem}_{n}{ext}")))
        .find(|p| p.symlink_metadata().is_err())
        .unwrap_or(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_type(e: ChatError) -> String {
        e.0["errorType"]["type"].as_str().unwrap().to_owned()
    }

    #[test]
    fn paths_stay_in_the_folder() {
        let tmp = tempfile::tempdir().unwrap();
        let folder = FilesFolder::open(&tmp.path().join("files")).unwrap();
        std::fs::write(folder.root().join("a.txt"), b"x").unwrap();
        std::fs::write(tmp.path().join("secret"), b"s").unwrap();

        let (real, name) = folder.source("a.txt").unwrap();
        assert_eq!(name, "a.txt");
        assert_eq!(real, folder.root().join("a.txt"));
        let abs = folder.root().join("a.txt");
        assert!(folder.source(abs.to_str().unwrap()).is_ok());
        for bad in ["../secret", "/etc/passwd", "", "missing.txt"] {
            assert_eq!(error_type(folder.source(bad).unwrap_err()), "fileNotFound");
        }
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(tmp.path().join("secret"), folder.root().join("link"))
                .unwrap();
            assert_eq!(
                error_type(folder.source("link").unwrap_err()),
                "fileNotFound"
            );
        }

        assert_eq!(
            folder.destination(None, "a.txt").unwrap(),
            folder.root().join("a_1.txt")
        );
        assert_eq!(
            folder.destination(None, "b.txt").unwrap(),
            folder.root().join("b.txt")
        );
        assert_eq!(
            folder.destination(Some("c.bin"), "a.txt").unwrap(),
            folder.root().join("c.bin")
        );
        assert_eq!(
            error_type(folder.destination(Some("a.txt"), "x").unwrap_err()),
            "fileAlreadyExists"
        );
        assert_eq!(
            error_type(folder.destination(Some("../out.txt"), "x").unwrap_err()),
            "fileWrite"
        );
        assert_eq!(
            error_type(folder.destination(Some("/tmp/out.txt"), "x").unwrap_err()),
            "fileWrite"
        );
        assert_eq!(
            error_type(folder.destination(Some("nodir/out.txt"), "x").unwrap_err()),
            "fileWrite"
        );
    }
}
