//! `FieldCipher`: seals and opens column values with AES-256-GCM, bound to a row by AAD.

use super::blob::{self, NONCE_LEN};
pub use super::error::CipherError;
use super::keyring::{Keyring, KeyringError, decode_key};
use super::secret::SecretKey;
use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{Aes256Gcm, KeyInit, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rand::RngCore;
use rand::rngs::OsRng;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// Key id used by [`FieldCipher::dev_default`]; blobs carrying it are not protected.
pub const DEV_KEY_ID: &str = "dev-insecure";
const DEV_KEY_LABEL: &[u8] = b"holomesh development field key - NOT SECRET - do not use in production";

/// Encrypts and decrypts individual fields with a keyring of AES-256-GCM keys.
///
/// New blobs use the active key; any key in the ring can open blobs it sealed, so
/// rotation is "add the new key, make it active, re-seal old rows at leisure".
#[derive(Debug, Clone)]
pub struct FieldCipher {
    keyring: Keyring,
}

impl FieldCipher {
    /// Builds a cipher from raw keys. `active` must name one of them.
    pub fn new(keys: Vec<(String, [u8; 32])>, active: &str) -> Result<Self, KeyringError> {
        let keys = keys
            .into_iter()
            .map(|(id, mut raw)| {
                let key = SecretKey::from_bytes(raw);
                zeroize::Zeroize::zeroize(&mut raw);
                (id, key)
            })
            .collect();
        Ok(Self { keyring: Keyring::new(keys, active)? })
    }

    /// Builds a cipher from configuration: `(key_id, base64 key)` pairs and the active id.
    pub fn from_config(keys: &[(String, String)], active: &str) -> Result<Self, KeyringError> {
        let keys = keys
            .iter()
            .map(|(id, b64)| Ok((id.clone(), decode_key(id, b64)?)))
            .collect::<Result<Vec<_>, KeyringError>>()?;
        Ok(Self { keyring: Keyring::new(keys, active)? })
    }

    /// INSECURE: a fixed key derived from a public label, for development only.
    ///
    /// Anyone can decrypt what it seals. Use it only when no key is configured, and
    /// log a warning when you do ([`FieldCipher::is_insecure_dev`] tells you).
    pub fn dev_default() -> Self {
        let digest: [u8; 32] = Sha256::digest(DEV_KEY_LABEL).into();
        Self { keyring: Keyring::single(DEV_KEY_ID, SecretKey::from_bytes(digest)) }
    }

    /// True when the active key is the public development key.
    pub fn is_insecure_dev(&self) -> bool {
        self.keyring.active().0 == DEV_KEY_ID
    }

    /// Adds a key (not active). Fails if the id is already present.
    pub fn add_key(&mut self, key_id: &str, key: [u8; 32]) -> Result<(), KeyringError> {
        self.keyring.insert(key_id.to_owned(), SecretKey::from_bytes(key))
    }

    /// Makes an existing key the one used for new blobs.
    pub fn set_active(&mut self, key_id: &str) -> Result<(), KeyringError> {
        self.keyring.set_active(key_id)
    }

    /// Id of the key new blobs are sealed with.
    pub fn active_key_id(&self) -> &str {
        self.keyring.active().0
    }

    /// Ids of every key that can open blobs.
    pub fn key_ids(&self) -> Vec<&str> {
        self.keyring.ids().collect()
    }

    /// Reads the key id from a blob header without decrypting (for re-encryption sweeps).
    pub fn key_id_of(blob: &[u8]) -> Result<&str, CipherError> {
        Ok(blob::parse(blob)?.key_id)
    }

    /// Encrypts `plaintext` with the active key and a fresh random nonce.
    ///
    /// `aad` should name the row and column (e.g. `b"voice_commands.transcript:<uuid>"`);
    /// the same `aad` is needed to open the blob.
    pub fn seal(&self, plaintext: &[u8], aad: &[u8]) -> Result<Vec<u8>, CipherError> {
        let (key_id, key) = self.keyring.active();
        let mut out = blob::header(key_id)?;
        let mut nonce = [0u8; NONCE_LEN];
        OsRng.fill_bytes(&mut nonce);
        let full_aad = [out.as_slice(), aad].concat();
        let cipher = Aes256Gcm::new(key.expose().into());
        let ciphertext = cipher
            .encrypt(&Nonce::from(nonce), Payload { msg: plaintext, aad: &full_aad })
            .map_err(|_| CipherError::TooLong)?;
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ciphertext);
        Ok(out)
    }

    /// Decrypts a blob made by [`FieldCipher::seal`] with any key still in the ring.
    pub fn open(&self, blob: &[u8], aad: &[u8]) -> Result<Zeroizing<Vec<u8>>, CipherError> {
        let parts = blob::parse(blob)?;
        let key = self.keyring.get(parts.key_id).ok_or_else(|| CipherError::UnknownKey(parts.key_id.to_owned()))?;
        let full_aad = [parts.header, aad].concat();
        let cipher = Aes256Gcm::new(key.expose().into());
        cipher
            .decrypt(&Nonce::from(*parts.nonce), Payload { msg: parts.ciphertext, aad: &full_aad })
            .map(Zeroizing::new)
            .map_err(|_| CipherError::Tampered)
    }
}

/// A new random 256-bit key, base64-encoded (standard alphabet), for writing to config.
pub fn generate_key() -> String {
    let mut key = Zeroizing::new([0u8; 32]);
    OsRng.fill_bytes(key.as_mut());
    STANDARD.encode(key.as_ref())
}
