//! Example vectors cached on disk: computing them takes seconds, reading them
//! milliseconds. The file name is a digest of the model and the example texts, so a
//! changed grammar or model never reads stale vectors.

use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::embed::{DIM, EmbedError, Embedder, Vector};

const MAGIC: &[u8; 8] = b"HMVEC001";

fn file_for(dir: &Path, embedder: &Embedder, texts: &[&str]) -> PathBuf {
    let mut h = Sha256::new();
    h.update(embedder.fingerprint().as_bytes());
    for t in texts {
        h.update([0u8]);
        h.update(t.as_bytes());
    }
    let digest = h.finalize();
    let hex: String = digest.iter().take(12).map(|b| format!("{b:02x}")).collect();
    dir.join(format!("examples-{hex}.vec"))
}

fn read(path: &Path, count: usize) -> Option<Vec<Vector>> {
    let bytes = std::fs::read(path).ok()?;
    let body = bytes.strip_prefix(MAGIC.as_slice())?;
    if body.len() != count * DIM * 4 {
        return None;
    }
    let floats: Vec<f32> = body.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect();
    Some(floats.chunks_exact(DIM).map(<[f32]>::to_vec).collect())
}

fn write(path: &Path, vectors: &[Vector]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    let mut f = std::fs::File::create(&tmp)?;
    f.write_all(MAGIC)?;
    for v in vectors {
        for x in v {
            f.write_all(&x.to_le_bytes())?;
        }
    }
    f.sync_all()?;
    std::fs::rename(&tmp, path)
}

/// The vectors of `texts`, from the cache in `dir` when it has them.
pub fn vectors(embedder: &Embedder, texts: &[&str], dir: Option<&Path>) -> Result<Vec<Vector>, EmbedError> {
    let path = dir.map(|d| file_for(d, embedder, texts));
    if let Some(found) = path.as_deref().and_then(|p| read(p, texts.len())) {
        return Ok(found);
    }
    let vectors = embedder.embed(texts)?;
    if let Some(p) = &path
        && let Err(e) = write(p, &vectors)
    {
        tracing::warn!(path = %p.display(), error = %e, "cannot cache example vectors");
    }
    Ok(vectors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectors_written_are_read_back_and_a_wrong_count_is_a_miss() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("nested/examples-x.vec");
        let vectors: Vec<Vector> = (0..3).map(|i| (0..DIM).map(|j| (i * DIM + j) as f32 / 7.0).collect()).collect();
        write(&path, &vectors).expect("written");
        assert_eq!(read(&path, 3), Some(vectors));
        assert_eq!(read(&path, 4), None, "a file for other examples is not used");
        std::fs::write(&path, b"HMVEC000").expect("overwrite");
        assert_eq!(read(&path, 0), None, "another format is not read");
    }
}
