//! IP-XACT VLNV identifiers: `vendor:library:name:version`.

use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

/// Vendor, library, name, version — the IP-XACT identity of an IP block.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Vlnv {
    pub vendor: String,
    pub library: String,
    pub name: String,
    pub version: String,
}

/// In JSON a VLNV is one string, `vendor:library:name:version`.
impl utoipa::PartialSchema for Vlnv {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some("IP-XACT identity `vendor:library:name:version`"))
            .examples(["acme.com:dsp:fir:1.0"])
            .into()
    }
}

impl utoipa::ToSchema for Vlnv {}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum VlnvError {
    #[error("VLNV must have four parts vendor:library:name:version, got {0}")]
    PartCount(usize),
    #[error("VLNV {part} is empty")]
    Empty { part: &'static str },
    #[error("VLNV {part} {value:?} may contain only letters, digits, '.', '_' and '-'")]
    Charset { part: &'static str, value: String },
    #[error("VLNV is longer than 255 characters")]
    TooLong,
}

const PARTS: [&str; 4] = ["vendor", "library", "name", "version"];

impl Vlnv {
    pub fn parse(raw: &str) -> Result<Self, VlnvError> {
        let s = raw.trim();
        if s.len() > 255 {
            return Err(VlnvError::TooLong);
        }
        let parts: Vec<&str> = s.split(':').collect();
        if parts.len() != 4 {
            return Err(VlnvError::PartCount(parts.len()));
        }
        for (value, part) in parts.iter().zip(PARTS) {
            if value.is_empty() {
                return Err(VlnvError::Empty { part });
            }
            let ok = value.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
            // Vendors are domain names by IP-XACT convention; the rest are identifiers.
            if !ok {
                return Err(VlnvError::Charset { part, value: (*value).to_owned() });
            }
        }
        Ok(Self {
            vendor: parts[0].to_owned(),
            library: parts[1].to_owned(),
            name: parts[2].to_owned(),
            version: parts[3].to_owned(),
        })
    }
}

impl FromStr for Vlnv {
    type Err = VlnvError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for Vlnv {
    type Error = VlnvError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Vlnv> for String {
    fn from(value: Vlnv) -> Self {
        value.to_string()
    }
}

impl fmt::Display for Vlnv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}:{}", self.vendor, self.library, self.name, self.version)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints() {
        let v = Vlnv::parse("acme.com:riscv:rv32i_core:1.2.0");
        assert_eq!(v.as_ref().map(ToString::to_string), Ok("acme.com:riscv:rv32i_core:1.2.0".into()));
    }

    #[test]
    fn rejects() {
        assert_eq!(Vlnv::parse("a:b:c"), Err(VlnvError::PartCount(3)));
        assert_eq!(Vlnv::parse("a::c:1"), Err(VlnvError::Empty { part: "library" }));
        assert!(matches!(Vlnv::parse("a:b:c d:1"), Err(VlnvError::Charset { part: "name", .. })));
        assert_eq!(Vlnv::parse(&"a".repeat(300)), Err(VlnvError::TooLong));
    }
}
