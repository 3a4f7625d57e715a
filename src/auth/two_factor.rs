//! TOTP two-factor: enrol (secret sealed at rest), confirm with a first code (which
//! turns it on and hands out single-use recovery codes), disable. Every code is
//! accepted once: the step it matched is recorded and older or equal steps refused.

use super::tokens::{hash_recovery_code, recovery_code};
use super::{Auth, AuthError, totp};
use crate::domain::User;
use serde::Serialize;

/// Recovery codes handed out when 2FA is turned on.
pub const RECOVERY_CODES: usize = 10;

/// What enrolling shows the user once.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Enrollment {
    /// Base32 secret to type into an authenticator app.
    pub secret: String,
    pub otpauth_uri: String,
}

fn now_unix() -> u64 {
    u64::try_from(time::OffsetDateTime::now_utc().unix_timestamp()).unwrap_or(0)
}

fn aad(user: &User) -> Vec<u8> {
    crate::crypto::aad::totp_secret(user.id)
}

impl Auth {
    /// Starts (or restarts) enrolment; refused while 2FA is on.
    pub async fn totp_enroll(&self, user: &User, ip: Option<&str>) -> Result<Enrollment, AuthError> {
        if user.totp_enabled {
            return Err(AuthError::Conflict("two-factor authentication is already on".into()));
        }
        let secret = totp::new_secret();
        let sealed = self.cipher.seal(&secret, &aad(user)).map_err(|e| AuthError::Internal(format!("seal: {e}")))?;
        self.store.set_pending_totp(user.id, &sealed).await.map_err(|e| match e {
            crate::store::StoreError::Conflict(_) => {
                AuthError::Conflict("two-factor authentication is already on".into())
            }
            e => e.into(),
        })?;
        let (secret, otpauth_uri) = totp::provisioning(&secret, &self.settings.totp_issuer, user.email.as_str())?;
        self.audit(Some(user), "totp_enroll_started", None, ip).await;
        Ok(Enrollment { secret, otpauth_uri })
    }

    /// Turns 2FA on with a code from the app; returns the recovery codes (shown once).
    pub async fn totp_confirm(&self, user: &User, code: &str, ip: Option<&str>) -> Result<Vec<String>, AuthError> {
        self.check_mfa_rate(user).await?;
        let state = self.store.totp_state(user.id).await?;
        if state.enabled {
            return Err(AuthError::Conflict("two-factor authentication is already on".into()));
        }
        let sealed =
            state.secret_sealed.ok_or_else(|| AuthError::Conflict("start with POST /v1/auth/totp/enroll".into()))?;
        let secret = self.cipher.open(&sealed, &aad(user)).map_err(|e| AuthError::Internal(format!("open: {e}")))?;
        let Some(step) = totp::matching_step(&secret, code, now_unix())? else {
            self.audit(Some(user), "mfa_failed", None, ip).await;
            return Err(AuthError::InvalidMfaCode);
        };
        let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| recovery_code()).collect();
        let hashes: Vec<Vec<u8>> = codes.iter().map(|c| hash_recovery_code(c)).collect();
        self.store.enable_totp(user.id, step, &hashes).await.map_err(|e| match e {
            crate::store::StoreError::Conflict(_) => AuthError::Conflict(
                "there is no pending two-factor enrolment; start with POST /v1/auth/totp/enroll".into(),
            ),
            e => e.into(),
        })?;
        self.audit(Some(user), "totp_enabled", None, ip).await;
        Ok(codes)
    }

    /// Turns 2FA off; needs a current code or a recovery code and, for an account with
    /// a password, the password. Every session of the account ends (they were started
    /// with the second factor that is now gone).
    pub async fn totp_disable(
        &self,
        user: &User,
        code: &str,
        password_text: Option<String>,
        ip: Option<&str>,
    ) -> Result<(), AuthError> {
        if !user.totp_enabled {
            return Err(AuthError::Conflict("two-factor authentication is not on".into()));
        }
        self.check_mfa_rate(user).await?;
        let (_, stored) = self.store.user_credentials(user.email.as_str()).await?;
        if stored.is_some() {
            let Some(given) = password_text.filter(|p| !p.is_empty()) else {
                return Err(AuthError::Invalid("the password is needed to turn off two-factor authentication".into()));
            };
            if given.chars().count() > super::password::MAX_CHARS || !super::password::verify(given, stored).await? {
                self.audit(Some(user), "totp_disable_failed", None, ip).await;
                return Err(AuthError::InvalidCredentials);
            }
        }
        if !self.verify_second_factor(user, code).await? {
            self.audit(Some(user), "mfa_failed", None, ip).await;
            return Err(AuthError::InvalidMfaCode);
        }
        self.store.disable_totp(user.id).await?;
        self.revoke_all_sessions(user).await?;
        self.audit(Some(user), "totp_disabled", None, ip).await;
        Ok(())
    }

    /// A six-digit code (each step once) or an unspent recovery code.
    pub(super) async fn verify_second_factor(&self, user: &User, code: &str) -> Result<bool, AuthError> {
        let code = code.trim();
        if code.len() > 64 {
            return Ok(false);
        }
        if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
            let state = self.store.totp_state(user.id).await?;
            let Some(sealed) = state.secret_sealed.filter(|_| state.enabled) else { return Ok(false) };
            let secret =
                self.cipher.open(&sealed, &aad(user)).map_err(|e| AuthError::Internal(format!("open: {e}")))?;
            return match totp::matching_step(&secret, code, now_unix())? {
                Some(step) => Ok(self.store.accept_totp_step(user.id, step).await?),
                None => Ok(false),
            };
        }
        Ok(self.store.use_recovery_code(user.id, &hash_recovery_code(code)).await?)
    }
}
