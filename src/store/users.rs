//! Accounts: creation, lookups, role, name, password hash, time zone.

use super::rows::{USER_COLUMNS, UserRow};
use super::sql::now;
use super::{Store, StoreError, page_of};
use crate::domain::{Id, NewUser, Page, PageRequest, Role, User, new_id};

impl Store {
    pub async fn create_user(&self, u: &NewUser) -> Result<User, StoreError> {
        let row: UserRow = self
            .db
            .query(format!(
                "INSERT INTO users (id, email, display_name, role, password_hash, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING {USER_COLUMNS}"
            ))
            .bind(new_id())
            .bind(u.email.as_str())
            .bind(&u.display_name)
            .bind(u.role.as_str())
            .bind(u.password_hash.as_deref())
            .bind(now())
            .fetch_one()
            .await?;
        row.try_into()
    }

    pub async fn user_by_id(&self, id: Id) -> Result<User, StoreError> {
        let row: UserRow =
            self.db.query(format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1")).bind(id).fetch_one().await?;
        row.try_into()
    }

    pub async fn user_by_email(&self, email: &str) -> Result<User, StoreError> {
        let row: UserRow = self
            .db
            .query(format!("SELECT {USER_COLUMNS} FROM users WHERE email = $1"))
            .bind(email.trim().to_lowercase())
            .fetch_one()
            .await?;
        row.try_into()
    }

    /// The user and their password hash (`None` for accounts without a password).
    /// The account and its password hash for signing in; `NotFound` for a disabled
    /// account too (it may not sign in).
    pub async fn user_credentials(&self, email: &str) -> Result<(User, Option<String>), StoreError> {
        let user = self.user_by_email(email).await?;
        let hash: Option<Option<String>> = self
            .db
            .query("SELECT password_hash FROM users WHERE id = $1 AND NOT disabled")
            .bind(user.id)
            .scalar_optional()
            .await?;
        let hash = hash.ok_or(StoreError::NotFound)?;
        Ok((user, hash))
    }

    /// Disables (or enables again) an account; `NotFound` when there is none.
    pub async fn set_user_disabled(&self, id: Id, disabled: bool) -> Result<(), StoreError> {
        let done = self
            .db
            .query("UPDATE users SET disabled = $2, updated_at = $3 WHERE id = $1")
            .bind(id)
            .bind(disabled)
            .bind(now())
            .execute()
            .await?;
        if done == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    /// Whether the account exists and is not disabled.
    pub async fn user_enabled(&self, id: Id) -> Result<bool, StoreError> {
        let n: i64 =
            self.db.query("SELECT COUNT(*) FROM users WHERE id = $1 AND NOT disabled").bind(id).scalar().await?;
        Ok(n > 0)
    }

    pub async fn set_user_role(&self, id: Id, role: Role) -> Result<User, StoreError> {
        let row: UserRow = self
            .db
            .query(format!("UPDATE users SET role = $2, updated_at = $3 WHERE id = $1 RETURNING {USER_COLUMNS}"))
            .bind(id)
            .bind(role.as_str())
            .bind(now())
            .fetch_one()
            .await?;
        row.try_into()
    }

    /// Changes the display name; `NotFound` for an unknown user.
    pub async fn set_display_name(&self, user_id: Id, display_name: &str) -> Result<User, StoreError> {
        let row: UserRow = self
            .db
            .query(format!(
                "UPDATE users SET display_name = $2, updated_at = $3 WHERE id = $1 RETURNING {USER_COLUMNS}"
            ))
            .bind(user_id)
            .bind(display_name)
            .bind(now())
            .fetch_one()
            .await?;
        row.try_into()
    }

    pub async fn set_password_hash(&self, user_id: Id, hash: &str) -> Result<(), StoreError> {
        let done = self
            .db
            .query("UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1")
            .bind(user_id)
            .bind(hash)
            .bind(now())
            .execute()
            .await?;
        if done == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    /// Users, oldest first (for administrators).
    pub async fn list_users(&self, page: PageRequest) -> Result<Page<User>, StoreError> {
        let rows: Vec<UserRow> = self
            .db
            .query(format!("SELECT {USER_COLUMNS} FROM users WHERE ($1 IS NULL OR id > $1) ORDER BY id LIMIT $2"))
            .bind(page.after)
            .bind(i64::from(page.limit) + 1)
            .fetch_all()
            .await?;
        let users = rows.into_iter().map(User::try_from).collect::<Result<Vec<_>, _>>()?;
        Ok(page_of(users, page.limit, |u| u.id))
    }

    /// Stores a user's IANA time zone name (the caller checks that it exists).
    pub async fn set_user_timezone(&self, user_id: Id, timezone: &str) -> Result<(), StoreError> {
        let done = self
            .db
            .query("UPDATE users SET timezone = $2, updated_at = $3 WHERE id = $1")
            .bind(user_id)
            .bind(timezone)
            .bind(now())
            .execute()
            .await?;
        if done == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    pub async fn user_timezone(&self, user_id: Id) -> Result<String, StoreError> {
        self.db.query("SELECT timezone FROM users WHERE id = $1").bind(user_id).scalar().await
    }
}
