//! Basis points (1/100 of a percent): royalty shares and fees, 0..=10000.

use serde::{Deserialize, Serialize};

/// A share expressed in basis points; 10000 bps = 100 %.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(try_from = "i64", into = "i64")]
#[schema(value_type = i64)]
pub struct BasisPoints(u16);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum BpsError {
    #[error("basis points must be between 0 and 10000, got {0}")]
    OutOfRange(i64),
}

impl BasisPoints {
    pub const ZERO: Self = Self(0);
    pub const FULL: Self = Self(10_000);

    pub fn new(value: i64) -> Result<Self, BpsError> {
        if (0..=10_000).contains(&value) { Ok(Self(value as u16)) } else { Err(BpsError::OutOfRange(value)) }
    }

    pub fn get(self) -> u16 {
        self.0
    }
}

impl TryFrom<i64> for BasisPoints {
    type Error = BpsError;
    fn try_from(value: i64) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl From<BasisPoints> for i64 {
    fn from(value: BasisPoints) -> Self {
        i64::from(value.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_is_enforced() {
        assert!(BasisPoints::new(0).is_ok());
        assert!(BasisPoints::new(10_000).is_ok());
        assert_eq!(BasisPoints::new(10_001), Err(BpsError::OutOfRange(10_001)));
        assert_eq!(BasisPoints::new(-1), Err(BpsError::OutOfRange(-1)));
    }
}
