//! Structural check of a whisper.cpp ggml model file before it is handed to the C++ loader.
//!
//! whisper.cpp assumes a well-formed file; a truncated download or the wrong file can make
//! it abort the process. This walks the header, vocabulary and tensor table (seeking over
//! the tensor data) and reports a typed error instead.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

const GGML_MAGIC: u32 = 0x6767_6d6c;
const MAX_NAME_LEN: usize = 256;

/// Why a model file was rejected.
#[derive(Debug, thiserror::Error)]
pub enum ModelFileError {
    #[error("model file {path} not found; run `holomesh models fetch` (scripts/models/fetch.sh)")]
    NotFound { path: PathBuf },
    #[error("cannot read model file {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not a whisper.cpp ggml model (bad magic {magic:#010x})")]
    BadMagic { path: PathBuf, magic: u32 },
    #[error("{path} is truncated: {what} needs byte {needed} but the file has {size} bytes")]
    Truncated { path: PathBuf, what: String, needed: u64, size: u64 },
    #[error("{path} is corrupt: {reason}")]
    Corrupt { path: PathBuf, reason: String },
}

/// What the header of a valid model file says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelInfo {
    pub n_vocab: u32,
    pub n_audio_ctx: u32,
    pub n_audio_state: u32,
    pub n_audio_layer: u32,
    pub n_text_layer: u32,
    pub n_mels: u32,
    pub ftype: u32,
    pub tensors: u32,
    pub file_bytes: u64,
}

impl ModelInfo {
    /// The type of the large matrices, from the header's ftype (whisper.cpp adds the
    /// quantization version times 1000 to it).
    pub fn weights(&self) -> &'static str {
        match self.ftype % 1000 {
            0 => "f32",
            1 => "f16",
            2 => "q4_0",
            3 => "q4_1",
            7 => "q8_0",
            8 => "q5_0",
            9 => "q5_1",
            _ => "unknown",
        }
    }

    /// English-only models have 51864 tokens; multilingual ones more.
    pub fn is_multilingual(&self) -> bool {
        self.n_vocab >= 51865
    }
}

struct Walker<'a> {
    reader: BufReader<File>,
    path: &'a Path,
    size: u64,
    pos: u64,
}

impl Walker<'_> {
    fn need(&self, n: u64, what: &str) -> Result<(), ModelFileError> {
        let needed = self.pos.saturating_add(n);
        if needed > self.size {
            return Err(ModelFileError::Truncated {
                path: self.path.to_path_buf(),
                what: what.to_owned(),
                needed,
                size: self.size,
            });
        }
        Ok(())
    }

    fn io(&self, source: std::io::Error) -> ModelFileError {
        ModelFileError::Io { path: self.path.to_path_buf(), source }
    }

    fn corrupt(&self, reason: String) -> ModelFileError {
        ModelFileError::Corrupt { path: self.path.to_path_buf(), reason }
    }

    fn u32(&mut self, what: &str) -> Result<u32, ModelFileError> {
        self.need(4, what)?;
        let mut buf = [0u8; 4];
        self.reader.read_exact(&mut buf).map_err(|e| self.io(e))?;
        self.pos += 4;
        Ok(u32::from_le_bytes(buf))
    }

    fn skip(&mut self, n: u64, what: &str) -> Result<(), ModelFileError> {
        self.need(n, what)?;
        let offset = i64::try_from(n).map_err(|_| self.corrupt(format!("{what} is too large")))?;
        self.reader.seek_relative(offset).map_err(|e| self.io(e))?;
        self.pos += n;
        Ok(())
    }

    fn bytes(&mut self, n: usize, what: &str) -> Result<Vec<u8>, ModelFileError> {
        self.need(n as u64, what)?;
        let mut buf = vec![0u8; n];
        self.reader.read_exact(&mut buf).map_err(|e| self.io(e))?;
        self.pos += n as u64;
        Ok(buf)
    }
}

/// Bytes per block and elements per block of the ggml tensor types whisper.cpp files use.
fn ggml_type_layout(ttype: u32) -> Option<(u64, u64)> {
    match ttype {
        0 => Some((4, 1)),   // f32
        1 => Some((2, 1)),   // f16
        2 => Some((18, 32)), // q4_0
        3 => Some((20, 32)), // q4_1
        6 => Some((22, 32)), // q5_0
        7 => Some((24, 32)), // q5_1
        8 => Some((34, 32)), // q8_0
        _ => None,
    }
}

