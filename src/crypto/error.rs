//! What can go wrong with an encrypted field.

/// Why sealing or opening a blob failed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CipherError {
    /// The blob names a key this keyring does not hold (rotated out or wrong config).
    #[error("blob was sealed with key {0:?}, which is not in the keyring")]
    UnknownKey(String),
    /// The blob is too short or its header is malformed.
    #[error("encrypted field is corrupt (truncated or malformed header)")]
    Corrupt,
    /// The blob was written by a newer (or foreign) format.
    #[error("encrypted field has unsupported format version {0}")]
    UnsupportedVersion(u8),
    /// Authentication failed: wrong key bytes, modified blob, or wrong AAD (row/column).
    #[error("encrypted field failed authentication (tampered, or opened with the wrong AAD)")]
    Tampered,
    /// AES-GCM refused the input (plaintext beyond the algorithm's length limit).
    #[error("plaintext too long to encrypt")]
    TooLong,
}
