//! Identity and security: accounts, passwords (Argon2id), JWT access tokens, rotating
//! refresh tokens with reuse detection, TOTP two-factor with recovery codes, OAuth
//! sign-in, role checks, throttling and the audit trail of security events.

mod accounts;
pub mod browser;
mod error;
pub mod jwt;
mod login;
mod mfa_pending;
pub mod oauth;
mod oauth_provider;
pub mod password;
mod sessions;
mod throttle;
pub mod tokens;
pub mod totp;
mod two_factor;

pub use crate::store::LoginSession;
pub use browser::{BrowserLogin, BrowserSession, CookiePolicy, csrf_binding};
pub use error::AuthError;
pub use jwt::{AccessClaims, JwtKeys};
pub use login::Registration;
pub use two_factor::Enrollment;

use crate::cache::CacheBus;
use crate::config::{AuthConfig, Config, ConfigError};
use crate::crypto::FieldCipher;
use crate::domain::{Role, User};
use crate::store::{NewAuditEntry, Store, StoreError};
use serde::Serialize;
use std::sync::Arc;
use tokens::DEVICE_TOKEN_PREFIX as TOKEN_PREFIX;

/// What a successful login or refresh hands out.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TokenPair {
    pub access_token: String,
    pub refresh_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: u64,
}

/// The identity service.
pub struct Auth {
    store: Store,
    cache: CacheBus,
    cipher: Arc<FieldCipher>,
    keys: JwtKeys,
    settings: AuthConfig,
    http: reqwest::Client,
    /// Throttle counters for when the shared cache is down.
    local_counters: crate::cache::MemoryCache,
    /// Browser cookies and CSRF tokens (see [`browser`]).
    browser: browser::BrowserKeys,
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Auth").field("keys", &self.keys).finish_non_exhaustive()
    }
}

impl Auth {
    /// The identity service over `jwt` (the signing keys and the active key id).
    pub fn new(
        config: &Config,
        jwt: &jwt::JwtKeyMaterial,
        store: Store,
        cache: CacheBus,
        cipher: Arc<FieldCipher>,
    ) -> Result<Self, ConfigError> {
        let (keys, active) = jwt;
        let active_key = keys.iter().find(|(kid, _)| kid == active).map(|(_, k)| k.as_slice()).unwrap_or_default();
        let browser = browser::BrowserKeys::new(active_key, &config.server.public_url);
        let keys = JwtKeys::new(keys, active, &config.auth.issuer, &config.auth.audience)
            .map_err(|e| ConfigError::Invalid(format!("auth.jwt_keys: {e}")))?;
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| ConfigError::Invalid(format!("HTTP client: {e}")))?;
        Ok(Self {
            store,
            cache,
            cipher,
            keys,
            settings: config.auth.clone(),
            http,
            local_counters: crate::cache::MemoryCache::new(100_000),
            browser,
        })
    }

    pub fn settings(&self) -> &AuthConfig {
        &self.settings
    }

    pub fn keys(&self) -> &JwtKeys {
        &self.keys
    }

    /// The user behind a bearer token: a JWT access token whose session is still
    /// live, or a device token.
    pub async fn authenticate(&self, token: &str) -> Result<User, AuthError> {
        if token.starts_with(TOKEN_PREFIX) {
            return self.device_token_user(token).await;
        }
        let claims = self.keys.verify(token)?;
        if !self.store.session_active(claims.sub, claims.sid).await? {
            return Err(AuthError::Unauthenticated("the session was signed out".into()));
        }
        match self.store.user_by_id(claims.sub).await {
            Ok(u) => Ok(u),
            Err(StoreError::NotFound) => Err(AuthError::Unauthenticated("the account no longer exists".into())),
            Err(e) => Err(AuthError::Store(e)),
        }
    }

    /// Records a security event; failures to record are logged, not fatal.
    pub async fn audit(&self, actor: Option<&User>, action: &str, target: Option<String>, ip: Option<&str>) {
        let entry = NewAuditEntry {
            actor_id: actor.map(|u| u.id),
            action: action.to_owned(),
            target,
            ip: ip.map(str::to_owned),
            detail: serde_json::json!({}),
        };
        if let Err(e) = self.store.append_audit(&entry).await {
            tracing::error!(error = %e, action, "cannot write the audit log");
        }
    }

    /// Changes a user's role (administrators only; the caller checks that).
    /// A demotion ends the user's sessions: nothing signed in under the higher role
    /// stays signed in.
    pub async fn set_role(&self, admin: &User, user_id: crate::domain::Id, role: Role) -> Result<User, AuthError> {
        let missing = |e| match e {
            StoreError::NotFound => AuthError::NotFound("user"),
            e => AuthError::Store(e),
        };
        let before = self.store.user_by_id(user_id).await.map_err(missing)?;
        let user = self.store.set_user_role(user_id, role).await.map_err(missing)?;
        if rank(role) < rank(before.role) {
            self.revoke_all_sessions(&user).await?;
        }
        self.audit(Some(admin), "role_changed", Some(format!("{user_id} -> {}", role.as_str())), None).await;
        Ok(user)
    }
}

/// Roles in order of what they may do (admins include designers, designers users).
fn rank(role: Role) -> u8 {
    match role {
        Role::User => 0,
        Role::Designer => 1,
        Role::Admin => 2,
    }
}

/// Deny by default: `user` must hold `role` or a role that includes it (admins
/// include designers; designers include users). Admins must have 2FA on.
pub fn require_role(user: &User, role: Role) -> Result<(), AuthError> {
    if rank(user.role) < rank(role) {
        return Err(AuthError::Forbidden(format!("this needs the {} role", role.as_str())));
    }
    if user.role == Role::Admin && role == Role::Admin && !user.totp_enabled {
        return Err(AuthError::MfaSetupRequired);
    }
    Ok(())
}
