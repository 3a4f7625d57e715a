//! Notification digests and user time zones: the store side of the digest job.

use super::StoreError;
use crate::domain::{Digest, DigestPeriod, Id, PendingDigest};
use async_trait::async_trait;
use time::{Date, OffsetDateTime};

#[async_trait]
pub trait DigestStore: Send + Sync + 'static {
    /// Stores a user's IANA time zone name (the caller checks that it exists).
    async fn set_user_timezone(&self, user_id: Id, timezone: &str) -> Result<(), StoreError>;
    async fn user_timezone(&self, user_id: Id) -> Result<String, StoreError>;
    /// Users with notifications of `period` not yet in a digest.
    async fn pending_digests(&self, period: DigestPeriod) -> Result<Vec<PendingDigest>, StoreError>;
    /// In one transaction, creates the digest of `(user, period, period_start)` and
    /// stamps into it every waiting notification of `period` created before `until`.
    /// `None` when that digest exists already (another run made it) or nothing waits.
    async fn create_digest(
        &self,
        user_id: Id,
        period: DigestPeriod,
        period_start: Date,
        until: OffsetDateTime,
    ) -> Result<Option<Digest>, StoreError>;
    /// A user's digests, oldest first, each with the notifications it carries.
    async fn list_digests(&self, user_id: Id) -> Result<Vec<Digest>, StoreError>;
}
