//! Registration and password login (with the second factor when it is on).

use super::{Auth, AuthError, TokenPair, password};
use crate::domain::{Email, Handle, NewUser, Role, User};
use crate::store::StoreError;

/// What `POST /v1/auth/register` carries.
#[derive(Debug, Clone)]
pub struct Registration {
    pub email: String,
    pub password: String,
    pub display_name: String,
    pub role: Role,
}

impl Auth {
    /// Creates an account. Designers get a unique handle derived from their name.
    pub async fn register(&self, r: Registration, ip: Option<&str>) -> Result<User, AuthError> {
        if r.role == Role::Admin {
            return Err(AuthError::Invalid("role must be user or designer".into()));
        }
        let email = Email::parse(&r.email).map_err(|e| AuthError::Invalid(format!("email: {e}")))?;
        let display_name = r.display_name.trim();
        if display_name.is_empty() || display_name.chars().count() > 200 {
            return Err(AuthError::Invalid("display_name must be 1 to 200 characters".into()));
        }
        password::check_policy(&r.password)?;
        self.check_registration_rate(ip).await?;
        let hash = password::hash(r.password).await?;
        let new = NewUser { email, display_name: display_name.to_owned(), role: r.role, password_hash: Some(hash) };
        let user = match self.store.create_user(&new).await {
            Ok(u) => u,
            Err(StoreError::Conflict(_)) => {
                return Err(AuthError::Conflict("an account with this email exists; sign in instead".into()));
            }
            Err(e) => return Err(e.into()),
        };
        if user.role == Role::Designer {
            self.give_handle(&user).await?;
        }
        self.audit(Some(&user), "register", None, ip).await;
        Ok(user)
    }

    async fn give_handle(&self, user: &User) -> Result<(), AuthError> {
        let base = Handle::from_display_name(&user.display_name);
        for n in 1..=50u32 {
            let candidate = if n == 1 { base.as_str().to_owned() } else { format!("{}-{n}", base.as_str()) };
            let Ok(handle) = Handle::parse(&candidate) else { continue };
            match self.store.upsert_designer_profile(user.id, &handle, "", &[]).await {
                Ok(_) => return Ok(()),
                Err(StoreError::Conflict(_)) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        let fallback = Handle::parse(&format!("d-{}", user.id.simple())[..30])
            .map_err(|e| AuthError::Internal(format!("handle: {e}")))?;
        self.store.upsert_designer_profile(user.id, &fallback, "", &[]).await?;
        Ok(())
    }

    /// Checks email and password (and the TOTP or recovery code when 2FA is on) and
    /// starts a session. Attempts are throttled per account and per address.
    pub async fn login(
        &self,
        email: &str,
        password_text: String,
        totp_code: Option<&str>,
        ip: Option<&str>,
        user_agent: Option<&str>,
    ) -> Result<TokenPair, AuthError> {
        let email = email.trim().to_lowercase();
        if email.is_empty() || email.len() > 320 || password_text.chars().count() > password::MAX_CHARS {
            return Err(AuthError::InvalidCredentials);
        }
        self.check_login_rate(&email, ip).await?;
        let (user, stored) = match self.store.user_credentials(&email).await {
            Ok((u, h)) => (Some(u), h),
            Err(StoreError::NotFound) => (None, None),
            Err(e) => return Err(e.into()),
        };
        let ok = password::verify(password_text, stored).await?;
        let user = match (ok, user) {
            (true, Some(u)) => u,
            (_, u) => {
                self.audit(u.as_ref(), "login_failed", Some(email_hint(&email)), ip).await;
                return Err(AuthError::InvalidCredentials);
            }
        };
        if user.totp_enabled {
            let Some(code) = totp_code.filter(|c| !c.trim().is_empty()) else {
                return Err(AuthError::MfaRequired);
            };
            if !self.verify_second_factor(&user, code).await? {
                self.audit(Some(&user), "mfa_failed", None, ip).await;
                return Err(AuthError::InvalidMfaCode);
            }
        }
        let pair = self.start_session(&user, user_agent, ip).await?;
        self.audit(Some(&user), "login", None, ip).await;
        Ok(pair)
    }
}

/// Enough of an address to read an audit log by, not the whole of it.
fn email_hint(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => format!("{}…@{domain}", local.chars().take(2).collect::<String>()),
        None => "…".into(),
    }
}
