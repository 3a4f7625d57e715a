//! The set of named field keys, one of them active for new blobs.

use super::blob::MAX_KEY_ID_LEN;
use super::secret::SecretKey;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use zeroize::Zeroizing;

/// Why a keyring could not be built from configuration.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyringError {
    #[error("the keyring has no keys")]
    Empty,
    #[error("a key id is empty")]
    EmptyKeyId,
    #[error("key id {0:?} is longer than 255 bytes")]
    KeyIdTooLong(String),
    #[error("key id {0:?} appears more than once")]
    DuplicateKeyId(String),
    #[error("key {0:?} is not valid base64 (standard alphabet, padded)")]
    InvalidBase64(String),
    #[error("key {key_id:?} is {len} bytes; AES-256 keys are 32 bytes")]
    WrongLength { key_id: String, len: usize },
    #[error("active key {0:?} is not in the keyring")]
    ActiveKeyMissing(String),
}

/// Named keys plus the index of the active one. Invariant: ids unique, active valid.
#[derive(Debug, Clone)]
pub(super) struct Keyring {
    keys: Vec<(String, SecretKey)>,
    active: usize,
}

impl Keyring {
    pub(super) fn new(keys: Vec<(String, SecretKey)>, active: &str) -> Result<Self, KeyringError> {
        if keys.is_empty() {
            return Err(KeyringError::Empty);
        }
        for (i, (id, _)) in keys.iter().enumerate() {
            check_key_id(id)?;
            if keys[..i].iter().any(|(other, _)| other == id) {
                return Err(KeyringError::DuplicateKeyId(id.clone()));
            }
        }
        let active = keys
            .iter()
            .position(|(id, _)| id == active)
            .ok_or_else(|| KeyringError::ActiveKeyMissing(active.to_owned()))?;
        Ok(Self { keys, active })
    }

    /// A one-key ring; `id` must be a valid key id (used for fixed internal keys).
    pub(super) fn single(id: &str, key: SecretKey) -> Self {
        Self { keys: vec![(id.to_owned(), key)], active: 0 }
    }

    pub(super) fn insert(&mut self, id: String, key: SecretKey) -> Result<(), KeyringError> {
        check_key_id(&id)?;
        if self.get(&id).is_some() {
            return Err(KeyringError::DuplicateKeyId(id));
        }
        self.keys.push((id, key));
        Ok(())
    }

    pub(super) fn set_active(&mut self, id: &str) -> Result<(), KeyringError> {
        self.active =
            self.keys.iter().position(|(k, _)| k == id).ok_or_else(|| KeyringError::ActiveKeyMissing(id.to_owned()))?;
        Ok(())
    }

    pub(super) fn active(&self) -> (&str, &SecretKey) {
        let (id, key) = &self.keys[self.active];
        (id, key)
    }

    pub(super) fn get(&self, id: &str) -> Option<&SecretKey> {
        self.keys.iter().find(|(k, _)| k == id).map(|(_, key)| key)
    }

    pub(super) fn ids(&self) -> impl Iterator<Item = &str> {
        self.keys.iter().map(|(id, _)| id.as_str())
    }
}

fn check_key_id(id: &str) -> Result<(), KeyringError> {
    if id.is_empty() {
        return Err(KeyringError::EmptyKeyId);
    }
    if id.len() > MAX_KEY_ID_LEN {
        return Err(KeyringError::KeyIdTooLong(id.to_owned()));
    }
    Ok(())
}

/// Decodes one configured base64 key; the decoded buffer is wiped after copying.
pub(super) fn decode_key(key_id: &str, b64: &str) -> Result<SecretKey, KeyringError> {
    let bytes =
        Zeroizing::new(STANDARD.decode(b64.trim()).map_err(|_| KeyringError::InvalidBase64(key_id.to_owned()))?);
    let mut arr = Zeroizing::new([0u8; 32]);
    if bytes.len() != arr.len() {
        return Err(KeyringError::WrongLength { key_id: key_id.to_owned(), len: bytes.len() });
    }
    arr.copy_from_slice(&bytes);
    Ok(SecretKey::from_bytes(*arr))
}
