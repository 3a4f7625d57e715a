//! E-mail addresses: trimmed, lower-cased, structurally checked.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String)]
pub struct Email(String);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EmailError {
    #[error("e-mail address is empty")]
    Empty,
    #[error("e-mail address is longer than 254 characters")]
    TooLong,
    #[error("e-mail address must look like name@example.org")]
    Malformed,
}

impl Email {
    pub fn parse(raw: &str) -> Result<Self, EmailError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(EmailError::Empty);
        }
        if s.len() > 254 {
            return Err(EmailError::TooLong);
        }
        let (local, domain) = s.split_once('@').ok_or(EmailError::Malformed)?;
        let ok_local = !local.is_empty() && local.len() <= 64 && !local.contains(char::is_whitespace);
        let ok_domain = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain.chars().all(|c| c.is_alphanumeric() || c == '.' || c == '-');
        if !ok_local || !ok_domain || local.contains('@') {
            return Err(EmailError::Malformed);
        }
        Ok(Self(s.to_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Email {
    type Error = EmailError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Email> for String {
    fn from(value: Email) -> Self {
        value.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_normalises() {
        assert_eq!(Email::parse("  Alice@Example.ORG ").map(|e| e.0), Ok("alice@example.org".into()));
    }

    #[test]
    fn rejects_malformed() {
        for bad in ["", "alice", "alice@", "@example.org", "a@b", "a@.b.c", "a b@example.org", "a@b..c"] {
            assert!(Email::parse(bad).is_err(), "{bad:?} must be rejected");
        }
    }
}
