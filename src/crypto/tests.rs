//! Tests for field encryption: round trip, rotation, tampering, AAD binding, parsing.

use super::*;
use proptest::prelude::*;

const AAD: &[u8] = b"voice_commands.transcript:6f1c2a9e-0000-4000-8000-000000000001";

fn cipher(id: &str, byte: u8) -> FieldCipher {
    match FieldCipher::new(vec![(id.to_owned(), [byte; 32])], id) {
        Ok(c) => c,
        Err(e) => panic!("test keyring: {e}"),
    }
}

#[test]
fn round_trip() -> Result<(), CipherError> {
    let c = cipher("k1", 7);
    let blob = c.seal(b"buy anything under fifty dollars", AAD)?;
    assert_eq!(c.open(&blob, AAD)?.as_slice(), b"buy anything under fifty dollars");
    assert_eq!(blob[0], BLOB_VERSION);
    assert_eq!(FieldCipher::key_id_of(&blob)?, "k1");
    Ok(())
}

#[test]
fn empty_plaintext_round_trips() -> Result<(), CipherError> {
    let c = cipher("k1", 7);
    let blob = c.seal(b"", AAD)?;
    assert!(c.open(&blob, AAD)?.is_empty());
    Ok(())
}

#[test]
fn nonces_differ_between_seals() -> Result<(), CipherError> {
    let c = cipher("k1", 7);
    assert_ne!(c.seal(b"same", AAD)?, c.seal(b"same", AAD)?);
    Ok(())
}

#[test]
fn rotation_keeps_old_blobs_readable() -> Result<(), Box<dyn std::error::Error>> {
    let k1 = generate_key();
    let k2 = generate_key();
    let old = FieldCipher::from_config(&[("k1".into(), k1.clone())], "k1")?;
    let old_blob = old.seal(b"secret", AAD)?;

    let rotated = FieldCipher::from_config(&[("k1".into(), k1), ("k2".into(), k2)], "k2")?;
    assert_eq!(rotated.open(&old_blob, AAD)?.as_slice(), b"secret");
    let new_blob = rotated.seal(b"secret", AAD)?;
    assert_eq!(FieldCipher::key_id_of(&new_blob)?, "k2");
    assert_eq!(rotated.active_key_id(), "k2");
    // A reader that only knows k1 cannot open k2 blobs and says which key is missing.
    assert_eq!(old.open(&new_blob, AAD), Err(CipherError::UnknownKey("k2".into())));
    Ok(())
}

#[test]
fn add_key_then_activate() -> Result<(), Box<dyn std::error::Error>> {
    let mut c = cipher("k1", 1);
    let old = c.seal(b"x", AAD)?;
    c.add_key("k2", [2; 32])?;
    assert_eq!(c.active_key_id(), "k1");
    c.set_active("k2")?;
    assert_eq!(FieldCipher::key_id_of(&c.seal(b"x", AAD)?)?, "k2");
    assert_eq!(c.open(&old, AAD)?.as_slice(), b"x");
    assert_eq!(c.add_key("k2", [3; 32]), Err(KeyringError::DuplicateKeyId("k2".into())));
    assert!(c.set_active("nope").is_err());
    Ok(())
}

#[test]
fn every_byte_flip_is_detected() -> Result<(), CipherError> {
    let c = cipher("k1", 9);
    let blob = c.seal(b"transcript text", AAD)?;
    for i in 0..blob.len() {
        for bit in [0x01u8, 0x80] {
            let mut bad = blob.clone();
            bad[i] ^= bit;
            let got = c.open(&bad, AAD);
            assert!(got.is_err(), "flip at byte {i} went unnoticed");
        }
    }
    Ok(())
}

#[test]
fn body_tamper_is_reported_as_tampered() -> Result<(), CipherError> {
    let c = cipher("k1", 9);
    let mut blob = c.seal(b"transcript text", AAD)?;
    let last = blob.len() - 1;
    blob[last] ^= 1;
    assert_eq!(c.open(&blob, AAD), Err(CipherError::Tampered));
    Ok(())
}

#[test]
fn wrong_aad_fails() -> Result<(), CipherError> {
    let c = cipher("k1", 9);
    let blob = c.seal(b"row one", b"voice_commands.transcript:1")?;
    assert_eq!(c.open(&blob, b"voice_commands.transcript:2"), Err(CipherError::Tampered));
    assert_eq!(c.open(&blob, b""), Err(CipherError::Tampered));
    Ok(())
}

#[test]
fn same_id_different_key_bytes_is_tampered() -> Result<(), CipherError> {
    let blob = cipher("k1", 1).seal(b"x", AAD)?;
    assert_eq!(cipher("k1", 2).open(&blob, AAD), Err(CipherError::Tampered));
    Ok(())
}

