//! Sample-rate conversion of mono `f32` audio to the 16 kHz that the recogniser expects.

use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Fft, FixedSync, Resampler};

/// Why a resampling step failed.
#[derive(Debug, thiserror::Error)]
pub enum ResampleError {
    #[error("sample rate {0} Hz is outside the supported 1000..=384000 Hz")]
    UnsupportedRate(u32),
    #[error("resampler failed: {0}")]
    Engine(String),
}

const CHUNK_FRAMES: usize = 1024;

/// Resample mono audio from `from_hz` to `to_hz` (band-limited FFT resampler).
///
/// The output has `ceil(len * to_hz / from_hz)` samples, with the resampler's delay removed,
/// so timestamps in the output line up with the input.
pub fn resample_mono(samples: &[f32], from_hz: u32, to_hz: u32) -> Result<Vec<f32>, ResampleError> {
    for rate in [from_hz, to_hz] {
        if !(1_000..=384_000).contains(&rate) {
            return Err(ResampleError::UnsupportedRate(rate));
        }
    }
    if from_hz == to_hz || samples.is_empty() {
        return Ok(samples.to_vec());
    }
    let mut engine = Fft::<f32>::new(from_hz as usize, to_hz as usize, CHUNK_FRAMES, 1, FixedSync::Input)
        .map_err(|e| ResampleError::Engine(e.to_string()))?;
    let input = InterleavedSlice::new(samples, 1, samples.len()).map_err(|e| ResampleError::Engine(e.to_string()))?;
    let output = engine.process_all(&input, samples.len(), None).map_err(|e| ResampleError::Engine(e.to_string()))?;
    Ok(output.take_data())
}
