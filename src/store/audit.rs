//! The audit log of security events.

use super::rows::AuditRow;
use super::sql::now;
use super::{Store, StoreError, page_of};
use crate::domain::{AuditEntry, Id, Page, PageRequest, new_id};
use sqlx::types::Json;

/// A security event to record.
#[derive(Debug, Clone, Default)]
pub struct NewAuditEntry {
    pub actor_id: Option<Id>,
    pub action: String,
    pub target: Option<String>,
    pub ip: Option<String>,
    pub detail: serde_json::Value,
}

impl Store {
    pub async fn append_audit(&self, e: &NewAuditEntry) -> Result<Id, StoreError> {
        let id = new_id();
        self.db
            .query(
                "INSERT INTO audit_log (id, actor_id, action, target, ip, detail, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(id)
            .bind(e.actor_id)
            .bind(&e.action)
            .bind(e.target.as_deref())
            .bind(e.ip.as_deref())
            .bind(Json(&e.detail))
            .bind(now())
            .execute()
            .await?;
        Ok(id)
    }

    /// Entries (of one actor, or all), newest first.
    pub async fn list_audit(&self, actor_id: Option<Id>, page: PageRequest) -> Result<Page<AuditEntry>, StoreError> {
        let rows: Vec<AuditRow> = self
            .db
            .query(
                "SELECT id, actor_id, action, target, ip, detail, created_at FROM audit_log \
                 WHERE ($1 IS NULL OR actor_id = $1) AND ($2 IS NULL OR id < $2) ORDER BY id DESC LIMIT $3",
            )
            .bind(actor_id)
            .bind(page.after)
            .bind(i64::from(page.limit) + 1)
            .fetch_all()
            .await?;
        let items: Vec<AuditEntry> = rows.into_iter().map(Into::into).collect();
        Ok(page_of(items, page.limit, |a| a.id))
    }
}
