//! Designer profiles (with their signing keys) and client preferences.

use super::rows::{DESIGNER_COLUMNS, DesignerRow};
use super::sql::now;
use super::{Store, StoreError, page_of};
use crate::domain::{ClientPreferences, DesignerProfile, Handle, Id, Page, PageRequest};
use sqlx::types::Json;

impl Store {
    pub async fn upsert_designer_profile(
        &self,
        user_id: Id,
        handle: &Handle,
        bio: &str,
        skills: &[String],
    ) -> Result<DesignerProfile, StoreError> {
        self.db
            .query(
                "INSERT INTO designer_profiles (user_id, handle, bio, skills, created_at) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (user_id) DO UPDATE SET handle = excluded.handle, bio = excluded.bio, \
                 skills = excluded.skills",
            )
            .bind(user_id)
            .bind(handle.as_str())
            .bind(bio)
            .bind(Json(skills))
            .bind(now())
            .execute()
            .await?;
        self.designer_by_user(user_id).await
    }

    pub async fn designer_by_handle(&self, handle: &str) -> Result<DesignerProfile, StoreError> {
        let row: DesignerRow = self
            .db
            .query(format!(
                "SELECT {DESIGNER_COLUMNS} FROM designer_profiles d JOIN users u ON u.id = d.user_id WHERE d.handle = $1"
            ))
            .bind(handle)
            .fetch_one()
            .await?;
        row.try_into()
    }

    pub async fn designer_by_user(&self, user_id: Id) -> Result<DesignerProfile, StoreError> {
        let row: DesignerRow = self
            .db
            .query(format!(
                "SELECT {DESIGNER_COLUMNS} FROM designer_profiles d JOIN users u ON u.id = d.user_id WHERE d.user_id = $1"
            ))
            .bind(user_id)
            .fetch_one()
            .await?;
        row.try_into()
    }

    pub async fn list_designers(&self, page: PageRequest) -> Result<Page<DesignerProfile>, StoreError> {
        let rows: Vec<DesignerRow> = self
            .db
            .query(format!(
                "SELECT {DESIGNER_COLUMNS} FROM designer_profiles d JOIN users u ON u.id = d.user_id \
                 WHERE ($1 IS NULL OR d.user_id < $1) ORDER BY d.user_id DESC LIMIT $2"
            ))
            .bind(page.after)
            .bind(i64::from(page.limit) + 1)
            .fetch_all()
            .await?;
        let items = rows.into_iter().map(TryInto::try_into).collect::<Result<Vec<DesignerProfile>, _>>()?;
        Ok(page_of(items, page.limit, |d| d.user_id))
    }

    pub async fn client_preferences(&self, user_id: Id) -> Result<ClientPreferences, StoreError> {
        let row: Option<Json<ClientPreferences>> = self
            .db
            .query("SELECT preferences FROM client_profiles WHERE user_id = $1")
            .bind(user_id)
            .scalar_optional()
            .await?;
        Ok(row.map(|j| j.0).unwrap_or_default())
    }

    pub async fn set_client_preferences(&self, user_id: Id, prefs: &ClientPreferences) -> Result<(), StoreError> {
        self.db
            .query(
                "INSERT INTO client_profiles (user_id, preferences, updated_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (user_id) DO UPDATE SET preferences = excluded.preferences, updated_at = excluded.updated_at",
            )
            .bind(user_id)
            .bind(Json(prefs))
            .bind(now())
            .execute()
            .await?;
        Ok(())
    }

    /// Stores a designer's ed25519 public key and their private key sealed by the
    /// caller. Keys are set once: records they signed must stay verifiable, so a
    /// profile that has keys answers `Conflict`; no profile answers `NotFound`.
    pub async fn set_designer_keys(
        &self,
        user_id: Id,
        public_key: &[u8],
        private_key_sealed: &[u8],
    ) -> Result<(), StoreError> {
        if public_key.is_empty() || private_key_sealed.is_empty() {
            return Err(StoreError::Invalid("designer keys must not be empty".into()));
        }
        let done = self
            .db
            .query(
                "UPDATE designer_profiles SET public_key = $2, private_key_enc = $3 \
                 WHERE user_id = $1 AND public_key IS NULL AND private_key_enc IS NULL",
            )
            .bind(user_id)
            .bind(public_key)
            .bind(private_key_sealed)
            .execute()
            .await?;
        if done == 1 {
            return Ok(());
        }
        let exists: Option<i32> =
            self.db.query("SELECT 1 FROM designer_profiles WHERE user_id = $1").bind(user_id).scalar_optional().await?;
        match exists {
            None => Err(StoreError::NotFound),
            Some(_) => Err(StoreError::Conflict("designer_profiles_keys_set_once".into())),
        }
    }

    /// `(public key, sealed private key)`, or `None` when the designer has no keys
    /// yet; `NotFound` when the user has no designer profile.
    pub async fn designer_keys(&self, user_id: Id) -> Result<Option<(Vec<u8>, Vec<u8>)>, StoreError> {
        type KeyColumns = (Option<Vec<u8>>, Option<Vec<u8>>);
        let row: Option<KeyColumns> = self
            .db
            .query("SELECT public_key, private_key_enc FROM designer_profiles WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional()
            .await?;
        match row {
            None => Err(StoreError::NotFound),
            Some((Some(public), Some(sealed))) => Ok(Some((public, sealed))),
            Some((None, None)) => Ok(None),
            Some(_) => Err(StoreError::corrupt(format!("designer {user_id} has half a key pair"))),
        }
    }
}