#[test]
fn unknown_key_id() -> Result<(), CipherError> {
    let blob = cipher("old", 1).seal(b"x", AAD)?;
    assert_eq!(cipher("new", 1).open(&blob, AAD), Err(CipherError::UnknownKey("old".into())));
    Ok(())
}

#[test]
fn truncation_is_corrupt() -> Result<(), CipherError> {
    let c = cipher("k1", 1);
    let blob = c.seal(b"", AAD)?;
    // Anything shorter than header + nonce + tag cannot be a blob.
    for len in 0..blob.len() {
        assert_eq!(c.open(&blob[..len], AAD), Err(CipherError::Corrupt), "len {len}");
    }
    Ok(())
}

#[test]
fn unsupported_version() -> Result<(), CipherError> {
    let c = cipher("k1", 1);
    let mut blob = c.seal(b"x", AAD)?;
    blob[0] = 2;
    assert_eq!(c.open(&blob, AAD), Err(CipherError::UnsupportedVersion(2)));
    Ok(())
}

#[test]
fn config_errors_are_specific() {
    let good = generate_key();
    let cfg = |pairs: &[(&str, &str)], active: &str| {
        let owned: Vec<(String, String)> = pairs.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect();
        FieldCipher::from_config(&owned, active).map(|_| ())
    };
    assert_eq!(cfg(&[], "k"), Err(KeyringError::Empty));
    assert_eq!(cfg(&[("k", "not base64!")], "k"), Err(KeyringError::InvalidBase64("k".into())));
    assert_eq!(cfg(&[("k", "AAAA")], "k"), Err(KeyringError::WrongLength { key_id: "k".into(), len: 3 }));
    assert_eq!(cfg(&[("k", &good)], "j"), Err(KeyringError::ActiveKeyMissing("j".into())));
    assert_eq!(cfg(&[("k", &good), ("k", &good)], "k"), Err(KeyringError::DuplicateKeyId("k".into())));
    assert_eq!(cfg(&[("", &good)], ""), Err(KeyringError::EmptyKeyId));
    let long = "x".repeat(256);
    assert_eq!(cfg(&[(&long, &good)], &long), Err(KeyringError::KeyIdTooLong(long.clone())));
    let max = "x".repeat(255);
    assert_eq!(cfg(&[(&max, &good)], &max), Ok(()));
}

#[test]
fn generated_keys_are_random_32_bytes() -> Result<(), KeyringError> {
    let a = generate_key();
    assert_ne!(a, generate_key());
    FieldCipher::from_config(&[("a".into(), a)], "a")?;
    Ok(())
}

#[test]
fn debug_never_shows_key_material() -> Result<(), KeyringError> {
    let b64 = generate_key();
    let c = FieldCipher::from_config(&[("k1".into(), b64.clone())], "k1")?;
    let shown = format!("{c:?}");
    assert!(shown.contains("redacted"));
    assert!(!shown.contains(&b64));
    let sevens = format!("{:?}", cipher("k7", 7));
    assert!(!sevens.contains("7, 7"), "{sevens}");
    let k = SecretKey::from_bytes([7; 32]);
    assert_eq!(format!("{k:?}"), "SecretKey(<redacted>)");
    Ok(())
}

#[test]
fn dev_default_is_marked_and_stable() -> Result<(), CipherError> {
    let c = FieldCipher::dev_default();
    assert!(c.is_insecure_dev());
    let blob = c.seal(b"x", AAD)?;
    assert_eq!(FieldCipher::dev_default().open(&blob, AAD)?.as_slice(), b"x");
    assert!(!cipher("k1", 1).is_insecure_dev());
    Ok(())
}

proptest! {
    #[test]
    fn open_never_panics(blob in proptest::collection::vec(any::<u8>(), 0..128),
                         aad in proptest::collection::vec(any::<u8>(), 0..16)) {
        let c = cipher("k1", 5);
        // Random bytes are never accepted (a forged tag would need 2^-128 luck).
        prop_assert!(c.open(&blob, &aad).is_err());
        let _ = FieldCipher::key_id_of(&blob);
    }

    #[test]
    fn round_trip_any(plain in proptest::collection::vec(any::<u8>(), 0..512),
                      aad in proptest::collection::vec(any::<u8>(), 0..64)) {
        let c = cipher("k1", 5);
        let blob = c.seal(&plain, &aad).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let back = c.open(&blob, &aad).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(back.as_slice(), plain.as_slice());
    }

    #[test]
    fn mutated_blob_never_opens(plain in proptest::collection::vec(any::<u8>(), 0..64),
                                idx in any::<prop::sample::Index>(), mask in 1u8..) {
        let c = cipher("k1", 5);
        let mut blob = c.seal(&plain, AAD).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let i = idx.index(blob.len());
        blob[i] ^= mask;
        prop_assert!(c.open(&blob, AAD).is_err());
    }
}
