//! Building and signing records.

use super::super::canonical::canonicalize;
use super::super::keys::DesignerKeys;
use super::super::record::{RecordError, SignError, build_record, sign, signing_payload};
use super::fixture::{Fixture, TestResult};
use serde_json::{Value, json};

#[test]
fn built_record_has_the_documented_shape() -> TestResult {
    let fx = Fixture::new()?;
    let r = build_record(&fx.input)?;
    assert_eq!(r["attributes"][0], json!({"trait_type": "VLNV", "value": "acme.com:cpu:rv32i:1.0"}));
    assert_eq!(r["attributes"][1]["trait_type"], "Process node");
    assert_eq!(r["properties"]["content"]["size"], json!(fx.input.size));
    assert_eq!(r["properties"]["authors"][0]["share_bps"], 7000);
    assert_eq!(r["properties"]["authors"][1]["id"], "00000000-0000-0000-0000-000000000002");
    assert_eq!(r["properties"]["royalty_bps"], 500);
    assert_eq!(r["properties"]["created_at"], "2025-03-01T12:00:00Z");
    assert_eq!(r["signatures"], json!([]));
    Ok(())
}

#[test]
fn null_prev_version_is_written_as_null() -> TestResult {
    let mut fx = Fixture::new()?;
    fx.input.prev_version = None;
    assert_eq!(build_record(&fx.input)?["properties"]["prev_version"], Value::Null);
    Ok(())
}

#[test]
fn build_rejects_bad_input() -> TestResult {
    let fx = Fixture::new()?;
    let mut bad = fx.input.clone();
    bad.authors[0].share_bps = 6999;
    assert!(matches!(build_record(&bad), Err(RecordError::Invalid(m)) if m.contains("9999")));
    let mut bad = fx.input.clone();
    bad.royalty_bps = 10_001;
    assert!(matches!(build_record(&bad), Err(RecordError::Invalid(_))));
    let mut bad = fx.input.clone();
    bad.vlnv = "acme:cpu:rv32i".into();
    assert!(matches!(build_record(&bad), Err(RecordError::Invalid(_))));
    let mut bad = fx.input.clone();
    bad.sha256 = bad.sha256.to_uppercase();
    assert!(matches!(build_record(&bad), Err(RecordError::Invalid(_))));
    let mut bad = fx.input.clone();
    bad.authors[1].pubkey = bad.authors[0].pubkey.clone();
    assert!(matches!(build_record(&bad), Err(RecordError::DuplicateAuthor(_))));
    let mut bad = fx.input.clone();
    bad.authors[1].pubkey = "ed25519:nope".into();
    assert!(matches!(build_record(&bad), Err(RecordError::AuthorKey { index: 1, .. })));
    let mut bad = fx.input.clone();
    bad.authors.clear();
    assert_eq!(build_record(&bad), Err(RecordError::NoAuthors));
    Ok(())
}

#[test]
fn signing_payload_excludes_signatures() -> TestResult {
    let fx = Fixture::new()?;
    let unsigned = build_record(&fx.input)?;
    let signed = fx.signed()?;
    assert_eq!(signing_payload(&unsigned)?, signing_payload(&signed)?);
    let mut without = unsigned.clone();
    if let Some(m) = without.as_object_mut() {
        m.remove("signatures");
    }
    assert_eq!(signing_payload(&signed)?, canonicalize(&without)?.into_bytes());
    Ok(())
}

#[test]
fn same_key_twice_is_rejected() -> TestResult {
    let fx = Fixture::new()?;
    let mut r = build_record(&fx.input)?;
    sign(&mut r, fx.alice.signing_key())?;
    assert!(matches!(sign(&mut r, fx.alice.signing_key()), Err(SignError::AlreadySigned(_))));
    assert_eq!(r["signatures"].as_array().map(Vec::len), Some(1));
    Ok(())
}

#[test]
fn non_author_cannot_sign() -> TestResult {
    let fx = Fixture::new()?;
    let mut r = build_record(&fx.input)?;
    let mallory = DesignerKeys::generate();
    assert!(matches!(sign(&mut r, mallory.signing_key()), Err(SignError::NotAnAuthor(_))));
    Ok(())
}

#[test]
fn sign_rejects_non_objects() -> TestResult {
    let fx = Fixture::new()?;
    let mut v = json!([1, 2]);
    assert_eq!(sign(&mut v, fx.alice.signing_key()), Err(SignError::NotAnObject));
    let mut r = build_record(&fx.input)?;
    r["signatures"] = json!("x");
    assert_eq!(sign(&mut r, fx.alice.signing_key()), Err(SignError::SignaturesNotArray));
    Ok(())
}
