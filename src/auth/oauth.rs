//! OAuth 2.0 / OpenID Connect sign-in: the authorization code flow with PKCE (S256),
//! a single-use `state` kept in the cache and a `nonce` bound into the ID token.
//! Who the user is comes from the ID token (HS256, signed with the client secret)
//! when the provider has an issuer configured, else from its userinfo endpoint.

use super::oauth_provider::{Identity, verify_id_token};
use super::{Auth, AuthError, TokenPair};
use crate::config::OAuthProviderConfig;
use crate::domain::{Email, NewUser, Role, User};
use crate::store::StoreError;
use base64::Engine as _;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::time::Duration;

/// How long a started sign-in may take to come back.
const STATE_TTL: Duration = Duration::from_secs(600);

/// What `oauth_start` remembers for the callback, under `oauth:state:{state}`.
#[derive(Serialize, Deserialize)]
struct PendingLogin {
    provider: String,
    verifier: String,
    nonce: String,
}

impl Auth {
    /// Starts a sign-in with `provider`: remembers a fresh state, nonce and PKCE
    /// verifier for ten minutes and returns the provider's authorize URL.
    #[tracing::instrument(skip_all, fields(provider = %provider))]
    pub async fn oauth_start(&self, provider: &str) -> Result<String, AuthError> {
        let p = self.oauth_provider(provider)?;
        let mut url = url::Url::parse(&p.authorize_url)
            .map_err(|e| AuthError::Internal(format!("auth.oauth.{provider}.authorize_url: {e}")))?;
        let state = random_b64(32);
        let nonce = random_b64(32);
        let verifier = random_b64(48);
        let pending = PendingLogin { provider: provider.to_owned(), verifier, nonce };
        let value = serde_json::to_vec(&pending).map_err(|e| AuthError::Internal(format!("oauth state: {e}")))?;
        self.cache.cache.set(&state_key(&state), &value, STATE_TTL).await.map_err(cache_unavailable)?;
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", &p.client_id)
            .append_pair("redirect_uri", &p.redirect_uri)
            .append_pair("scope", &p.scopes.join(" "))
            .append_pair("state", &state)
            .append_pair("nonce", &pending.nonce)
            .append_pair("code_challenge", &pkce_challenge(&pending.verifier))
            .append_pair("code_challenge_method", "S256");
        Ok(url.into())
    }

    /// Finishes a sign-in: spends the state, trades the code (with the PKCE
    /// verifier) for tokens, learns who the user is and starts a session for the
    /// linked account, creating one on first sign-in.
    #[tracing::instrument(skip_all, fields(provider = %provider))]
    pub async fn oauth_callback(
        &self,
        provider: &str,
        code: &str,
        state: &str,
        user_agent: Option<&str>,
        ip: Option<&str>,
    ) -> Result<TokenPair, AuthError> {
        let p = self.oauth_provider(provider)?;
        let pending = self.take_state(provider, state).await?;
        if code.is_empty() || code.len() > 2048 {
            return Err(AuthError::OAuth("the callback carries no usable code".into()));
        }
        let tokens = self.exchange_code(provider, p, code, &pending.verifier).await?;
        let access_token = tokens.access_token.unwrap_or_default();
        let identity = if p.issuer.is_empty() {
            if p.userinfo_url.is_empty() {
                return Err(AuthError::Internal(format!("auth.oauth.{provider} needs issuer or userinfo_url")));
            }
            self.userinfo(p, &access_token).await?
        } else {
            let id_token = tokens.id_token.ok_or_else(|| AuthError::OAuth("the provider sent no ID token".into()))?;
            let mut id = verify_id_token(p, &id_token, &pending.nonce)?;
            if id.email.is_none() && !p.userinfo_url.is_empty() {
                let info = self.userinfo(p, &access_token).await?;
                if info.subject != id.subject {
                    return Err(AuthError::OAuth("the userinfo answer is about another user".into()));
                }
                id = Identity { name: id.name.or(info.name), ..info };
            }
            id
        };
        if identity.subject.is_empty() || identity.subject.len() > 255 {
            return Err(AuthError::OAuth("the provider sent no usable subject".into()));
        }
        let user = self.oauth_user(provider, &identity, &access_token, ip).await?;
        if user.totp_enabled {
            self.audit(Some(&user), "oauth_login_awaiting_mfa", Some(provider.to_owned()), ip).await;
            return Err(self.park_for_mfa(&user).await?);
        }
        let pair = self.start_session(&user, user_agent, ip).await?;
        self.audit(Some(&user), "oauth_login", Some(provider.to_owned()), ip).await;
        Ok(pair)
    }

    /// The provider answered the callback with an error (e.g. the user said no):
    /// forgets the state and returns the error to answer with.
    pub async fn oauth_refused(&self, provider: &str, state: Option<&str>, error: &str) -> AuthError {
        if let Err(e) = self.oauth_provider(provider) {
            return e;
        }
        if let Some(state) = state.filter(|s| valid_state(s))
            && let Err(e) = self.cache.cache.delete(&state_key(state)).await
        {
            tracing::warn!(error = %e, "cannot discard an OAuth state");
        }
        let error: String = error.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_').take(64).collect();
        AuthError::OAuth(format!("the provider did not sign you in ({error})"))
    }

