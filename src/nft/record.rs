//! Building chip records (ERC-721 / OpenSea metadata + `properties`) and signing them.

use super::canonical::{CanonicalError, canonical_bytes};
use super::keys::{KeyError, format_public_key, parse_public_key};
use super::rules;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{Signer as _, SigningKey};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

/// One contributor to a chip design.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Author {
    pub id: Uuid,
    /// `ed25519:<base64>`.
    pub pubkey: String,
    /// Share of royalties in basis points (all authors together: 10000).
    pub share_bps: u16,
}

/// Everything needed to build an unsigned chip record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChipRecordInput {
    pub name: String,
    pub description: String,
    pub image: String,
    pub external_url: String,
    /// IP-XACT `vendor:library:name:version`.
    pub vlnv: String,
    pub process_node: String,
    pub category: String,
    /// SPDX licence identifier or expression.
    pub licence: String,
    /// Lowercase hex SHA-256 of the design file.
    pub sha256: String,
    pub size: u64,
    pub authors: Vec<Author>,
    /// ERC-2981-style royalty on resale, in basis points.
    pub royalty_bps: u16,
    pub prev_version: Option<String>,
    pub created_at: OffsetDateTime,
}

/// Why a record could not be built.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum RecordError {
    #[error("{0} must not be empty")]
    Empty(&'static str),
    #[error("{0}")]
    Invalid(String),
    #[error("a record needs at least one author")]
    NoAuthors,
    #[error("author {index}: {source}")]
    AuthorKey { index: usize, source: KeyError },
    #[error("author {0} appears twice")]
    DuplicateAuthor(String),
    #[error("created_at cannot be written as RFC 3339: {0}")]
    Timestamp(String),
}

/// Why a signature could not be added.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum SignError {
    #[error("a chip record must be a JSON object")]
    NotAnObject,
    #[error("\"signatures\" must be an array")]
    SignaturesNotArray,
    #[error("record has no canonical form: {0}")]
    Canonical(#[from] CanonicalError),
    #[error("{0} is not one of the record's authors")]
    NotAnAuthor(String),
    #[error("{0} has already signed this record")]
    AlreadySigned(String),
}

/// Builds the unsigned record JSON (with an empty `signatures` array).
pub fn build_record(input: &ChipRecordInput) -> Result<Value, RecordError> {
    validate(input)?;
    let created_at = input.created_at.format(&Rfc3339).map_err(|e| RecordError::Timestamp(e.to_string()))?;
    Ok(json!({
        "name": input.name,
        "description": input.description,
        "image": input.image,
        "external_url": input.external_url,
        "attributes": [
            {"trait_type": "VLNV", "value": input.vlnv},
            {"trait_type": "Process node", "value": input.process_node},
            {"trait_type": "Category", "value": input.category},
        ],
        "properties": {
            "vlnv": input.vlnv,
            "licence": input.licence,
            "content": {"sha256": input.sha256, "size": input.size},
            "authors": input.authors,
            "royalty_bps": input.royalty_bps,
            "prev_version": input.prev_version,
            "created_at": created_at,
        },
        "signatures": [],
    }))
}

fn validate(input: &ChipRecordInput) -> Result<(), RecordError> {
    if input.name.trim().is_empty() {
        return Err(RecordError::Empty("name"));
    }
    rules::check_vlnv(&input.vlnv).map_err(RecordError::Invalid)?;
    if let Some(prev) = &input.prev_version {
        rules::check_vlnv(prev).map_err(|e| RecordError::Invalid(format!("prev_version: {e}")))?;
    }
    rules::check_licence(&input.licence).map_err(RecordError::Invalid)?;
    rules::check_sha256_hex(&input.sha256).map_err(RecordError::Invalid)?;
    if input.size > rules::MAX_CONTENT_SIZE {
        return Err(RecordError::Invalid(format!("size {} exceeds 2^53 bytes", input.size)));
    }
    if input.authors.is_empty() {
        return Err(RecordError::NoAuthors);
    }
    let mut keys = Vec::with_capacity(input.authors.len());
    for (index, author) in input.authors.iter().enumerate() {
        let key = parse_public_key(&author.pubkey).map_err(|source| RecordError::AuthorKey { index, source })?;
        if keys.contains(&key) {
            return Err(RecordError::DuplicateAuthor(author.pubkey.clone()));
        }
        if input.authors[..index].iter().any(|a| a.id == author.id) {
            return Err(RecordError::DuplicateAuthor(author.id.to_string()));
        }
        keys.push(key);
        rules::check_share(u64::from(author.share_bps))
            .map_err(|e| RecordError::Invalid(format!("author {index}: {e}")))?;
    }
    rules::check_share_total(input.authors.iter().map(|a| u64::from(a.share_bps))).map_err(RecordError::Invalid)?;
    rules::check_royalty(i128::from(input.royalty_bps)).map_err(RecordError::Invalid)?;
    Ok(())
}

/// The bytes every signature covers: the canonical JSON (RFC 8785) of the record
/// with its top-level `signatures` member removed. Signatures therefore do not
/// cover each other and may appear in any order.
pub fn signing_payload(record: &Value) -> Result<Vec<u8>, CanonicalError> {
    match record {
        Value::Object(map) => {
            let mut unsigned = map.clone();
            unsigned.remove("signatures");
            canonical_bytes(&Value::Object(unsigned))
        }
        other => canonical_bytes(other),
    }
}

/// Adds `key`'s signature to `record`. The signer must be one of the record's
/// authors and must not have signed it already.
pub fn sign(record: &mut Value, key: &SigningKey) -> Result<(), SignError> {
    let signer = key.verifying_key();
    let signer_str = format_public_key(&signer);
    let map = record.as_object().ok_or(SignError::NotAnObject)?;
    let is_author =
        map.get("properties").and_then(|p| p.get("authors")).and_then(Value::as_array).is_some_and(|authors| {
            authors
                .iter()
                .any(|a| a.get("pubkey").and_then(Value::as_str).and_then(|s| parse_public_key(s).ok()) == Some(signer))
        });
    if !is_author {
        return Err(SignError::NotAnAuthor(signer_str));
    }
    if let Some(existing) = map.get("signatures") {
        let entries = existing.as_array().ok_or(SignError::SignaturesNotArray)?;
        let already = entries
            .iter()
            .any(|e| e.get("pubkey").and_then(Value::as_str).and_then(|s| parse_public_key(s).ok()) == Some(signer));
        if already {
            return Err(SignError::AlreadySigned(signer_str));
        }
    }
    let payload = signing_payload(record)?;
    let signature = key.sign(&payload);
    let entry = json!({"pubkey": signer_str, "sig": STANDARD.encode(signature.to_bytes())});
    let map = record.as_object_mut().ok_or(SignError::NotAnObject)?;
    match map.entry("signatures").or_insert_with(|| Value::Array(Vec::new())) {
        Value::Array(entries) => entries.push(entry),
        _ => return Err(SignError::SignaturesNotArray),
    }
    Ok(())
}
