//! `VerifyReport`: the named checks a record went through and whether each passed.

use serde::{Deserialize, Serialize};
use std::fmt;

/// One named verification check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    pub name: String,
    pub ok: bool,
    pub detail: String,
}

/// Outcome of verifying a record against a file: `valid` only if every check passed.
/// Serialises as `{"valid": bool, "checks": [{"name", "ok", "detail"}]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyReport {
    pub valid: bool,
    pub checks: Vec<Check>,
}

impl VerifyReport {
    pub(super) fn from_checks(checks: Vec<Check>) -> Self {
        Self { valid: !checks.is_empty() && checks.iter().all(|c| c.ok), checks }
    }

    /// The first check that failed, if any.
    pub fn first_failure(&self) -> Option<&Check> {
        self.checks.iter().find(|c| !c.ok)
    }

    /// Every failed check, in check order.
    pub fn failures(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| !c.ok)
    }

    /// The check called `name`, if it ran.
    pub fn check(&self, name: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.name == name)
    }
}

impl fmt::Display for VerifyReport {
    /// Failed checks first as `FAILED name: detail`, then passed ones as `ok name: detail`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in self.failures() {
            writeln!(f, "FAILED {}: {}", c.name, c.detail)?;
        }
        for c in self.checks.iter().filter(|c| c.ok) {
            writeln!(f, "ok {}: {}", c.name, c.detail)?;
        }
        Ok(())
    }
}

pub(super) fn pass(name: &str, detail: impl Into<String>) -> Check {
    Check { name: name.to_owned(), ok: true, detail: detail.into() }
}

pub(super) fn fail(name: &str, detail: impl Into<String>) -> Check {
    Check { name: name.to_owned(), ok: false, detail: detail.into() }
}
