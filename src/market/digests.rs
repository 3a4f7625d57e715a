//! The digest job: gathers each user's daily and weekly notifications into one
//! digest per period, with periods in the user's own time zone.

use super::MarketError;
use crate::domain::{DigestPeriod, Id};
use crate::store::{Store, StoreError};
use jiff::tz::TimeZone;
use time::{Date, OffsetDateTime};

/// What one run of the digest job did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DigestReport {
    /// Digests this run created.
    pub created: u32,
    /// Users whose digest for the period another run had made already.
    pub already_made: u32,
    /// Users whose digest failed this time (logged); the next run tries again.
    pub failed: u32,
}

/// The period of `period` that ended last before `now` in time zone `tz`: its
/// local start date, and the instant the following period began (exclusive end).
pub fn last_period(now: OffsetDateTime, tz: &TimeZone, period: DigestPeriod) -> Result<(Date, OffsetDateTime), String> {
    let nanos = i32::try_from(now.nanosecond()).map_err(|e| e.to_string())?;
    let ts = jiff::Timestamp::new(now.unix_timestamp(), nanos).map_err(|e| e.to_string())?;
    let today = ts.to_zoned_datetime(tz.clone()).date();
    let (current, len) = match period {
        DigestPeriod::Daily => (today, 1),
        DigestPeriod::Weekly => {
            let back = i64::from(today.weekday().to_monday_zero_offset());
            (today.checked_sub(jiff::Span::new().days(back)).map_err(|e| e.to_string())?, 7)
        }
    };
    let start = current.checked_sub(jiff::Span::new().days(len)).map_err(|e| e.to_string())?;
    let end = current.to_zoned_datetime(tz.clone()).map_err(|e| e.to_string())?.timestamp();
    let end = OffsetDateTime::from_unix_timestamp_nanos(end.as_nanosecond()).map_err(|e| e.to_string())?;
    let month = u8::try_from(start.month()).map_err(|e| e.to_string())?;
    let day = u8::try_from(start.day()).map_err(|e| e.to_string())?;
    let date = Date::from_calendar_date(
        i32::from(start.year()),
        time::Month::try_from(month).map_err(|e| e.to_string())?,
        day,
    )
    .map_err(|e| e.to_string())?;
    Ok((date, end))
}

/// A stored time zone name, falling back to UTC for one the database does not know.
fn zone(name: &str) -> TimeZone {
    TimeZone::get(name).unwrap_or_else(|e| {
        tracing::warn!(timezone = name, error = %e, "unknown time zone; using UTC");
        TimeZone::UTC
    })
}

/// Makes the digests due at `now`: for each user with waiting daily (weekly)
/// notifications, one digest of the day (ISO week) that last ended in their time
/// zone, carrying every waiting notification created before that period's end.
/// Runs that overlap make each digest once.
#[tracing::instrument(skip_all)]
pub(super) async fn run_digests(store: &Store, now: OffsetDateTime) -> Result<DigestReport, StoreError> {
    let mut report = DigestReport::default();
    for period in [DigestPeriod::Daily, DigestPeriod::Weekly] {
        for pending in store.pending_digests(period).await? {
            let (start, until) = match last_period(now, &zone(&pending.timezone), period) {
                Ok(bounds) => bounds,
                Err(e) => {
                    tracing::warn!(user = %pending.user_id, error = %e, "cannot place the digest period");
                    report.failed += 1;
                    continue;
                }
            };
            if pending.oldest >= until {
                continue; // Everything waiting belongs to the period still running.
            }
            match store.create_digest(pending.user_id, period, start, until).await {
                Ok(Some(_)) => report.created += 1,
                Ok(None) => report.already_made += 1,
                Err(e) => {
                    tracing::warn!(user = %pending.user_id, error = %e, "digest failed; will retry");
                    report.failed += 1;
                }
            }
        }
    }
    Ok(report)
}

/// Sets a user's time zone after checking that it is a known IANA name.
pub(super) async fn set_timezone(store: &Store, user_id: Id, timezone: &str) -> Result<(), MarketError> {
    let name = timezone.trim();
    if name.is_empty() || TimeZone::get(name).is_err() {
        return Err(MarketError::Invalid(format!(
            "unknown time zone {timezone:?}; use an IANA name like Europe/Paris"
        )));
    }
    store.set_user_timezone(user_id, name).await.map_err(|e| MarketError::from_store("user", e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn periods_follow_the_local_calendar() -> Result<(), String> {
        let now = datetime!(2030-01-07 03:00 UTC); // Monday in Tokyo, Sunday evening in New York
        let ny = TimeZone::get("America/New_York").map_err(|e| e.to_string())?;
        let tokyo = TimeZone::get("Asia/Tokyo").map_err(|e| e.to_string())?;
        assert_eq!(
            last_period(now, &ny, DigestPeriod::Daily)?,
            (date!(2030 - 01 - 05), datetime!(2030-01-06 05:00 UTC))
        );
        assert_eq!(
            last_period(now, &tokyo, DigestPeriod::Daily)?,
            (date!(2030 - 01 - 06), datetime!(2030-01-06 15:00 UTC))
        );
        assert_eq!(last_period(now, &ny, DigestPeriod::Weekly)?.0, date!(2029 - 12 - 24));
        assert_eq!(
            last_period(now, &tokyo, DigestPeriod::Weekly)?,
            (date!(2029 - 12 - 31), datetime!(2030-01-06 15:00 UTC))
        );
        Ok(())
    }
}
