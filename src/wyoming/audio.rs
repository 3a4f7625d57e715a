//! PCM conversion: interleaved integer PCM of any common width / channel count → 16 kHz mono `f32`.
//!
//! Sample widths follow the reference implementation (Python `audioop`): every width, 8-bit
//! included, is a signed little-endian integer. Channels are averaged into mono. Resampling is
//! linear interpolation (see `crate::asr::stream_resample`).

use super::events::AudioFormat;
use crate::asr::stream_resample::LinearResampler;

/// Sample rate handed to the speech-to-text handler.
pub const TARGET_RATE: u32 = 16_000;
/// Most channels accepted in one chunk.
pub const MAX_CHANNELS: u32 = 8;
/// Rates outside this range are refused.
pub const RATE_RANGE: std::ops::RangeInclusive<u32> = 1_000..=384_000;

/// Why a chunk of audio could not be converted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PcmError {
    #[error("unsupported sample width {0} bytes (1, 2, 3 or 4 are accepted)")]
    UnsupportedWidth(u32),
    #[error("unsupported channel count {0} (1 to {MAX_CHANNELS} are accepted)")]
    UnsupportedChannels(u32),
    #[error("unsupported sample rate {0} Hz")]
    UnsupportedRate(u32),
    #[error("chunk of {len} bytes is not a whole number of {frame_size}-byte frames")]
    PartialFrame { len: usize, frame_size: usize },
}

/// Checks that a format can be converted.
pub fn validate(format: &AudioFormat) -> Result<(), PcmError> {
    if !(1..=4).contains(&format.width) {
        return Err(PcmError::UnsupportedWidth(format.width));
    }
    if !(1..=MAX_CHANNELS).contains(&format.channels) {
        return Err(PcmError::UnsupportedChannels(format.channels));
    }
    if !RATE_RANGE.contains(&format.rate) {
        return Err(PcmError::UnsupportedRate(format.rate));
    }
    Ok(())
}

/// Decodes interleaved PCM into mono `f32` in `[-1, 1)`, at the source rate.
pub fn decode_mono(bytes: &[u8], format: &AudioFormat) -> Result<Vec<f32>, PcmError> {
    validate(format)?;
    let width = format.width as usize;
    let channels = format.channels as usize;
    let frame_size = width * channels;
    if !bytes.len().is_multiple_of(frame_size) {
        return Err(PcmError::PartialFrame { len: bytes.len(), frame_size });
    }
    let scale = 1.0 / (1u64 << (8 * width - 1)) as f64;
    let samples = bytes
        .chunks_exact(frame_size)
        .map(|frame| {
            let sum: f64 = frame.chunks_exact(width).map(|s| f64::from(signed_le(s))).sum();
            (sum / channels as f64 * scale) as f32
        })
        .collect();
    Ok(samples)
}

/// Sign-extends a 1–4 byte little-endian integer.
fn signed_le(sample: &[u8]) -> i32 {
    let width = sample.len().min(4);
    let mut raw = [0u8; 4];
    // Put the sample in the high bytes so its sign bit is the i32 sign bit, then shift back down.
    raw[4 - width..].copy_from_slice(&sample[..width]);
    i32::from_le_bytes(raw) >> (8 * (4 - width))
}

/// Buffers one utterance as 16 kHz mono `f32`, converting and resampling each chunk as it
/// arrives, so memory stays proportional to the 16 kHz length whatever the source format.
#[derive(Debug)]
pub struct UtteranceBuffer {
    rate: Option<u32>,
    resampler: LinearResampler,
    samples: Vec<f32>,
    max_seconds: f64,
}

/// The utterance grew past the per-connection cap.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("audio longer than {max_seconds} s")]
pub struct TooLong {
    pub max_seconds: f64,
}

