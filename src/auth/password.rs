//! Password hashing with Argon2id (m = 19 MiB, t = 2, p = 1), off the async runtime.
//! At most one hash per core runs at a time (the rest wait their turn), so a burst of
//! logins or registrations cannot take all memory and threads.
//! Policy: 12 to 1024 characters, no composition rules.

use super::AuthError;
use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};
use argon2::{Algorithm, Argon2, Params, Version};

pub const MIN_CHARS: usize = 12;
pub const MAX_CHARS: usize = 1024;

/// Hashes allowed to run at once.
static HASHING: std::sync::LazyLock<tokio::sync::Semaphore> = std::sync::LazyLock::new(|| {
    tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, std::num::NonZero::get))
});

async fn turn() -> Result<tokio::sync::SemaphorePermit<'static>, AuthError> {
    HASHING.acquire().await.map_err(|e| AuthError::Internal(format!("hashing queue: {e}")))
}

fn hasher() -> Result<Argon2<'static>, AuthError> {
    let params = Params::new(19_456, 2, 1, None).map_err(|e| AuthError::Internal(format!("argon2 params: {e}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Checks the length policy (counted in characters, so any script works).
pub fn check_policy(password: &str) -> Result<(), AuthError> {
    let n = password.chars().count();
    if n < MIN_CHARS {
        return Err(AuthError::Invalid(format!("the password must have at least {MIN_CHARS} characters")));
    }
    if n > MAX_CHARS {
        return Err(AuthError::Invalid(format!("the password must have at most {MAX_CHARS} characters")));
    }
    Ok(())
}

/// Hashes to a PHC string.
pub async fn hash(password: String) -> Result<String, AuthError> {
    let _turn = turn().await?;
    tokio::task::spawn_blocking(move || {
        let h = hasher()?;
        h.hash_password(password.as_bytes())
            .map(|p| p.to_string())
            .map_err(|e| AuthError::Internal(format!("argon2: {e}")))
    })
    .await
    .map_err(|e| AuthError::Internal(format!("hashing task: {e}")))?
}

/// Verifies against a stored PHC string. With no stored hash, a dummy hash is
/// checked anyway so unknown accounts take as long as known ones.
pub async fn verify(password: String, stored: Option<String>) -> Result<bool, AuthError> {
    let _turn = turn().await?;
    tokio::task::spawn_blocking(move || {
        let h = hasher()?;
        let phc = stored.unwrap_or_else(|| DUMMY.to_owned());
        let parsed = PasswordHash::new(&phc).map_err(|e| AuthError::Internal(format!("stored hash: {e}")))?;
        Ok(h.verify_password(password.as_bytes(), &parsed).is_ok() && phc != DUMMY)
    })
    .await
    .map_err(|e| AuthError::Internal(format!("hashing task: {e}")))?
}

/// A valid Argon2id hash of a random string nobody knows.
const DUMMY: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$J0a6pYbb4qQxqkp3nOqQ0j2zgVS4lgU1pJ3L2HxwQOo";

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_use_argon2id() {
        let h = hash("correct horse battery".into()).await.expect("hash");
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify("correct horse battery".into(), Some(h.clone())).await.expect("verify"));
        assert!(!verify("wrong horse battery".into(), Some(h)).await.expect("verify"));
        assert!(!verify("anything at all".into(), None).await.expect("verify"));
    }

    #[test]
    fn policy_is_length_only() {
        assert!(check_policy("short").is_err());
        assert!(check_policy("alllowercaseletters").is_ok());
        assert!(check_policy(&"ü".repeat(12)).is_ok());
        assert!(check_policy(&"x".repeat(1000)).is_ok());
        assert!(check_policy(&"x".repeat(1025)).is_err());
    }
}