    fn oauth_provider(&self, provider: &str) -> Result<&OAuthProviderConfig, AuthError> {
        self.settings.oauth.get(provider).ok_or(AuthError::NotFound("OAuth provider"))
    }

    async fn take_state(&self, provider: &str, state: &str) -> Result<PendingLogin, AuthError> {
        let unknown = || AuthError::OAuth("the state is unknown, expired or already used; start again".into());
        if !valid_state(state) {
            return Err(unknown());
        }
        let raw = self.cache.cache.take(&state_key(state)).await.map_err(cache_unavailable)?.ok_or_else(unknown)?;
        let pending: PendingLogin = serde_json::from_slice(&raw).map_err(|_| unknown())?;
        if pending.provider != provider {
            return Err(AuthError::OAuth("the state belongs to another provider; start again".into()));
        }
        Ok(pending)
    }

    /// The account linked to the identity; on first sign-in a new `user` account,
    /// unless the email belongs to an existing account (never linked silently).
    async fn oauth_user(
        &self,
        provider: &str,
        id: &Identity,
        access_token: &str,
        ip: Option<&str>,
    ) -> Result<User, AuthError> {
        let aad = crate::crypto::aad::oauth_token(provider, &id.subject);
        let sealed = self
            .cipher
            .seal(access_token.as_bytes(), &aad)
            .map_err(|e| AuthError::Internal(format!("sealing the provider's token: {e}")))?;
        if let Some(user) = self.store.user_by_oauth(provider, &id.subject).await? {
            self.store.link_oauth(user.id, provider, &id.subject, Some(&sealed)).await?;
            return Ok(user);
        }
        let raw = id.email.as_deref().ok_or_else(|| AuthError::OAuth("the provider did not share an email".into()))?;
        if id.email_verified == Some(false) {
            return Err(AuthError::OAuth("the provider has not verified this email address".into()));
        }
        let email = Email::parse(raw).map_err(|e| AuthError::OAuth(format!("the provider's email: {e}")))?;
        let taken = || {
            AuthError::Conflict(format!(
                "an account with this email exists; sign in with its password (it is not linked to {provider})"
            ))
        };
        match self.store.user_by_email(email.as_str()).await {
            Ok(_) => return Err(taken()),
            Err(StoreError::NotFound) => {}
            Err(e) => return Err(e.into()),
        }
        let display_name = display_name(id.name.as_deref(), &email);
        let new = NewUser { email, display_name, role: Role::User, password_hash: None };
        let user = match self.store.create_user(&new).await {
            Ok(u) => u,
            Err(StoreError::Conflict(_)) => return Err(taken()),
            Err(e) => return Err(e.into()),
        };
        match self.store.link_oauth(user.id, provider, &id.subject, Some(&sealed)).await {
            Ok(()) => {}
            Err(StoreError::Conflict(_)) => {
                return Err(AuthError::Conflict("this sign-in was just linked to another account; try again".into()));
            }
            Err(e) => return Err(e.into()),
        }
        self.audit(Some(&user), "register", Some(format!("oauth:{provider}")), ip).await;
        Ok(user)
    }
}

fn state_key(state: &str) -> String {
    format!("oauth:state:{state}")
}

/// States this server hands out are base64url; anything else is not one of them.
fn valid_state(state: &str) -> bool {
    (16..=128).contains(&state.len()) && state.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// `bytes` random bytes as base64url without padding (PKCE's unreserved alphabet).
fn random_b64(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

/// The S256 code challenge of a PKCE verifier (RFC 7636 §4.2).
pub fn pkce_challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

fn display_name(name: Option<&str>, email: &Email) -> String {
    let name = name.map(str::trim).filter(|n| !n.is_empty());
    let base = name.unwrap_or_else(|| email.as_str().split('@').next().unwrap_or("user"));
    base.chars().take(200).collect()
}

fn cache_unavailable(e: crate::cache::CacheError) -> AuthError {
    tracing::error!(error = %e, "OAuth state store unavailable");
    AuthError::Unavailable("sign-in is unavailable right now; try again shortly".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_challenge_matches_rfc_7636_appendix_b() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        assert_eq!(pkce_challenge(verifier), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    }

    #[test]
    fn verifiers_and_states_have_the_right_shape() {
        let v = random_b64(48);
        assert!((43..=128).contains(&v.len()), "{}", v.len());
        assert!(valid_state(&random_b64(32)));
        assert!(!valid_state("short"));
        assert!(!valid_state(&"a/b".repeat(10)));
        assert_ne!(random_b64(32), random_b64(32));
    }

    #[test]
    fn display_names_fall_back_to_the_email() {
        let email = Email::parse("ada@example.org").expect("email");
        assert_eq!(display_name(Some("  Ada L. "), &email), "Ada L.");
        assert_eq!(display_name(Some(" "), &email), "ada");
        assert_eq!(display_name(None, &email), "ada");
    }
}
