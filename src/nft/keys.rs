//! Designer signing keys (ed25519) and the `ed25519:<base64>` public key format.

use super::rules::short;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{SigningKey, VerifyingKey};
use rand::rngs::OsRng;
use std::fmt;
use zeroize::Zeroizing;

/// Prefix of every public key string in a record.
pub const PUBKEY_PREFIX: &str = "ed25519:";

/// Why a key string or key bytes were refused.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum KeyError {
    #[error("public key must look like \"ed25519:<base64>\"; got {0:?}")]
    MissingPrefix(String),
    #[error("unsupported key algorithm {0:?}; only ed25519 is accepted")]
    UnsupportedAlgorithm(String),
    #[error("public key is not valid base64 (standard alphabet, padded)")]
    InvalidBase64,
    #[error("ed25519 public key must be 32 bytes; got {0}")]
    WrongPublicKeyLength(usize),
    #[error("bytes are not a valid ed25519 public key")]
    InvalidPoint,
    #[error("public key is a weak (small-order) ed25519 point")]
    WeakKey,
    #[error("ed25519 secret key must be 32 bytes; got {0}")]
    WrongSecretKeyLength(usize),
}

/// A designer's ed25519 key pair. `Debug` shows only the public key; the secret
/// half is wiped on drop (ed25519-dalek's `zeroize` feature).
pub struct DesignerKeys {
    signing: SigningKey,
}

impl DesignerKeys {
    /// A fresh key pair from the operating system's random source.
    pub fn generate() -> Self {
        Self { signing: SigningKey::generate(&mut OsRng) }
    }

    /// Restores a key pair from the 32-byte secret seed made by [`Self::secret_bytes`].
    pub fn from_secret_bytes(bytes: &[u8]) -> Result<Self, KeyError> {
        let seed: Zeroizing<[u8; 32]> =
            Zeroizing::new(bytes.try_into().map_err(|_| KeyError::WrongSecretKeyLength(bytes.len()))?);
        Ok(Self { signing: SigningKey::from_bytes(&seed) })
    }

    /// The 32-byte secret seed. Encrypt it (e.g. with `FieldCipher`) before storing.
    pub fn secret_bytes(&self) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(self.signing.to_bytes())
    }

    /// The key used by [`super::record::sign`].
    pub fn signing_key(&self) -> &SigningKey {
        &self.signing
    }

    pub fn verifying_key(&self) -> VerifyingKey {
        self.signing.verifying_key()
    }

    /// `ed25519:<base64 of the 32 public key bytes>`.
    pub fn public_key_string(&self) -> String {
        format_public_key(&self.verifying_key())
    }
}

impl fmt::Debug for DesignerKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DesignerKeys")
            .field("public", &self.public_key_string())
            .field("secret", &"<redacted>")
            .finish()
    }
}

/// Formats a public key as `ed25519:<base64>`.
pub fn format_public_key(key: &VerifyingKey) -> String {
    format!("{PUBKEY_PREFIX}{}", STANDARD.encode(key.as_bytes()))
}

/// Parses `ed25519:<base64>`; rejects other algorithms, bad base64, wrong lengths,
/// invalid curve points and weak (small-order) keys.
pub fn parse_public_key(s: &str) -> Result<VerifyingKey, KeyError> {
    let (alg, b64) = s.split_once(':').ok_or_else(|| KeyError::MissingPrefix(short(s)))?;
    if alg != "ed25519" {
        return Err(KeyError::UnsupportedAlgorithm(short(alg)));
    }
    let bytes = STANDARD.decode(b64).map_err(|_| KeyError::InvalidBase64)?;
    let arr: [u8; 32] = bytes.as_slice().try_into().map_err(|_| KeyError::WrongPublicKeyLength(bytes.len()))?;
    let key = VerifyingKey::from_bytes(&arr).map_err(|_| KeyError::InvalidPoint)?;
    if key.is_weak() {
        return Err(KeyError::WeakKey);
    }
    Ok(key)
}
