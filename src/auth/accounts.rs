//! Account administration: lookups, the local default user, promotions, device
//! tokens and the audit log as administrators read it.

use super::tokens::{DEVICE_TOKEN_PREFIX, hash_token, random_token};
use super::{Auth, AuthError};
use crate::domain::{AuditEntry, Email, Id, NewUser, Page, PageRequest, Role, User};
use crate::store::StoreError;

fn not_found(what: &'static str) -> impl Fn(StoreError) -> AuthError {
    move |e| match e {
        StoreError::NotFound => AuthError::NotFound(what),
        e => AuthError::Store(e),
    }
}

impl Auth {
    pub async fn user_by_email(&self, email: &str) -> Result<User, AuthError> {
        self.store.user_by_email(email).await.map_err(not_found("user"))
    }

    pub async fn user_by_id(&self, id: Id) -> Result<User, AuthError> {
        self.store.user_by_id(id).await.map_err(not_found("user"))
    }

    /// The account of `email`, made (without a password) the first time for the
    /// local default user of a voice daemon.
    pub async fn local_user(&self, email: &str, display_name: &str) -> Result<User, AuthError> {
        match self.store.user_by_email(email).await {
            Ok(u) => Ok(u),
            Err(StoreError::NotFound) => match self.passwordless_account(email, display_name, Role::User).await {
                Ok(u) => Ok(u),
                // Made by a concurrent start: use it.
                Err(AuthError::Conflict(_)) => self.user_by_email(email).await,
                Err(e) => Err(e),
            },
            Err(e) => Err(AuthError::Store(e)),
        }
    }

    /// An account that cannot sign in with a password (it acts through device
    /// tokens or the local daemon): seeded catalogs, the local default user.
    pub async fn passwordless_account(&self, email: &str, display_name: &str, role: Role) -> Result<User, AuthError> {
        let email = Email::parse(email).map_err(|e| AuthError::Invalid(e.to_string()))?;
        let new = NewUser { email, display_name: display_name.to_owned(), role, password_hash: None };
        self.store.create_user(&new).await.map_err(|e| match e {
            StoreError::Conflict(_) => AuthError::Conflict("an account with this email exists".into()),
            e => AuthError::Store(e),
        })
    }

    /// Makes an existing account an administrator (from the command line, which
    /// only the machine's operator can run).
    pub async fn promote_to_admin(&self, user: &User) -> Result<User, AuthError> {
        let admin = self.store.set_user_role(user.id, Role::Admin).await.map_err(not_found("user"))?;
        self.audit(Some(&admin), "role_changed", Some(format!("{} -> admin (cli)", admin.id)), None).await;
        Ok(admin)
    }

    /// Accounts, oldest first.
    pub async fn list_users(&self, page: PageRequest) -> Result<Page<User>, AuthError> {
        Ok(self.store.list_users(page).await?)
    }

    /// The audit log, newest first.
    pub async fn audit_log(&self, page: PageRequest) -> Result<Page<AuditEntry>, AuthError> {
        Ok(self.store.list_audit(None, page).await?)
    }

    /// A new device token for `user`: `(id, token)`. The token is shown once and
    /// stored only as its SHA-256.
    pub async fn create_device_token(&self, user: &User, name: &str) -> Result<(Id, String), AuthError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(AuthError::Invalid("a token name must be 1 to 100 characters".into()));
        }
        let token = random_token(DEVICE_TOKEN_PREFIX);
        let id = self.store.create_device_token(user.id, name, &hash_token(&token)).await?;
        self.audit(Some(user), "device_token_created", Some(id.to_string()), None).await;
        Ok((id, token))
    }

    /// Revokes one of the user's device tokens; it stops working at once.
    pub async fn revoke_device_token(&self, user: &User, id: Id) -> Result<(), AuthError> {
        self.store.revoke_device_token(user.id, id).await.map_err(not_found("device token"))?;
        self.audit(Some(user), "device_token_revoked", Some(id.to_string()), None).await;
        Ok(())
    }

    /// The user a device token acts for; unknown and revoked tokens are refused.
    pub async fn device_token_user(&self, token: &str) -> Result<User, AuthError> {
        match self.store.device_token_user(&hash_token(token)).await {
            Ok(u) => Ok(u),
            Err(StoreError::NotFound) => Err(AuthError::Unauthenticated("the token is unknown or revoked".into())),
            Err(e) => Err(AuthError::Store(e)),
        }
    }
}
