//! Audio input: WAV files of any common layout and raw 16 kHz s16le PCM, as 16 kHz mono `f32`.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use hound::{SampleFormat, WavReader};

use super::resample::{ResampleError, resample_mono};

/// The sample rate every consumer in this module works at.
pub const SAMPLE_RATE: u32 = 16_000;

/// Longest input accepted, to bound memory on hostile or mistaken input (30 minutes).
pub const MAX_INPUT_SECONDS: u64 = 30 * 60;

/// Why audio could not be turned into 16 kHz mono samples.
#[derive(Debug, thiserror::Error)]
pub enum AudioError {
    #[error("cannot open {path}: {source}")]
    Open {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("I/O error while reading WAV data: {0}")]
    Io(#[source] std::io::Error),
    #[error("not a valid WAV file: {0}")]
    Malformed(String),
    #[error("unsupported WAV encoding: {0}")]
    Unsupported(String),
    #[error("WAV header has no channels or a zero sample rate")]
    EmptyFormat,
    #[error("audio is {seconds} s long; the limit is {MAX_INPUT_SECONDS} s")]
    TooLong { seconds: u64 },
    #[error("raw PCM must be whole 16-bit samples, got {0} bytes")]
    OddPcmLength(usize),
    #[error(transparent)]
    Resample(#[from] ResampleError),
}

impl From<hound::Error> for AudioError {
    fn from(err: hound::Error) -> Self {
        match err {
            hound::Error::IoError(e) => AudioError::Io(e),
            hound::Error::FormatError(msg) => AudioError::Malformed(msg.to_owned()),
            hound::Error::Unsupported => AudioError::Unsupported("format not handled by the decoder".into()),
            hound::Error::InvalidSampleFormat => AudioError::Unsupported("invalid sample format".into()),
            hound::Error::TooWide => AudioError::Unsupported("samples wider than 32 bits".into()),
            other => AudioError::Malformed(other.to_string()),
        }
    }
}

/// Load a WAV file and return 16 kHz mono samples in `[-1, 1]`.
pub fn load_wav(path: &Path) -> Result<Vec<f32>, AudioError> {
    let file = File::open(path).map_err(|source| AudioError::Open { path: path.to_path_buf(), source })?;
    decode_wav(BufReader::new(file))
}

/// Decode WAV data (8/16/24/32-bit integer or 32-bit float, any channel count and rate)
/// into 16 kHz mono samples in `[-1, 1]`.
pub fn decode_wav<R: Read>(reader: R) -> Result<Vec<f32>, AudioError> {
    let mut wav = WavReader::new(reader)?;
    let spec = wav.spec();
    if spec.channels == 0 || spec.sample_rate == 0 {
        return Err(AudioError::EmptyFormat);
    }
    let seconds = u64::from(wav.duration()) / u64::from(spec.sample_rate);
    if seconds > MAX_INPUT_SECONDS {
        return Err(AudioError::TooLong { seconds });
    }
    let interleaved: Vec<f32> = match (spec.sample_format, spec.bits_per_sample) {
        (SampleFormat::Float, 32) => wav.samples::<f32>().collect::<Result<_, _>>()?,
        (SampleFormat::Int, bits @ 8..=32) => {
            let scale = 1.0 / f64::from(1u32 << (bits - 1));
            wav.samples::<i32>().map(|s| s.map(|v| (f64::from(v) * scale) as f32)).collect::<Result<_, _>>()?
        }
        (format, bits) => {
            return Err(AudioError::Unsupported(format!("{bits}-bit {format:?} samples")));
        }
    };
    let mono = downmix(&interleaved, usize::from(spec.channels));
    Ok(resample_mono(&mono, spec.sample_rate, SAMPLE_RATE)?)
}

/// Average interleaved channels into one. A trailing partial frame is dropped.
pub fn downmix(interleaved: &[f32], channels: usize) -> Vec<f32> {
    match channels {
        0 => Vec::new(),
        1 => interleaved.to_vec(),
        n => {
            let inv = 1.0 / n as f32;
            interleaved.chunks_exact(n).map(|frame| frame.iter().sum::<f32>() * inv).collect()
        }
    }
}

/// Convert a whole buffer of 16 kHz mono signed 16-bit little-endian PCM into samples.
pub fn pcm_s16le_to_f32(bytes: &[u8]) -> Result<Vec<f32>, AudioError> {
    if !bytes.len().is_multiple_of(2) {
        return Err(AudioError::OddPcmLength(bytes.len()));
    }
    let mut out = Vec::with_capacity(bytes.len() / 2);
    let mut stream = S16leStream::default();
    stream.push(bytes, &mut out);
    Ok(out)
}

/// Incremental s16le decoder for network frames, which may split a sample across packets.
#[derive(Debug, Default, Clone)]
pub struct S16leStream {
    pending: Option<u8>,
}

impl S16leStream {
    /// Decode `bytes`, appending complete samples to `out`; an odd trailing byte is kept
    /// for the next call.
    pub fn push(&mut self, mut bytes: &[u8], out: &mut Vec<f32>) {
        if let Some(lo) = self.pending.take() {
            match bytes.split_first() {
                Some((&hi, rest)) => {
                    out.push(sample_from(lo, hi));
                    bytes = rest;
                }
                None => {
                    self.pending = Some(lo);
                    return;
                }
            }
        }
        let mut pairs = bytes.chunks_exact(2);
        out.extend(pairs.by_ref().map(|p| sample_from(p[0], p[1])));
        self.pending = pairs.remainder().first().copied();
    }

    /// True when half a sample is waiting for its second byte.
    pub fn has_pending_byte(&self) -> bool {
        self.pending.is_some()
    }
}

fn sample_from(lo: u8, hi: u8) -> f32 {
    f32::from(i16::from_le_bytes([lo, hi])) / 32768.0
}

/// Duration in milliseconds of `n` samples at 16 kHz.
pub fn samples_to_ms(n: usize) -> u64 {
    n as u64 * 1000 / u64::from(SAMPLE_RATE)
}
