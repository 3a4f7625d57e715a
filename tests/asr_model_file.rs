//! Structural model-file checks: foreign, truncated and corrupt files are rejected clearly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "asr_common/mod.rs"]
mod common;

use holomesh::asr::model_file::{ModelFileError, inspect_model_file};

fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let p = dir.path().join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn missing_foreign_and_short_files_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    assert!(matches!(inspect_model_file(&dir.path().join("nope.bin")), Err(ModelFileError::NotFound { .. })));
    let foreign = write(&dir, "foreign.bin", b"PK\x03\x04 this is a zip, not a model");
    assert!(matches!(inspect_model_file(&foreign), Err(ModelFileError::BadMagic { .. })));
    let short = write(&dir, "short.bin", &0x6767_6d6cu32.to_le_bytes());
    assert!(matches!(inspect_model_file(&short), Err(ModelFileError::Truncated { .. })));
}

#[test]
fn implausible_header_is_corrupt() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = 0x6767_6d6cu32.to_le_bytes().to_vec();
    for v in [7u32, 1500, 384, 6, 4, 448, 384, 6, 4, 80, 1] {
        bytes.extend_from_slice(&v.to_le_bytes());
    }
    let p = write(&dir, "bad.bin", &bytes);
    let err = inspect_model_file(&p).unwrap_err();
    assert!(matches!(err, ModelFileError::Corrupt { .. }), "{err}");
}

#[test]
fn real_model_passes_and_its_truncations_fail() {
    let Some(model) = common::model_or_skip("real_model_passes_and_its_truncations_fail") else {
        return;
    };
    let info = inspect_model_file(&model).unwrap();
    assert_eq!(info.n_vocab, 51_864);
    assert_eq!(info.tensors, 7 + 15 * 4 + 4 + 24 * 4);
    assert!(!info.is_multilingual());

    let bytes = std::fs::read(&model).unwrap();
    let dir = tempfile::tempdir().unwrap();
    for cut in [100usize, 70_000, bytes.len() / 2, bytes.len() - 1] {
        let p = write(&dir, "cut.bin", &bytes[..cut]);
        let err = inspect_model_file(&p).unwrap_err();
        assert!(
            matches!(err, ModelFileError::Truncated { .. } | ModelFileError::Corrupt { .. }),
            "cut at {cut}: {err}"
        );
    }
}
