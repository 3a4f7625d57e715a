//! The `holomesh verify` entry point: exit codes 0 / 1 / 2 and what it prints.

use super::super::cli::{EXIT_INPUT_ERROR, EXIT_INVALID, EXIT_VALID, OutputFormat, run_verify};
use super::fixture::{FILE, Fixture, TestResult};
use std::fs;

#[test]
fn exit_codes_and_messages() -> TestResult {
    let fx = Fixture::new()?;
    let dir = tempfile::tempdir()?;
    let record = dir.path().join("R.json");
    let file = dir.path().join("core.v");
    fs::write(&record, serde_json::to_vec_pretty(&fx.signed()?)?)?;
    fs::write(&file, FILE)?;

    let ok = run_verify(&record, &file, OutputFormat::Text);
    assert_eq!(ok.exit_code, EXIT_VALID, "{}", ok.output);
    assert!(ok.output.starts_with("OK: "));

    let mut changed = FILE.to_vec();
    changed[0] ^= 1;
    fs::write(&file, &changed)?;
    let bad = run_verify(&record, &file, OutputFormat::Text);
    assert_eq!(bad.exit_code, EXIT_INVALID);
    assert!(bad.output.contains("FAILED content_sha256: file hash "), "{}", bad.output);

    let json = run_verify(&record, &file, OutputFormat::Json);
    assert_eq!(json.exit_code, EXIT_INVALID);
    let parsed: serde_json::Value = serde_json::from_str(&json.output)?;
    assert_eq!(parsed["valid"], false);

    let missing = run_verify(&record, &dir.path().join("nope.v"), OutputFormat::Text);
    assert_eq!(missing.exit_code, EXIT_INPUT_ERROR);
    assert!(missing.output.starts_with("error: cannot open file "), "{}", missing.output);

    let no_record = run_verify(&dir.path().join("nope.json"), &file, OutputFormat::Text);
    assert_eq!(no_record.exit_code, EXIT_INPUT_ERROR);
    assert!(no_record.output.contains("cannot open record"));

    fs::write(&record, b"{\"name\": ")?;
    let malformed = run_verify(&record, &file, OutputFormat::Text);
    assert_eq!(malformed.exit_code, EXIT_INPUT_ERROR);
    assert!(malformed.output.contains("is not valid JSON"), "{}", malformed.output);
    Ok(())
}

#[test]
fn directory_as_file_is_an_input_error() -> TestResult {
    let fx = Fixture::new()?;
    let dir = tempfile::tempdir()?;
    let record = dir.path().join("R.json");
    fs::write(&record, serde_json::to_vec(&fx.signed()?)?)?;
    let out = run_verify(&record, dir.path(), OutputFormat::Text);
    assert_eq!(out.exit_code, EXIT_INPUT_ERROR, "{}", out.output);
    Ok(())
}
