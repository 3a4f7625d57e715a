//! WAV decoding of many layouts (made with sox at test time), resampling and raw PCM input.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "asr_common/mod.rs"]
mod common;

use holomesh::asr::audio::{AudioError, S16leStream, decode_wav, load_wav, pcm_s16le_to_f32};
use holomesh::asr::resample::resample_mono;

/// (rate, bits, encoding, channels)
const LAYOUTS: &[(u32, u32, &str, u32)] = &[
    (8_000, 8, "unsigned-integer", 1),
    (16_000, 16, "signed-integer", 1),
    (22_050, 16, "signed-integer", 2),
    (44_100, 16, "signed-integer", 2),
    (44_100, 24, "signed-integer", 1),
    (48_000, 32, "signed-integer", 2),
    (48_000, 32, "floating-point", 6),
    (96_000, 24, "signed-integer", 2),
];

#[test]
fn wav_layouts_decode_to_16k_mono_sine() {
    let dir = tempfile::tempdir().unwrap();
    for &(rate, bits, encoding, channels) in LAYOUTS {
        let path = dir.path().join(format!("sine_{rate}_{bits}_{encoding}_{channels}.wav"));
        let p = path.to_str().unwrap();
        common::run(
            "sox",
            &[
                "-n",
                "-r",
                &rate.to_string(),
                "-b",
                &bits.to_string(),
                "-e",
                encoding,
                "-c",
                &channels.to_string(),
                p,
                "synth",
                "1.5",
                "sine",
                "1000",
                "vol",
                "0.5",
            ],
        );
        let samples = load_wav(&path).unwrap_or_else(|e| panic!("{p}: {e}"));
        let want = 24_000usize;
        assert!(samples.len().abs_diff(want) <= 2, "{p}: {} samples, expected {want}", samples.len());
        let mid = &samples[1600..samples.len() - 1600];
        let hz = common::zero_crossing_hz(mid, 16_000.0);
        assert!((hz - 1000.0).abs() < 10.0, "{p}: {hz} Hz");
        // A 0.5 amplitude sine has RMS 0.354; identical channels must average to the same.
        let rms = common::rms(mid);
        assert!((rms - 0.3536).abs() < 0.02, "{p}: rms {rms}");
    }
}

#[test]
fn opposite_phase_channels_cancel_on_downmix() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("phase.wav");
    let p = path.to_str().unwrap();
    // Left: sine, right: inverted sine.
    common::run(
        "sox",
        &["-n", "-r", "16000", "-b", "16", "-c", "2", p, "synth", "0.5", "sine", "440", "remix", "1", "1i"],
    );
    let samples = load_wav(&path).unwrap();
    assert!(common::rms(&samples) < 1e-3, "rms {}", common::rms(&samples));
}

#[test]
fn resampling_keeps_frequency_length_and_shape() {
    let rate = 44_100.0f64;
    let input: Vec<f32> =
        (0..44_100).map(|i| (0.5 * (2.0 * std::f64::consts::PI * 1000.0 * i as f64 / rate).sin()) as f32).collect();
    let out = resample_mono(&input, 44_100, 16_000).unwrap();
    assert!(out.len().abs_diff(16_000) <= 1, "{} samples", out.len());
    let mid = &out[800..15_200];
    let hz = common::zero_crossing_hz(mid, 16_000.0);
    assert!((hz - 1000.0).abs() < 5.0, "{hz} Hz");
    // Delay is removed, so the output lines up with an ideal 16 kHz sine.
    let err: f32 = (800..15_200)
        .map(|i| {
            let ideal = (0.5 * (2.0 * std::f64::consts::PI * 1000.0 * i as f64 / 16_000.0).sin()) as f32;
            (out[i] - ideal).powi(2)
        })
        .sum::<f32>()
        / 14_400.0;
    // Within a fraction of a sample (a one-sample lag would give about 0.14).
    assert!(err.sqrt() < 0.05, "rms error against ideal sine {}", err.sqrt());
    let level = common::rms(mid);
    assert!((level - 0.3536).abs() < 0.01, "rms {level}");
}

#[test]
fn upsampling_from_8k_works() {
    let input: Vec<f32> =
        (0..8_000).map(|i| 0.3 * (2.0 * std::f32::consts::PI * 300.0 * i as f32 / 8_000.0).sin()).collect();
    let out = resample_mono(&input, 8_000, 16_000).unwrap();
    assert!(out.len().abs_diff(16_000) <= 1);
    let hz = common::zero_crossing_hz(&out[1000..15_000], 16_000.0);
    assert!((hz - 300.0).abs() < 5.0, "{hz} Hz");
}

#[test]
fn garbage_and_truncated_wav_are_errors() {
    assert!(matches!(decode_wav(&b"definitely not a wav file"[..]), Err(AudioError::Malformed(_) | AudioError::Io(_))));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ok.wav");
    common::run(
        "sox",
        &["-n", "-r", "16000", "-b", "16", "-c", "1", path.to_str().unwrap(), "synth", "0.5", "sine", "440"],
    );
    let bytes = std::fs::read(&path).unwrap();
    let truncated = &bytes[..30];
    assert!(decode_wav(truncated).is_err());
    let missing = load_wav(&dir.path().join("missing.wav"));
    assert!(matches!(missing, Err(AudioError::Open { .. })));
}

#[test]
fn raw_pcm_decodes_and_streams_across_split_samples() {
    let values: [i16; 4] = [0, 16_384, -32_768, 32_767];
    let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    let whole = pcm_s16le_to_f32(&bytes).unwrap();
    assert_eq!(whole, vec![0.0, 0.5, -1.0, 32_767.0 / 32_768.0]);
    assert!(matches!(pcm_s16le_to_f32(&bytes[..3]), Err(AudioError::OddPcmLength(3))));

    let mut stream = S16leStream::default();
    let mut out = Vec::new();
    for chunk in [&bytes[..1], &bytes[1..4], &bytes[4..4], &bytes[4..7], &bytes[7..]] {
        stream.push(chunk, &mut out);
    }
    assert_eq!(out, whole);
    assert!(!stream.has_pending_byte());
}