/// Check that `path` is a complete whisper.cpp ggml model and return its header values.
pub fn inspect_model_file(path: &Path) -> Result<ModelInfo, ModelFileError> {
    let file = File::open(path).map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => ModelFileError::NotFound { path: path.to_path_buf() },
        _ => ModelFileError::Io { path: path.to_path_buf(), source },
    })?;
    let size = file.metadata().map_err(|source| ModelFileError::Io { path: path.to_path_buf(), source })?.len();
    let mut w = Walker { reader: BufReader::new(file), path, size, pos: 0 };
    let magic = w.u32("magic")?;
    if magic != GGML_MAGIC {
        return Err(ModelFileError::BadMagic { path: path.to_path_buf(), magic });
    }
    let mut hp = [0u32; 11];
    for v in &mut hp {
        *v = w.u32("hyperparameters")?;
    }
    let [
        n_vocab,
        n_audio_ctx,
        n_audio_state,
        n_audio_head,
        n_audio_layer,
        _n_text_ctx,
        n_text_state,
        n_text_head,
        n_text_layer,
        n_mels,
        ftype,
    ] = hp;
    let plausible = (51_864..=60_000).contains(&n_vocab)
        && (1..=4096).contains(&n_audio_ctx)
        && (1..=8192).contains(&n_audio_state)
        && (1..=8192).contains(&n_text_state)
        && (1..=128).contains(&n_audio_head)
        && (1..=128).contains(&n_text_head)
        && (1..=128).contains(&n_audio_layer)
        && (1..=128).contains(&n_text_layer)
        && (n_mels == 80 || n_mels == 128);
    if !plausible {
        return Err(w.corrupt(format!("implausible hyperparameters {hp:?}")));
    }
    let filt_mels = w.u32("mel filter size")?;
    let filt_fft = w.u32("mel filter size")?;
    w.skip(4 * u64::from(filt_mels) * u64::from(filt_fft), "mel filters")?;
    let n_tokens = w.u32("vocabulary size")?;
    if n_tokens > n_vocab {
        return Err(w.corrupt(format!("{n_tokens} tokens for a {n_vocab}-token model")));
    }
    for _ in 0..n_tokens {
        let len = w.u32("token length")?;
        if len > 1024 {
            return Err(w.corrupt(format!("token of {len} bytes")));
        }
        w.skip(u64::from(len), "token")?;
    }
    let expected = 7 + 15 * n_audio_layer + 4 + 24 * n_text_layer;
    let mut tensors = 0u32;
    while w.pos < w.size {
        let n_dims = w.u32("tensor header")?;
        let name_len = w.u32("tensor header")? as usize;
        let ttype = w.u32("tensor header")?;
        if !(1..=4).contains(&n_dims) || name_len == 0 || name_len > MAX_NAME_LEN {
            return Err(w.corrupt(format!("bad tensor header #{tensors} (dims {n_dims}, name {name_len} bytes)")));
        }
        let mut elements = 1u64;
        for _ in 0..n_dims {
            elements = elements.saturating_mul(u64::from(w.u32("tensor dims")?));
        }
        let name_bytes = w.bytes(name_len, "tensor name")?;
        let name = String::from_utf8_lossy(&name_bytes).into_owned();
        let (block_bytes, block_elems) =
            ggml_type_layout(ttype).ok_or_else(|| w.corrupt(format!("tensor {name} has unknown type {ttype}")))?;
        if !elements.is_multiple_of(block_elems) {
            return Err(w.corrupt(format!("tensor {name} does not fill whole blocks")));
        }
        w.skip(elements / block_elems * block_bytes, &format!("data of tensor {name}"))?;
        tensors += 1;
    }
    if tensors != expected {
        return Err(w.corrupt(format!("{tensors} tensors, expected {expected}")));
    }
    Ok(ModelInfo {
        n_vocab,
        n_audio_ctx,
        n_audio_state,
        n_audio_layer,
        n_text_layer,
        n_mels,
        ftype,
        tensors,
        file_bytes: size,
    })
}
