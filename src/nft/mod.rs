//! Signed chip records: ERC-721/OpenSea metadata signed with ed25519 over RFC 8785 JSON.

pub mod canonical;
pub mod cli;
pub mod content;
pub mod keys;
pub mod record;
pub mod report;
pub mod rules;
mod schema;
pub mod strict_json;
pub mod verify;

pub use self::canonical::{CanonicalError, canonical_bytes, canonicalize};
pub use self::cli::{CliOutcome, OutputFormat, run_verify};
pub use self::content::{ContentDigest, digest_reader};
pub use self::keys::{DesignerKeys, KeyError, format_public_key, parse_public_key};
pub use self::record::{Author, ChipRecordInput, RecordError, SignError, build_record, sign, signing_payload};
pub use self::report::{Check, VerifyReport};
pub use self::strict_json::parse_strict;
pub use self::verify::{VerifyInputError, verify, verify_digest, verify_json};

#[cfg(test)]
mod tests;
