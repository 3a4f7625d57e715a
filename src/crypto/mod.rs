//! Field encryption at rest: AES-256-GCM blobs that name the key that sealed them.

pub mod aad;
mod blob;
mod cipher;
mod error;
mod keyring;
mod secret;

pub use self::blob::BLOB_VERSION;
pub use self::cipher::{CipherError, DEV_KEY_ID, FieldCipher, generate_key};
pub use self::keyring::KeyringError;
pub use self::secret::SecretKey;

#[cfg(test)]
mod tests;
