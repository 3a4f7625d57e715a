//! Money as integer minor units plus an ISO 4217 currency; checked arithmetic and exact splits.

use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

/// An ISO 4217 currency in use (see [`super::iso4217`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String)]
pub struct Currency([u8; 3]);

impl Currency {
    pub const USD: Self = Self(*b"USD");
    pub const EUR: Self = Self(*b"EUR");
    pub const GBP: Self = Self(*b"GBP");

    pub fn as_str(&self) -> &str {
        // Only ASCII upper-case letters are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("???")
    }

    /// Digits after the decimal point for the currency (ISO 4217 minor unit).
    pub fn exponent(&self) -> u32 {
        super::iso4217::minor_units(self.as_str()).map_or(2, u32::from)
    }

    fn symbol(&self) -> Option<&'static str> {
        match &self.0 {
            b"USD" => Some("$"),
            b"EUR" => Some("€"),
            b"GBP" => Some("£"),
            b"JPY" => Some("¥"),
            _ => None,
        }
    }
}

impl FromStr for Currency {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let b = s.trim().as_bytes();
        if b.len() == 3 && b.iter().all(u8::is_ascii_alphabetic) {
            let code = [b[0].to_ascii_uppercase(), b[1].to_ascii_uppercase(), b[2].to_ascii_uppercase()];
            let known = std::str::from_utf8(&code).ok().and_then(super::iso4217::minor_units).is_some();
            if known {
                return Ok(Self(code));
            }
        }
        Err(MoneyError::BadCurrency(s.to_owned()))
    }
}

impl TryFrom<String> for Currency {
    type Error = MoneyError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<Currency> for String {
    fn from(value: Currency) -> Self {
        value.as_str().to_owned()
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MoneyError {
    #[error("currency must be an ISO 4217 code such as USD or EUR, got {0:?}")]
    BadCurrency(String),
    #[error("cannot combine amounts in {0} and {1}")]
    CurrencyMismatch(Currency, Currency),
    #[error("amount is out of range")]
    Overflow,
    #[error("amount must not be negative")]
    Negative,
}

/// An exact amount: integer minor units (cents) of one currency. Never a float.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Money {
    pub amount_minor: i64,
    pub currency: Currency,
}

impl Money {
    pub fn new(amount_minor: i64, currency: Currency) -> Self {
        Self { amount_minor, currency }
    }

    pub fn zero(currency: Currency) -> Self {
        Self::new(0, currency)
    }

    /// A non-negative amount, as prices, deposits and limits must be.
    pub fn non_negative(amount_minor: i64, currency: Currency) -> Result<Self, MoneyError> {
        if amount_minor < 0 { Err(MoneyError::Negative) } else { Ok(Self::new(amount_minor, currency)) }
    }

    fn same_currency(&self, other: &Money) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch(self.currency, other.currency))
        }
    }

    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(&other)?;
        let amount = self.amount_minor.checked_add(other.amount_minor).ok_or(MoneyError::Overflow)?;
        Ok(Money::new(amount, self.currency))
    }

    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(&other)?;
        let amount = self.amount_minor.checked_sub(other.amount_minor).ok_or(MoneyError::Overflow)?;
        Ok(Money::new(amount, self.currency))
    }

    pub fn checked_neg(self) -> Result<Money, MoneyError> {
        let amount = self.amount_minor.checked_neg().ok_or(MoneyError::Overflow)?;
        Ok(Money::new(amount, self.currency))
    }

    /// The amount as it is said aloud: "49 dollars 99", kept simple for speech.
    pub fn spoken(&self) -> String {
        let exp = self.currency.exponent();
        let scale = 10_i64.pow(exp);
        let major = self.amount_minor / scale;
        let minor = (self.amount_minor % scale).abs();
        let unit = match self.currency.as_str() {
            "USD" => "dollars",
            "EUR" => "euros",
            "GBP" => "pounds",
            other => other,
        };
        if minor == 0 { format!("{major} {unit}") } else { format!("{major} {unit} {minor}") }
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let exp = self.currency.exponent();
        let scale = 10_i64.pow(exp);
        let sign = if self.amount_minor < 0 { "-" } else { "" };
        let abs = self.amount_minor.unsigned_abs();
        let major = abs / scale as u64;
        let minor = abs % scale as u64;
        let number =
            if exp == 0 { major.to_string() } else { format!("{major}.{minor:0width$}", width = exp as usize) };
        match self.currency.symbol() {
            Some(sym) => write!(f, "{sign}{sym}{number}"),
            None => write!(f, "{sign}{number} {}", self.currency),
        }
    }
}