/// Why a chunk was refused by an [`UtteranceBuffer`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BufferError {
    #[error(transparent)]
    Format(#[from] PcmError),
    #[error(transparent)]
    TooLong(#[from] TooLong),
    #[error("sample rate changed from {from} Hz to {to} Hz within one utterance")]
    RateChanged { from: u32, to: u32 },
}

impl UtteranceBuffer {
    pub fn new(max_seconds: f64) -> Self {
        Self { rate: None, resampler: LinearResampler::new(TARGET_RATE, TARGET_RATE), samples: Vec::new(), max_seconds }
    }

    /// Seconds of audio buffered so far.
    pub fn seconds(&self) -> f64 {
        match self.rate {
            Some(rate) => self.resampler.consumed() as f64 / f64::from(rate),
            None => 0.0,
        }
    }

    /// Converts and appends one chunk. On error the buffer is left as it was.
    pub fn push(&mut self, bytes: &[u8], format: &AudioFormat) -> Result<(), BufferError> {
        validate(format)?;
        if let Some(rate) = self.rate
            && rate != format.rate
        {
            return Err(BufferError::RateChanged { from: rate, to: format.rate });
        }
        let frames = (bytes.len() / (format.width as usize * format.channels as usize)) as u64;
        let total = (self.resampler.consumed() + frames) as f64 / f64::from(format.rate);
        if total > self.max_seconds {
            return Err(TooLong { max_seconds: self.max_seconds }.into());
        }
        let decoded = decode_mono(bytes, format)?;
        if self.rate.is_none() {
            self.rate = Some(format.rate);
            self.resampler = LinearResampler::new(format.rate, TARGET_RATE);
        }
        self.resampler.push(&decoded, &mut self.samples);
        Ok(())
    }

    /// Returns the utterance as 16 kHz mono samples and empties the buffer.
    pub fn take_16k(&mut self) -> Vec<f32> {
        self.resampler.finish(&mut self.samples);
        self.rate = None;
        std::mem::take(&mut self.samples)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(rate: u32, width: u32, channels: u32) -> AudioFormat {
        AudioFormat { rate, width, channels }
    }

    #[test]
    fn decodes_each_width() {
        assert_eq!(decode_mono(&[0x80, 0x7f], &fmt(16000, 1, 1)).ok(), Some(vec![-1.0, 127.0 / 128.0]));
        let s16 = [0x00, 0x80, 0x00, 0x40];
        assert_eq!(decode_mono(&s16, &fmt(16000, 2, 1)).ok(), Some(vec![-1.0, 0.5]));
        let s24 = [0x00, 0x00, 0xc0, 0xff, 0xff, 0x7f];
        let out = decode_mono(&s24, &fmt(16000, 3, 1)).unwrap_or_default();
        assert_eq!(out[0], -0.5);
        assert!((out[1] - 1.0).abs() < 1e-6);
        let s32 = (i32::MIN / 4).to_le_bytes();
        assert_eq!(decode_mono(&s32, &fmt(16000, 4, 1)).ok(), Some(vec![-0.25]));
    }

    #[test]
    fn averages_stereo_and_rejects_bad_formats() {
        let frame = [0x00, 0x40, 0x00, 0x00]; // left 0.5, right 0.0
        assert_eq!(decode_mono(&frame, &fmt(16000, 2, 2)).ok(), Some(vec![0.25]));
        assert_eq!(decode_mono(&[0, 0, 0], &fmt(16000, 2, 1)), Err(PcmError::PartialFrame { len: 3, frame_size: 2 }));
        assert_eq!(decode_mono(&[], &fmt(16000, 5, 1)), Err(PcmError::UnsupportedWidth(5)));
        assert_eq!(decode_mono(&[], &fmt(16000, 2, 0)), Err(PcmError::UnsupportedChannels(0)));
        assert_eq!(decode_mono(&[], &fmt(0, 2, 1)), Err(PcmError::UnsupportedRate(0)));
    }

    #[test]
    fn buffer_caps_length_and_rate_changes() {
        let mut buf = UtteranceBuffer::new(1.0);
        let second = vec![0u8; 16000 * 2];
        assert!(buf.push(&second, &fmt(16000, 2, 1)).is_ok());
        assert!(matches!(buf.push(&[0, 0], &fmt(16000, 2, 1)), Err(BufferError::TooLong(_))));
        assert!(matches!(buf.push(&[0, 0], &fmt(8000, 2, 1)), Err(BufferError::RateChanged { .. })));
        assert_eq!(buf.take_16k().len(), 16000);
        assert_eq!(buf.seconds(), 0.0);
    }
}
