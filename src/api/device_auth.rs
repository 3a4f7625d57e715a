//! Bearer device tokens: opaque, stored as SHA-256, revocable. How the voice daemon,
//! home assistants and scripts act for a user. The `AuthUser` extractor accepts them
//! next to access tokens.

pub use crate::auth::tokens::{DEVICE_TOKEN_PREFIX as TOKEN_PREFIX, hash_token};

/// A new random device token and the hash to store.
pub fn new_device_token() -> (String, Vec<u8>) {
    let token = crate::auth::tokens::random_token(TOKEN_PREFIX);
    let hash = hash_token(&token);
    (token, hash)
}
