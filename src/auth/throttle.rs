//! Throttling on the shared cache: login attempts per account and per client
//! address, and API requests per user. If the cache is down, requests pass (and a
//! warning is logged) rather than locking everyone out.

use super::{Auth, AuthError};
use crate::domain::User;
use std::time::Duration;

impl Auth {
    /// Counts a login attempt for `email` from `address`; `Throttled` past either
    /// limit. Counting per account and per address separately means one noisy
    /// address cannot lock an account for everyone else.
    pub(super) async fn check_login_rate(&self, email: &str, address: Option<&str>) -> Result<(), AuthError> {
        let window = Duration::from_secs(self.settings.login_window_secs.max(1));
        let account_key = format!("throttle:login:account:{}", hex_of(email));
        self.count(&account_key, window, self.settings.login_attempts_per_account).await?;
        if let Some(addr) = address {
            let address_key = format!("throttle:login:address:{addr}");
            self.count(&address_key, window, self.settings.login_attempts_per_address).await?;
        }
        Ok(())
    }

    /// Counts one authenticated API request.
    pub async fn check_request_rate(&self, user: &User) -> Result<(), AuthError> {
        let key = format!("throttle:api:{}", user.id);
        self.count(&key, Duration::from_secs(60), self.settings.requests_per_minute).await
    }

    async fn count(&self, key: &str, window: Duration, limit: u64) -> Result<(), AuthError> {
        if limit == 0 {
            return Ok(());
        }
        match self.cache.cache.incr_window(key, window).await {
            Ok(n) if n > limit => Err(AuthError::Throttled { retry_after_secs: window.as_secs().max(1) }),
            Ok(_) => Ok(()),
            Err(e) => {
                tracing::warn!(error = %e, "throttle counter unavailable; letting the request through");
                Ok(())
            }
        }
    }
}

/// Emails are personal data: keys carry a hash, not the address.
fn hex_of(s: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(s.trim().to_lowercase().as_bytes()).iter().take(16).map(|b| format!("{b:02x}")).collect()
}
