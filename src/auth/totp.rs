//! RFC 6238 one-time codes: SHA-1, 6 digits, 30 s steps, one step of skew. Which
//! step matched is returned so the caller can refuse a second use of it.

use super::AuthError;
use totp_rs::{Algorithm, Builder, Totp};

/// Bytes of a new secret (160 bits, as RFC 4226 recommends).
pub const SECRET_LEN: usize = 20;

fn totp(secret: &[u8], issuer: &str, account: &str) -> Result<Totp, AuthError> {
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_skew(1)
        .with_step_duration(30)
        .with_secret(secret.to_vec())
        .with_account_name(account.replace(':', ""))
        .with_issuer(Some(issuer.replace(':', "")))
        .build()
        .map_err(|e| AuthError::Internal(format!("totp: {e}")))
}

/// A new random secret.
pub fn new_secret() -> Vec<u8> {
    use rand::RngCore;
    let mut s = vec![0u8; SECRET_LEN];
    rand::rngs::OsRng.fill_bytes(&mut s);
    s
}

/// The secret as base32 (what people type into an authenticator) and the
/// `otpauth://` URI (what a QR code carries).
pub fn provisioning(secret: &[u8], issuer: &str, account: &str) -> Result<(String, String), AuthError> {
    let t = totp(secret, issuer, account)?;
    let uri = t.to_url().map_err(|e| AuthError::Internal(format!("totp uri: {e}")))?;
    Ok((base32(secret), uri))
}

/// The step (`unix time / 30`) whose code equals `code`, within ±1 step of `now`.
pub fn matching_step(secret: &[u8], code: &str, now_unix: u64) -> Result<Option<i64>, AuthError> {
    let code = code.trim();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(None);
    }
    let t = totp(secret, "x", "x")?;
    Ok(t.check(code, now_unix).and_then(|s| i64::try_from(s).ok()))
}

/// The code for a given time (tests and tools use it to act as an authenticator).
pub fn code_at(secret: &[u8], unix: u64) -> Result<String, AuthError> {
    Ok(totp(secret, "x", "x")?.generate(unix).to_string())
}

/// RFC 4648 base32 without padding.
pub fn base32(bytes: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::new();
    let (mut buf, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buf = (buf << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(A[((buf >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(A[((buf << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// Decodes RFC 4648 base32 (no padding, case-insensitive).
pub fn from_base32(text: &str) -> Option<Vec<u8>> {
    let (mut buf, mut bits, mut out) = (0u32, 0u32, Vec::new());
    for c in text.trim().trim_end_matches('=').chars() {
        let v = match c.to_ascii_uppercase() {
            c @ 'A'..='Z' => c as u32 - 'A' as u32,
            c @ '2'..='7' => c as u32 - '2' as u32 + 26,
            _ => return None,
        };
        buf = (buf << 5) | v;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(((buf >> bits) & 0xff) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6238_sha1_vector() {
        // RFC 6238 appendix B, SHA-1, T = 59 s → 94287082 (8 digits); 6 digits: 287082.
        let secret = b"12345678901234567890";
        assert_eq!(code_at(secret, 59).expect("code"), "287082");
        assert_eq!(matching_step(secret, "287082", 59).expect("check"), Some(1));
        // One step of skew either way, not two.
        assert_eq!(matching_step(secret, "287082", 59 + 30).expect("check"), Some(1));
        assert_eq!(matching_step(secret, "287082", 59 + 60).expect("check"), None);
        assert_eq!(matching_step(secret, "28708", 59).expect("check"), None);
    }

    #[test]
    fn base32_round_trips_and_uri_names_the_issuer() {
        let s = new_secret();
        assert_eq!(from_base32(&base32(&s)), Some(s.clone()));
        let (b32, uri) = provisioning(&s, "HoloMesh", "ada@example.org").expect("uri");
        assert!(uri.starts_with("otpauth://totp/HoloMesh:ada%40example.org?") || uri.contains("HoloMesh"), "{uri}");
        assert!(uri.contains(&format!("secret={b32}")), "{uri}");
    }
}
