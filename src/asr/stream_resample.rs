//! Linear-interpolation resampling of mono `f32` audio, in one go or chunk by chunk.
//!
//! No anti-aliasing filter is applied: adequate for speech recognition from 8–48 kHz sources,
//! not for music-quality conversion. The streaming and one-shot forms produce identical output.

/// Converts mono samples from `from_rate` to `to_rate` in one go.
pub fn resample_linear(samples: &[f32], from_rate: u32, to_rate: u32) -> Vec<f32> {
    let mut resampler = LinearResampler::new(from_rate, to_rate);
    let mut out = Vec::new();
    resampler.push(samples, &mut out);
    resampler.finish(&mut out);
    out
}

/// Streaming linear resampler: feed chunks with [`push`](Self::push), end with [`finish`](Self::finish).
///
/// Output sample `k` sits at input position `k * from / to`, computed in integers so that chunk
/// boundaries do not accumulate rounding error.
#[derive(Debug, Clone)]
pub struct LinearResampler {
    from: u64,
    to: u64,
    /// Input samples seen so far.
    consumed: u64,
    /// Output samples produced so far.
    produced: u64,
    /// The last input sample seen (index `consumed - 1`).
    prev: f32,
}

impl LinearResampler {
    /// A zero rate is treated as equal rates (samples pass through unchanged).
    pub fn new(from_rate: u32, to_rate: u32) -> Self {
        let (from, to) = if from_rate == 0 || to_rate == 0 { (1, 1) } else { (from_rate, to_rate) };
        Self { from: u64::from(from), to: u64::from(to), consumed: 0, produced: 0, prev: 0.0 }
    }

    /// Appends the output that `chunk` makes computable to `out`.
    pub fn push(&mut self, chunk: &[f32], out: &mut Vec<f32>) {
        let Some(&last) = chunk.last() else { return };
        if self.from == self.to {
            out.extend_from_slice(chunk);
        } else {
            let base = self.consumed;
            let last_index = base + chunk.len() as u64 - 1;
            let sample = |i: u64| -> f32 { if i < base { self.prev } else { chunk[(i - base) as usize] } };
            loop {
                let scaled = self.produced * self.from;
                let index = scaled / self.to;
                if index + 1 > last_index {
                    break;
                }
                let frac = (scaled % self.to) as f32 / self.to as f32;
                let (a, b) = (sample(index), sample(index + 1));
                out.push(a + (b - a) * frac);
                self.produced += 1;
            }
        }
        self.consumed += chunk.len() as u64;
        self.prev = last;
    }

    /// Appends the remaining output (positions past the last input sample repeat it) and resets.
    pub fn finish(&mut self, out: &mut Vec<f32>) {
        if self.from != self.to {
            let total = self.consumed * self.to / self.from;
            out.extend(std::iter::repeat_n(self.prev, total.saturating_sub(self.produced) as usize));
        }
        *self = Self { consumed: 0, produced: 0, prev: 0.0, ..*self };
    }

    /// Input samples seen since the last [`finish`](Self::finish).
    pub fn consumed(&self) -> u64 {
        self.consumed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resamples_up_and_down() {
        assert_eq!(resample_linear(&[0.0, 1.0], 8000, 16000), vec![0.0, 0.5, 1.0, 1.0]);
        let down = resample_linear(&[0.0, 0.1, 0.2, 0.3, 0.4, 0.5], 48000, 16000);
        assert_eq!(down.len(), 2);
        assert!((down[1] - 0.3).abs() < 1e-6);
        assert_eq!(resample_linear(&[0.5, 0.25], 16000, 16000), vec![0.5, 0.25]);
        assert!(resample_linear(&[], 44100, 16000).is_empty());
    }

    #[test]
    fn chunked_output_equals_one_shot_output() {
        let input: Vec<f32> = (0..4410).map(|i| (i as f32 * 0.37).sin()).collect();
        for (from, to) in [(44100, 16000), (8000, 16000), (22050, 16000), (48000, 16000)] {
            let whole = resample_linear(&input, from, to);
            assert_eq!(whole.len() as u64, input.len() as u64 * u64::from(to) / u64::from(from));
            for chunk_len in [1, 7, 160, 1000] {
                let mut resampler = LinearResampler::new(from, to);
                let mut out = Vec::new();
                for chunk in input.chunks(chunk_len) {
                    resampler.push(chunk, &mut out);
                }
                resampler.finish(&mut out);
                assert_eq!(out, whole, "{from}->{to} in chunks of {chunk_len}");
            }
        }
    }
}
