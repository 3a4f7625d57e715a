//! Field rules shared by record building and verification (pure functions).

/// Basis points in 100 %.
pub const BPS_TOTAL: u64 = 10_000;

/// Largest content size a record may state (exact in every JSON implementation).
pub const MAX_CONTENT_SIZE: u64 = 1 << 53;

/// IP-XACT VLNV: four non-empty `:`-separated parts without whitespace.
pub fn check_vlnv(s: &str) -> Result<(), String> {
    let parts: Vec<&str> = s.split(':').collect();
    if parts.len() != 4 {
        return Err(format!("VLNV {s:?} must have four parts vendor:library:name:version"));
    }
    if parts.iter().any(|p| p.is_empty()) {
        return Err(format!("VLNV {s:?} has an empty part"));
    }
    if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!("VLNV {s:?} contains whitespace or control characters"));
    }
    Ok(())
}

/// 64 lowercase hexadecimal characters.
pub fn check_sha256_hex(s: &str) -> Result<(), String> {
    if s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        Ok(())
    } else {
        Err(format!("sha256 must be 64 lowercase hex characters; got {:?}", short(s)))
    }
}

/// An SPDX licence identifier or expression: non-empty, SPDX's character set only.
pub fn check_licence(s: &str) -> Result<(), String> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+' | ':' | '(' | ')' | ' ');
    if s.trim().is_empty() {
        return Err("licence must be an SPDX identifier such as \"Apache-2.0\"".to_owned());
    }
    if !s.chars().all(allowed) {
        return Err(format!("licence {:?} is not an SPDX identifier or expression", short(s)));
    }
    Ok(())
}

/// A single author's share: 1..=10000 basis points.
pub fn check_share(bps: u64) -> Result<(), String> {
    if (1..=BPS_TOTAL).contains(&bps) { Ok(()) } else { Err(format!("share_bps {bps} is outside 1..=10000")) }
}

/// Shares must add up to exactly 10000 basis points.
pub fn check_share_total(shares: impl IntoIterator<Item = u64>) -> Result<(), String> {
    let total = shares.into_iter().fold(0u64, u64::saturating_add);
    if total == BPS_TOTAL {
        Ok(())
    } else {
        Err(format!("author shares sum to {total} bps; they must sum to exactly 10000"))
    }
}

/// ERC-2981-style royalty: 0..=10000 basis points of the sale price.
pub fn check_royalty(bps: i128) -> Result<(), String> {
    if (0..=i128::from(BPS_TOTAL)).contains(&bps) {
        Ok(())
    } else {
        Err(format!("royalty_bps {bps} is outside 0..=10000"))
    }
}

/// Truncates long input for error messages.
pub fn short(s: &str) -> String {
    const MAX: usize = 80;
    match s.char_indices().nth(MAX) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_owned(),
    }
}
