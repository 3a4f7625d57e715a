//! Streaming SHA-256 and byte count of a design file.

use sha2::{Digest, Sha256};
use std::io::{self, Read};

/// Hash and length of some content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentDigest {
    /// Lowercase hex SHA-256.
    pub sha256: String,
    pub size: u64,
}

/// Reads `reader` to the end in 64 KiB chunks, hashing as it goes.
pub fn digest_reader(mut reader: impl Read) -> io::Result<ContentDigest> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut size: u64 = 0;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hasher.update(&buf[..n]);
        size = size.saturating_add(n as u64);
    }
    Ok(ContentDigest { sha256: to_hex(&hasher.finalize()), size })
}

fn to_hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0x0f)]));
    }
    out
}
