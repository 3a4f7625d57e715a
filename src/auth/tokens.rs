//! Opaque secrets handed to clients (refresh tokens, device tokens, recovery codes):
//! random, shown once, stored only as SHA-256.

use base64::Engine as _;
use rand::{Rng, RngCore};
use sha2::{Digest, Sha256};

/// Prefix that makes a device token recognisable (e.g. by secret scanners).
pub const DEVICE_TOKEN_PREFIX: &str = "hmd_";
/// Prefix of refresh tokens.
pub const REFRESH_TOKEN_PREFIX: &str = "hmr_";

/// `prefix` + 32 random bytes, base64url.
pub fn random_token(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("{prefix}{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

pub fn hash_token(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// A recovery code like `7kq2-m9xd-4tpa` (no look-alike characters).
pub fn recovery_code() -> String {
    const ALPHABET: &[u8] = b"23456789abcdefghjkmnpqrstuvwxyz";
    let mut rng = rand::rngs::OsRng;
    (0..3)
        .map(|_| (0..4).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char).collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// Hash of a recovery code as typed: case, spaces and dashes do not matter.
pub fn hash_recovery_code(code: &str) -> Vec<u8> {
    let normal: String = code.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect();
    hash_token(&normal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_codes_are_forgiving_when_typed() {
        let code = recovery_code();
        assert_eq!(code.len(), 14);
        assert_eq!(hash_recovery_code(&code), hash_recovery_code(&code.to_uppercase().replace('-', " ")));
        assert_ne!(recovery_code(), recovery_code());
    }

    #[test]
    fn tokens_are_prefixed_and_distinct() {
        let a = random_token(REFRESH_TOKEN_PREFIX);
        assert!(a.starts_with("hmr_") && a.len() > 40);
        assert_ne!(a, random_token(REFRESH_TOKEN_PREFIX));
    }
}
