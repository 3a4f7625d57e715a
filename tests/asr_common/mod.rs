//! Helpers shared by the integration tests: tool checks, sox/espeak-ng wrappers, model lookup.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// Run an external tool, failing the test with its stderr if it does not succeed.
pub fn run(tool: &str, args: &[&str]) {
    let out = Command::new(tool)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {tool} ({e}); install it: apt-get install -y espeak-ng sox"));
    assert!(out.status.success(), "{tool} {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
}

/// Speak `text` with espeak-ng into `out` (22,050 Hz mono 16-bit WAV).
pub fn espeak(text: &str, voice: &str, speed: u32, out: &Path) {
    let out = out.to_str().unwrap_or_default();
    run("espeak-ng", &["-v", voice, "-s", &speed.to_string(), "-w", out, text]);
}

/// Speak `text` into `dir/name` and load it as 16 kHz mono samples.
pub fn speak(dir: &Path, name: &str, text: &str, voice: &str, speed: u32) -> Vec<f32> {
    let p = dir.join(name);
    espeak(text, voice, speed, &p);
    holomesh::asr::load_wav(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Lowercase letters and digits only, spaces removed ("market place" == "marketplace").
pub fn squashed(text: &str) -> String {
    text.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// Location of the tiny.en model: `HOLOMESH_ASR_MODEL`, else the default models folder.
pub fn model_path() -> PathBuf {
    if let Some(p) = std::env::var_os("HOLOMESH_ASR_MODEL") {
        return PathBuf::from(p);
    }
    models_dir().join(holomesh::config::ModelWeights::default().file_name("tiny.en"))
}

pub fn models_dir() -> PathBuf {
    if let Some(p) = std::env::var_os("HOLOMESH_MODELS_DIR") {
        return PathBuf::from(p);
    }
    data_dir().join("models")
}

fn data_dir() -> PathBuf {
    if let Some(p) = std::env::var_os("HOLOMESH_DATA_DIR") {
        return PathBuf::from(p);
    }
    let base = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".local/share"));
    base.join("holomesh")
}

/// The model path, or `None` after printing why the calling test is skipped.
pub fn model_or_skip(test: &str) -> Option<PathBuf> {
    let path = model_path();
    if path.is_file() {
        Some(path)
    } else {
        assert!(std::env::var_os("HOLOMESH_REQUIRE_MODELS").is_none(), "a model is missing (scripts/models/)");
        println!("SKIPPED {test}: no model at {} (run scripts/models/fetch.sh tiny.en)", path.display());
        None
    }
}

/// Dominant frequency estimated from positive-going zero crossings.
pub fn zero_crossing_hz(samples: &[f32], rate: f32) -> f32 {
    let crossings = samples.windows(2).filter(|w| w[0] <= 0.0 && w[1] > 0.0).count();
    crossings as f32 * rate / samples.len() as f32
}

pub fn rms(samples: &[f32]) -> f32 {
    (samples.iter().map(|s| s * s).sum::<f32>() / samples.len().max(1) as f32).sqrt()
}
