//! Designer handles: short, URL-safe, lower-case names (`alice-chen`).

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String)]
pub struct Handle(String);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum HandleError {
    #[error("handle must be 2 to 32 characters long")]
    Length,
    #[error("handle may contain only a-z, 0-9 and single dashes, and must start with a letter")]
    Charset,
}

impl Handle {
    pub fn parse(raw: &str) -> Result<Self, HandleError> {
        let s = raw.trim();
        if !(2..=32).contains(&s.len()) {
            return Err(HandleError::Length);
        }
        let valid = s.starts_with(|c: char| c.is_ascii_lowercase())
            && !s.ends_with('-')
            && !s.contains("--")
            && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !valid {
            return Err(HandleError::Charset);
        }
        Ok(Self(s.to_owned()))
    }

    /// Derives a handle from a display name ("Alice Chen" → `alice-chen`).
    /// Callers add a numeric suffix when the handle is taken.
    pub fn from_display_name(name: &str) -> Self {
        let mut out = String::new();
        for c in name.chars().flat_map(char::to_lowercase) {
            if c.is_ascii_alphanumeric() {
                out.push(c);
            } else if !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
        }
        let mut out = out.trim_end_matches('-').to_owned();
        if !out.starts_with(|c: char| c.is_ascii_lowercase()) {
            out.insert_str(0, "d-");
        }
        out.truncate(28);
        let out = out.trim_end_matches('-').to_owned();
        if out.len() < 2 { Self("designer".into()) } else { Self(out) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Handle {
    type Error = HandleError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Handle> for String {
    fn from(value: Handle) -> Self {
        value.0
    }
}

impl fmt::Display for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derives_from_names() {
        assert_eq!(Handle::from_display_name("Alice Chen").as_str(), "alice-chen");
        assert_eq!(Handle::from_display_name("  Zoë  O'Neil ").as_str(), "zo-o-neil");
        assert_eq!(Handle::from_display_name("42 Labs").as_str(), "d-42-labs");
        assert_eq!(Handle::from_display_name("!!").as_str(), "designer");
        for name in ["Alice Chen", "x", "", "Ünïcode Ñame", "a-very-long-name-that-goes-on-and-on-forever"] {
            let h = Handle::from_display_name(name);
            assert_eq!(Handle::parse(h.as_str()), Ok(h.clone()), "{name}");
        }
    }

    #[test]
    fn rejects_bad_handles() {
        for bad in ["A", "Alice", "-alice", "alice-", "al--ice", "1alice", "alice chen"] {
            assert!(Handle::parse(bad).is_err(), "{bad:?}");
        }
    }
}
