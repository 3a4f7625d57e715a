//! `holomesh listen` on a real capture device: ALSA's `file` plugin plays a recording
//! as the default microphone, so capture, endpointing and the pipeline run as they
//! would on a machine with a sound card. Built only with `--features mic`.
#![cfg(feature = "mic")]

use std::path::Path;
use std::process::Command;

fn model_dir() -> std::path::PathBuf {
    std::env::var_os("HOLOMESH_MODELS_DIR").map(std::path::PathBuf::from).unwrap_or_else(|| {
        Path::new(&std::env::var_os("HOME").unwrap_or_default()).join(".local/share/holomesh/models")
    })
}

#[test]
fn listen_hears_a_command_from_the_default_input_device() {
    let models = model_dir();
    if !models.join(holomesh::config::ModelWeights::default().file_name("tiny.en")).exists() {
        assert!(std::env::var_os("HOLOMESH_REQUIRE_MODELS").is_none(), "a model is missing (scripts/models/)");
        println!("SKIPPED listen_hears_a_command_from_the_default_input_device: no model in {}", models.display());
        return;
    }
    let home = tempfile::tempdir().expect("dir");
    let raw = home.path().join("in.raw");
    let ok = Command::new("sox")
        .arg("tests/audio/05-balance.wav")
        .args(["-t", "raw", "-r", "16000", "-c", "1", "-b", "16", "-e", "signed-integer"])
        .arg(&raw)
        .status();
    assert!(ok.is_ok_and(|s| s.success()), "sox converts the recording");
    let device = format!(
        "{{ type file; slave.pcm \"null\"; file \"/dev/null\"; infile \"{}\"; format \"raw\" }}",
        raw.display()
    );
    std::fs::write(home.path().join(".asoundrc"), format!("pcm.filecap {device}\npcm.!default {device}\n"))
        .expect("asoundrc");
    let data = tempfile::tempdir().expect("data");
    // The file plugin is not paced and repeats stale buffers after the end: stop at its length.
    let out = Command::new(env!("CARGO_BIN_EXE_holomesh"))
        .args(["listen", "--max-seconds", "2.1"])
        .env("HOME", home.path())
        .env("HOLOMESH_DATA_DIR", data.path())
        .env("HOLOMESH_ASR__MODELS_DIR", &models)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run holomesh listen");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("WalletBalance") && stdout.contains("in your wallet"), "{stdout}");
}

#[test]
fn listen_without_a_sound_card_says_so() {
    let home = tempfile::tempdir().expect("dir");
    let data = tempfile::tempdir().expect("data");
    let out = Command::new(env!("CARGO_BIN_EXE_holomesh"))
        .args(["listen", "--max-seconds", "1"])
        .env("HOME", home.path())
        .env("HOLOMESH_DATA_DIR", data.path())
        .env("HOLOMESH_ASR__MODELS_DIR", model_dir())
        .env("RUST_LOG", "error")
        .output()
        .expect("run holomesh listen");
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !model_dir().join(holomesh::config::ModelWeights::default().file_name("tiny.en")).exists() {
        return;
    }
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("microphone") || stderr.contains("input device"), "{stderr}");
}
