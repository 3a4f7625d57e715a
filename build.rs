//! Build script: with the `vosk` feature, points the linker at libvosk.so and records its
//! directory as the binaries' rpath, so they run without LD_LIBRARY_PATH. Does nothing
//! without the feature.
//!
//! The directory is `VOSK_LIB_DIR`, or where `scripts/models/fetch_vosk.sh` puts the library
//! by default: `$HOLOMESH_DATA_DIR/lib/vosk`, the data dir defaulting to
//! `${XDG_DATA_HOME:-$HOME/.local/share}/holomesh`.

use std::env;
use std::path::PathBuf;

fn main() {
    for var in ["CARGO_FEATURE_VOSK", "VOSK_LIB_DIR", "HOLOMESH_DATA_DIR", "XDG_DATA_HOME", "HOME"] {
        println!("cargo:rerun-if-env-changed={var}");
    }
    println!("cargo:rerun-if-changed=build.rs");
    if env::var_os("CARGO_FEATURE_VOSK").is_none() {
        return;
    }
    let Some(dir) = vosk_lib_dir() else {
        println!(
            "cargo:warning=feature vosk: no VOSK_LIB_DIR, HOLOMESH_DATA_DIR, XDG_DATA_HOME or HOME to find libvosk.so in"
        );
        return;
    };
    let lib = dir.join("libvosk.so");
    println!("cargo:rerun-if-changed={}", lib.display());
    if !lib.is_file() {
        // Checking (cargo check/clippy) needs no library; linking will fail with this hint.
        println!(
            "cargo:warning=feature vosk: {} is missing; run scripts/models/fetch_vosk.sh \
             (or set VOSK_LIB_DIR to the directory holding libvosk.so) before linking",
            lib.display()
        );
    }
    println!("cargo:rustc-link-search=native={}", dir.display());
    println!("cargo:rustc-link-arg=-Wl,-rpath,{}", dir.display());
}

fn vosk_lib_dir() -> Option<PathBuf> {
    let set = |name: &str| env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(dir) = set("VOSK_LIB_DIR") {
        return Some(dir);
    }
    let data_dir = set("HOLOMESH_DATA_DIR")
        .or_else(|| set("XDG_DATA_HOME").map(|d| d.join("holomesh")))
        .or_else(|| set("HOME").map(|h| h.join(".local/share/holomesh")))?;
    Some(data_dir.join("lib/vosk"))
}