/// Splits `total` into parts proportional to `weights` so that the parts sum to
/// `total` exactly (largest-remainder method). Each part is within one minor unit
/// of its exact share; ties go to the earlier weight. All-zero weights give all to
/// nothing: the caller decides what to do with an empty split, so it returns zeros
/// and the remainder is reported as unallocated by the sum check of the caller.
pub fn allocate_largest_remainder(total: i64, weights: &[u64]) -> Vec<i64> {
    let weight_sum: u128 = weights.iter().map(|&w| u128::from(w)).sum();
    if weights.is_empty() || weight_sum == 0 {
        return vec![0; weights.len()];
    }
    let negative = total < 0;
    let t = u128::from(total.unsigned_abs());
    let mut parts: Vec<u128> = Vec::with_capacity(weights.len());
    let mut remainders: Vec<(u128, usize)> = Vec::with_capacity(weights.len());
    for (i, &w) in weights.iter().enumerate() {
        let exact = t * u128::from(w);
        parts.push(exact / weight_sum);
        remainders.push((exact % weight_sum, i));
    }
    let allocated: u128 = parts.iter().sum();
    let mut left = t - allocated;
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, i) in remainders {
        if left == 0 {
            break;
        }
        parts[i] += 1;
        left -= 1;
    }
    parts
        .into_iter()
        .map(|p| {
            // Each part is at most |total|, which came from an i64.
            let v = i64::try_from(p).unwrap_or(i64::MAX);
            if negative { -v } else { v }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn displays_and_speaks() {
        assert_eq!(Money::new(4999, Currency::USD).to_string(), "$49.99");
        assert_eq!(Money::new(-5, Currency::EUR).to_string(), "-€0.05");
        assert_eq!(Money::new(1200, "JPY".parse().unwrap_or(Currency::USD)).to_string(), "¥1200");
        assert_eq!(Money::new(5000, Currency::USD).spoken(), "50 dollars");
        assert_eq!(Money::new(4999, Currency::USD).spoken(), "49 dollars 99");
    }

    #[test]
    fn arithmetic_is_checked() {
        let a = Money::new(i64::MAX, Currency::USD);
        assert_eq!(a.checked_add(Money::new(1, Currency::USD)), Err(MoneyError::Overflow));
        assert!(matches!(
            Money::new(1, Currency::USD).checked_add(Money::new(1, Currency::EUR)),
            Err(MoneyError::CurrencyMismatch(..))
        ));
        assert_eq!(Money::new(i64::MIN, Currency::USD).checked_neg(), Err(MoneyError::Overflow));
        assert_eq!(Money::non_negative(-1, Currency::USD), Err(MoneyError::Negative));
    }

    #[test]
    fn currency_parsing() {
        assert_eq!("usd".parse::<Currency>(), Ok(Currency::USD));
        assert!("US".parse::<Currency>().is_err());
        assert!("U$D".parse::<Currency>().is_err());
    }

    #[test]
    fn split_examples() {
        assert_eq!(allocate_largest_remainder(100, &[1, 1, 1]), vec![34, 33, 33]);
        assert_eq!(allocate_largest_remainder(1000, &[2500, 7500]), vec![250, 750]);
        assert_eq!(allocate_largest_remainder(-100, &[1, 1, 1]), vec![-34, -33, -33]);
        assert_eq!(allocate_largest_remainder(5, &[0, 0]), vec![0, 0]);
    }

    proptest! {
        #[test]
        fn split_is_exact(total in -1_000_000_000_000i64..1_000_000_000_000, weights in proptest::collection::vec(0u64..20_000, 1..12)) {
            prop_assume!(weights.iter().any(|&w| w > 0));
            let parts = allocate_largest_remainder(total, &weights);
            prop_assert_eq!(parts.iter().sum::<i64>(), total);
            let wsum: i128 = weights.iter().map(|&w| i128::from(w)).sum();
            for (p, w) in parts.iter().zip(&weights) {
                let exact_num = i128::from(total) * i128::from(*w);
                // |p - exact| < 1  <=>  |p*wsum - exact_num| < wsum
                prop_assert!((i128::from(*p) * wsum - exact_num).abs() < wsum);
            }
        }
    }
}
