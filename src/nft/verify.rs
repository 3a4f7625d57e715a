//! Offline verification of a chip record against a design file.
//!
//! Checks, in order: `schema`, `content_sha256`, `content_size`, `shares_sum`,
//! `royalty_bps`, `signatures`. Each runs on whatever part of the record it can
//! read, so one broken field does not hide the state of the others.

use super::content::{ContentDigest, digest_reader};
use super::keys::{format_public_key, parse_public_key};
use super::record::signing_payload;
use super::report::{Check, VerifyReport, fail, pass};
use super::rules;
use super::schema::schema_problems;
use super::strict_json::parse_strict;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{Signature, VerifyingKey};
use serde_json::Value;
use std::io::{self, Read};

/// Input that could not be read or parsed at all (as opposed to a record that fails a check).
#[derive(Debug, thiserror::Error)]
pub enum VerifyInputError {
    #[error("record is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("cannot read file: {0}")]
    Io(#[from] io::Error),
}

/// Parses `record_json` (duplicate member names rejected), streams `file` through
/// SHA-256 and runs every check.
pub fn verify_json(record_json: &[u8], file: impl Read) -> Result<VerifyReport, VerifyInputError> {
    let record = parse_strict(record_json)?;
    Ok(verify(&record, file)?)
}

/// Streams `file` through SHA-256 and runs every check against `record`.
pub fn verify(record: &Value, file: impl Read) -> io::Result<VerifyReport> {
    Ok(verify_digest(record, &digest_reader(file)?))
}

/// Runs every check against an already-computed content digest.
pub fn verify_digest(record: &Value, content: &ContentDigest) -> VerifyReport {
    VerifyReport::from_checks(vec![
        check_schema(record),
        check_content_sha256(record, content),
        check_content_size(record, content),
        check_shares(record),
        check_royalty(record),
        check_signatures(record),
    ])
}

fn check_schema(record: &Value) -> Check {
    let problems = schema_problems(record);
    if problems.is_empty() {
        pass("schema", "all required fields present and well-typed")
    } else {
        fail("schema", problems.join("; "))
    }
}

fn check_content_sha256(record: &Value, content: &ContentDigest) -> Check {
    const NAME: &str = "content_sha256";
    match record.pointer("/properties/content/sha256").and_then(Value::as_str) {
        Some(expected) if expected == content.sha256 => pass(NAME, format!("file hash {} matches", content.sha256)),
        Some(expected) => {
            fail(NAME, format!("file hash {} does not match record {}", content.sha256, rules::short(expected)))
        }
        None => fail(NAME, "record has no properties.content.sha256 string"),
    }
}

fn check_content_size(record: &Value, content: &ContentDigest) -> Check {
    const NAME: &str = "content_size";
    match record.pointer("/properties/content/size").and_then(Value::as_u64) {
        Some(n) if n == content.size => pass(NAME, format!("file is {n} bytes as recorded")),
        Some(n) => fail(NAME, format!("file is {} bytes; record says {n}", content.size)),
        None => fail(NAME, "record has no properties.content.size integer"),
    }
}

fn check_shares(record: &Value) -> Check {
    const NAME: &str = "shares_sum";
    let Some(authors) = record.pointer("/properties/authors").and_then(Value::as_array) else {
        return fail(NAME, "record has no properties.authors array");
    };
    if authors.is_empty() {
        return fail(NAME, "no authors, so no shares");
    }
    let mut shares = Vec::with_capacity(authors.len());
    for (i, a) in authors.iter().enumerate() {
        let Some(bps) = a.get("share_bps").and_then(Value::as_u64) else {
            return fail(NAME, format!("author {i}: share_bps is not a non-negative integer"));
        };
        if let Err(e) = rules::check_share(bps) {
            return fail(NAME, format!("author {i}: {e}"));
        }
        shares.push(bps);
    }
    match rules::check_share_total(shares) {
        Ok(()) => pass(NAME, format!("{} author share(s) sum to 10000 bps", authors.len())),
        Err(e) => fail(NAME, e),
    }
}

fn check_royalty(record: &Value) -> Check {
    const NAME: &str = "royalty_bps";
    let value = record.pointer("/properties/royalty_bps");
    let bps = value.and_then(Value::as_i64).map(i128::from).or_else(|| value.and_then(Value::as_u64).map(i128::from));
    match bps {
        Some(bps) => match rules::check_royalty(bps) {
            Ok(()) => pass(NAME, format!("royalty {bps} bps")),
            Err(e) => fail(NAME, e),
        },
        None => fail(NAME, "record has no properties.royalty_bps integer"),
    }
}

fn check_signatures(record: &Value) -> Check {
    match signature_problems(record) {
        Ok(detail) => pass("signatures", detail),
        Err(detail) => fail("signatures", detail),
    }
}

/// `Ok(summary)` when every rule holds, otherwise `Err(first problem)`.
fn signature_problems(record: &Value) -> Result<String, String> {
    let entries = match record.get("signatures") {
        Some(Value::Array(entries)) if !entries.is_empty() => entries,
        Some(Value::Array(_)) | None => return Err("record has no signatures".into()),
        Some(_) => return Err("\"signatures\" is not an array".into()),
    };
    let payload = signing_payload(record).map_err(|e| format!("cannot canonicalise record: {e}"))?;
    let mut signers: Vec<VerifyingKey> = Vec::with_capacity(entries.len());
    for (i, entry) in entries.iter().enumerate() {
        let key = entry
            .get("pubkey")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("signature {i}: missing pubkey"))
            .and_then(|s| parse_public_key(s).map_err(|e| format!("signature {i}: {e}")))?;
        let sig = entry
            .get("sig")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("signature {i}: missing sig"))
            .and_then(|s| decode_signature(s).map_err(|e| format!("signature {i}: {e}")))?;
        if signers.contains(&key) {
            return Err(format!("signature {i}: {} signed twice", format_public_key(&key)));
        }
        key.verify_strict(&payload, &sig).map_err(|_| {
            format!(
                "signature {i} by {} does not match the record (forged, or the record was edited after signing)",
                format_public_key(&key)
            )
        })?;
        signers.push(key);
    }
    let authors: Vec<VerifyingKey> = record
        .pointer("/properties/authors")
        .and_then(Value::as_array)
        .ok_or("record has no properties.authors array")?
        .iter()
        .enumerate()
        .map(|(i, a)| {
            a.get("pubkey")
                .and_then(Value::as_str)
                .ok_or_else(|| format!("author {i}: missing pubkey"))
                .and_then(|s| parse_public_key(s).map_err(|e| format!("author {i}: {e}")))
        })
        .collect::<Result<_, _>>()?;
    if let Some(stranger) = signers.iter().find(|k| !authors.contains(k)) {
        return Err(format!("{} signed but is not an author", format_public_key(stranger)));
    }
    if let Some(missing) = authors.iter().find(|k| !signers.contains(k)) {
        return Err(format!("author {} has not signed", format_public_key(missing)));
    }
    Ok(format!("{} valid signature(s); every author signed", signers.len()))
}

fn decode_signature(s: &str) -> Result<Signature, String> {
    let bytes = STANDARD.decode(s).map_err(|_| "sig is not valid base64 (standard alphabet, padded)".to_owned())?;
    let arr: [u8; 64] =
        bytes.as_slice().try_into().map_err(|_| format!("sig must be 64 bytes; got {}", bytes.len()))?;
    Ok(Signature::from_bytes(&arr))
}
