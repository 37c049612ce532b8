//! File bodies on disk, each named by the SHA-256 of its content.
//!
//! A body is copied into a temporary file, synced and then renamed into place, so a
//! named body is always whole; only then may a row refer to it. Equal bodies share one
//! file. Bodies are never changed; nothing here deletes them yet.

use sha2::{Digest as _, Sha256};
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// A folder of file bodies.
#[derive(Debug)]
pub struct Blobs {
    dir: PathBuf,
    next_temp: AtomicU64,
}

/// A stored body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Blob {
    /// SHA-256 of the content, lower-case hex.
    pub digest: String,
    pub size: u64,
}

/// Why a body could not be stored or copied out.
#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    #[error("no such file")]
    NotFound,
    #[error("the file is larger than {max} bytes")]
    TooLarge { max: u64 },
    #[error("the destination exists already")]
    Exists,
    #[error("{0}")]
    Io(#[from] io::Error),
}

impl Blobs {
    /// Opens (creating) the folder.
    pub fn open(dir: impl Into<PathBuf>) -> io::Result<Blobs> {
        let dir = dir.into();
        fs::create_dir_all(dir.join("tmp"))?;
        Ok(Blobs {
            dir,
            next_temp: AtomicU64::new(0),
        })
    }

    fn path(&self, digest: &str) -> PathBuf {
        let (shard, _) = digest.split_at(digest.len().min(2));
        self.dir.join(shard).join(digest)
    }

    /// Stores a copy of `source`, which may hold at most `max` bytes. Blocks: call it
    /// where blocking is allowed.
    pub fn put_file(&self, source: &Path, max: u64) -> Result<Blob, BlobError> {
        let mut input = File::open(source).map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => BlobError::NotFound,
            _ => BlobError::Io(e),
        })?;
        let meta = input.metadata()?;
        if !meta.is_file() {
            return Err(BlobError::NotFound);
        }
        if meta.len() > max {
            return Err(BlobError::TooLarge { max });
        }
        let n = self.next_temp.fetch_add(1, Ordering::Relaxed);
        let temp = self
            .dir
            .join("tmp")
            .join(format!("{}-{n}", std::process::id()));
        let stored = self.copy_in(&mut input, &temp, max);
        if stored.is_err() {
            let _ = fs::remove_file(&temp);
        }
        stored
    }

    /// Stores `bytes` (at most `max`). Blocks: call it where blocking is allowed.
    pub fn put_bytes(&self, bytes: &[u8], max: u64) -> Result<Blob, BlobError> {
        if bytes.len() as u64 > max {
            return Err(BlobError::TooLarge { max });
        }
        let n = self.next_temp.fetch_add(1, Ordering::Relaxed);
        let temp = self
            .dir
            .join("tmp")
            .join(format!("{}-{n}", std::process::id()));
        let stored = self.copy_in(&mut io::Cursor::new(bytes), &temp, max);
        if stored.is_err() {
            let _ = fs::remove_file(&temp);
        }
        stored
    }

    fn copy_in(&self, input: &mut dyn Read, temp: &Path, max: u64) -> Result<Blob, BlobError> {
        let mut out = File::create(temp)?;
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 64 * 1024];
        let mut size = 0u64;
        loop {
            let n = input.read(&mut buf)?;
            if n == 0 {
                break;
            }
            size += n as u64;
            // The file may grow while it is read.
            if size > max {
                return Err(BlobError::TooLarge { max });
            }
            hasher.update(&buf[..n]);
            out.write_all(&buf[..n])?;
        }
        out.sync_all()?;
        drop(out);
        let digest = hex::encode(hasher.finalize());
        let path = self.path(&digest);
        if let Some(shard) = path.parent() {
            fs::create_dir_all(shard)?;
        }
        if path.exists() {
            fs::remove_file(temp)?;
        } else {
            fs::rename(temp, &path)?;
            if let Some(shard) = path.parent() {
                File::open(shard)?.sync_all()?;
            }
        }
        Ok(Blob { digest, size })
    }

    /// Writes a stored body to `dest`, which must not exist. Blocks.
    pub fn copy_out(&self, digest: &str, dest: &Path) -> Result<u64, BlobError> {
        let mut input = File::open(self.path(digest)).map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => BlobError::NotFound,
            _ => BlobError::Io(e),
        })?;
        let mut out = File::options()
            .write(true)
            .create_new(true)
            .open(dest)
            .map_err(|e| match e.kind() {
                io::ErrorKind::AlreadyExists => BlobError::Exists,
                _ => BlobError::Io(e),
            })?;
        let copied = io::copy(&mut input, &mut out);
        let copied = copied.and_then(|n| out.sync_all().map(|()| n));
        if copied.is_err() {
            let _ = fs::remove_file(dest);
        }
        Ok(copied?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_round_trip_and_respect_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let blobs = Blobs::open(dir.path().join("files")).unwrap();
        let source = dir.path().join("hello.txt");
        fs::write(&source, b"hello, world").unwrap();
        let blob = blobs.put_file(&source, 1024).unwrap();
        assert_eq!(blob.size, 12);
        assert_eq!(
            blob.digest,
            "09ca7e4eaa6e8ae9c7d261167129184883644d07dfba7cbfbc4c8a2e08360d5b"
        );
        // The same body again is the same blob.
        assert_eq!(blobs.put_file(&source, 1024).unwrap(), blob);
        assert!(matches!(
            blobs.put_file(&source, 11),
            Err(BlobError::TooLarge { max: 11 })
        ));
        assert!(matches!(
            blobs.put_file(&dir.path().join("missing"), 1024),
            Err(BlobError::NotFound)
        ));
        let dest = dir.path().join("copy.txt");
        assert_eq!(blobs.copy_out(&blob.digest, &dest).unwrap(), 12);
        assert_eq!(fs::read(&dest).unwrap(), b"hello, world");
        assert!(matches!(
            blobs.copy_out(&blob.digest, &dest),
            Err(BlobError::Exists)
        ));
        // Nothing is left behind in the temporary folder.
        assert_eq!(
            fs::read_dir(dir.path().join("files/tmp")).unwrap().count(),
            0
        );
    }
}
