//! Designer key generation, export/import and public key parsing.

use super::super::keys::{DesignerKeys, KeyError, format_public_key, parse_public_key};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

#[test]
fn secret_round_trip_restores_the_same_key() -> Result<(), KeyError> {
    let keys = DesignerKeys::generate();
    let secret = keys.secret_bytes();
    let back = DesignerKeys::from_secret_bytes(secret.as_ref())?;
    assert_eq!(back.public_key_string(), keys.public_key_string());
    Ok(())
}

#[test]
fn public_key_string_round_trips() -> Result<(), KeyError> {
    let keys = DesignerKeys::generate();
    let s = keys.public_key_string();
    assert!(s.starts_with("ed25519:"));
    assert_eq!(s.len(), "ed25519:".len() + 44);
    assert_eq!(format_public_key(&parse_public_key(&s)?), s);
    Ok(())
}

#[test]
fn secret_key_wrong_length() {
    assert_eq!(DesignerKeys::from_secret_bytes(&[0; 31]).map(|_| ()), Err(KeyError::WrongSecretKeyLength(31)));
}

#[test]
fn debug_hides_the_secret() {
    let keys = DesignerKeys::generate();
    let shown = format!("{keys:?}");
    assert!(shown.contains("<redacted>"));
    assert!(!shown.contains(&STANDARD.encode(keys.secret_bytes().as_ref())));
    assert!(!shown.contains(&format!("{:?}", keys.secret_bytes().as_ref())));
}

#[test]
fn parse_errors_are_specific() {
    let p = |s: &str| parse_public_key(s).map(|_| ());
    assert!(matches!(p("AAAA"), Err(KeyError::MissingPrefix(_))));
    assert_eq!(p("rsa:AAAA"), Err(KeyError::UnsupportedAlgorithm("rsa".into())));
    assert_eq!(p("ed25519:%%%"), Err(KeyError::InvalidBase64));
    assert_eq!(p("ed25519:AAAA"), Err(KeyError::WrongPublicKeyLength(3)));
    // The identity point (small order) is a valid encoding but a weak key.
    let mut identity = [0u8; 32];
    identity[0] = 1;
    assert_eq!(p(&format!("ed25519:{}", STANDARD.encode(identity))), Err(KeyError::WeakKey));
    // A y-coordinate with no matching x is not on the curve.
    let mut off_curve = [0u8; 32];
    off_curve[0] = 2;
    assert_eq!(p(&format!("ed25519:{}", STANDARD.encode(off_curve))), Err(KeyError::InvalidPoint));
}
