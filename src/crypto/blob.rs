//! Byte layout of a sealed field:
//! `version(1) | key_id_len(1) | key_id | nonce(12) | ciphertext || tag(16)`.
//!
//! The header (version, length and key id) is also fed to AES-GCM as associated
//! data, ahead of the caller's AAD, so no header byte can change unnoticed.

use super::error::CipherError;

/// Current blob format version.
pub const BLOB_VERSION: u8 = 1;
pub(super) const NONCE_LEN: usize = 12;
pub(super) const TAG_LEN: usize = 16;
/// Longest key id the one-byte length prefix can carry.
pub(super) const MAX_KEY_ID_LEN: usize = 255;

/// A parsed (not yet decrypted) blob borrowing from the input bytes.
pub(super) struct BlobParts<'a> {
    pub key_id: &'a str,
    /// version byte, length byte and key id: authenticated with the caller's AAD.
    pub header: &'a [u8],
    pub nonce: &'a [u8; NONCE_LEN],
    pub ciphertext: &'a [u8],
}

/// Writes the header for `key_id` (which the keyring has already length-checked).
pub(super) fn header(key_id: &str) -> Result<Vec<u8>, CipherError> {
    let len = u8::try_from(key_id.len()).map_err(|_| CipherError::Corrupt)?;
    let mut out = Vec::with_capacity(2 + key_id.len());
    out.push(BLOB_VERSION);
    out.push(len);
    out.extend_from_slice(key_id.as_bytes());
    Ok(out)
}

/// Splits a blob into its parts without decrypting anything.
pub(super) fn parse(blob: &[u8]) -> Result<BlobParts<'_>, CipherError> {
    let (&version, rest) = blob.split_first().ok_or(CipherError::Corrupt)?;
    if version != BLOB_VERSION {
        return Err(CipherError::UnsupportedVersion(version));
    }
    let (&id_len, rest) = rest.split_first().ok_or(CipherError::Corrupt)?;
    let id_len = usize::from(id_len);
    if id_len == 0 || rest.len() < id_len + NONCE_LEN + TAG_LEN {
        return Err(CipherError::Corrupt);
    }
    let (id_bytes, rest) = rest.split_at(id_len);
    let key_id = std::str::from_utf8(id_bytes).map_err(|_| CipherError::Corrupt)?;
    let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
    let nonce: &[u8; NONCE_LEN] = nonce.try_into().map_err(|_| CipherError::Corrupt)?;
    Ok(BlobParts { key_id, header: &blob[..2 + id_len], nonce, ciphertext })
}
