//! The current time as every backend stores it.

/// Now, in UTC, truncated to microseconds (what both databases keep), so a value
/// written and read back compares equal.
pub fn now_micros() -> time::OffsetDateTime {
    let t = time::OffsetDateTime::now_utc();
    t.replace_microsecond(t.microsecond()).unwrap_or(t)
}
