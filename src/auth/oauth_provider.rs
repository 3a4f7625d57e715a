//! Talking to an OAuth 2.0 / OpenID Connect provider: the code exchange, the
//! userinfo endpoint and the checks of an ID token.

use super::{Auth, AuthError};
use crate::config::OAuthProviderConfig;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;

/// Largest answer read from a provider.
const MAX_BODY: usize = 64 * 1024;

/// What the provider says about the user.
#[derive(Debug, Default)]
pub(super) struct Identity {
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: Option<bool>,
    pub name: Option<String>,
}

/// The token endpoint's answer (RFC 6749 §5.1, OIDC Core §3.1.3.3).
#[derive(Deserialize)]
pub(super) struct TokenResponse {
    pub access_token: Option<String>,
    pub token_type: Option<String>,
    pub id_token: Option<String>,
}

/// The token endpoint's error answer (RFC 6749 §5.2).
#[derive(Deserialize)]
struct TokenErrorResponse {
    error: String,
}

/// The claims of an ID token and of a userinfo answer that are read here; `iss`,
/// `aud` and `exp` are checked by the JWT validation.
#[derive(Deserialize)]
struct Claims {
    sub: String,
    email: Option<String>,
    email_verified: Option<serde_json::Value>,
    name: Option<String>,
    nonce: Option<String>,
    azp: Option<String>,
}

impl Claims {
    fn identity(self) -> Identity {
        let email_verified = match self.email_verified {
            Some(serde_json::Value::Bool(b)) => Some(b),
            Some(serde_json::Value::String(s)) => Some(s.eq_ignore_ascii_case("true")),
            _ => None,
        };
        Identity { subject: self.sub, email: self.email, email_verified, name: self.name }
    }
}

impl Auth {
    /// The token request (RFC 6749 §4.1.3 with RFC 7636 §4.5), client authenticated
    /// with HTTP Basic (§2.3.1).
    pub(super) async fn exchange_code(
        &self,
        provider: &str,
        p: &OAuthProviderConfig,
        code: &str,
        verifier: &str,
    ) -> Result<TokenResponse, AuthError> {
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", p.redirect_uri.as_str()),
            ("code_verifier", verifier),
        ];
        let resp = self
            .http
            .post(&p.token_url)
            .basic_auth(form_encode(&p.client_id), Some(form_encode(p.client_secret.expose())))
            .header(reqwest::header::ACCEPT, "application/json")
            .form(&form)
            .send()
            .await
            .map_err(unreachable)?;
        let status = resp.status();
        let body = read_body(resp).await?;
        if status.is_server_error() {
            tracing::warn!(provider, %status, "OAuth token endpoint failed");
            return Err(AuthError::Unavailable("the sign-in provider is failing; try again later".into()));
        }
        if !status.is_success() {
            let error = serde_json::from_slice::<TokenErrorResponse>(&body).map(|e| e.error).unwrap_or_default();
            let error: String = error.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_').take(64).collect();
            tracing::info!(provider, %status, error, "OAuth code exchange refused");
            return Err(AuthError::OAuth(format!("the provider refused the code ({error})")));
        }
        let tokens: TokenResponse = serde_json::from_slice(&body)
            .map_err(|_| AuthError::OAuth("the token endpoint's answer is not valid JSON".into()))?;
        let bearer = tokens.token_type.as_deref().is_some_and(|t| t.eq_ignore_ascii_case("bearer"));
        if !bearer || tokens.access_token.as_deref().is_none_or(str::is_empty) {
            return Err(AuthError::OAuth("the provider sent no bearer access token".into()));
        }
        Ok(tokens)
    }

    pub(super) async fn userinfo(&self, p: &OAuthProviderConfig, access_token: &str) -> Result<Identity, AuthError> {
        let resp = self
            .http
            .get(&p.userinfo_url)
            .bearer_auth(access_token)
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(unreachable)?;
        let status = resp.status();
        let body = read_body(resp).await?;
        if !status.is_success() {
            return Err(AuthError::OAuth(format!("the userinfo endpoint answered {}", status.as_u16())));
        }
        let claims: Claims =
            serde_json::from_slice(&body).map_err(|_| AuthError::OAuth("the userinfo answer has no subject".into()))?;
        Ok(claims.identity())
    }
}

/// Checks an ID token (OIDC Core §3.1.3.7): HS256 only, keyed by the client secret
/// (§10.1); `iss`, `aud` (and `azp`), `exp` and the sign-in's `nonce`.
pub(super) fn verify_id_token(p: &OAuthProviderConfig, token: &str, nonce: &str) -> Result<Identity, AuthError> {
    let bad = |why: &str| AuthError::OAuth(format!("the ID token is not valid: {why}"));
    let key = DecodingKey::from_secret(p.client_secret.expose().as_bytes())
        .map_err(|e| AuthError::Internal(format!("client secret as a key: {e}")))?;
    let mut v = Validation::new(Algorithm::HS256);
    v.set_issuer(&[&p.issuer]);
    v.set_audience(&[&p.client_id]);
    v.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    v.leeway = 60;
    let data = jsonwebtoken::decode::<Claims>(token, &key, &v).map_err(|e| {
        use jsonwebtoken::errors::ErrorKind;
        match e.kind() {
            ErrorKind::ExpiredSignature => bad("expired"),
            ErrorKind::InvalidSignature => bad("bad signature"),
            ErrorKind::InvalidAlgorithm => bad("unexpected algorithm"),
            ErrorKind::InvalidAudience => bad("wrong audience"),
            ErrorKind::InvalidIssuer => bad("wrong issuer"),
            ErrorKind::MissingRequiredClaim(_) => bad("a required claim is missing"),
            _ => bad("malformed"),
        }
    })?;
    let claims = data.claims;
    if claims.nonce.as_deref() != Some(nonce) {
        return Err(bad("the nonce does not match this sign-in"));
    }
    if claims.azp.as_deref().is_some_and(|azp| azp != p.client_id) {
        return Err(bad("it was issued to another client"));
    }
    Ok(claims.identity())
}

/// Client credentials are form-encoded before HTTP Basic (RFC 6749 §2.3.1).
fn form_encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

async fn read_body(resp: reqwest::Response) -> Result<Vec<u8>, AuthError> {
    if resp.content_length().is_some_and(|n| n > MAX_BODY as u64) {
        return Err(AuthError::OAuth("the provider's answer is too large".into()));
    }
    let body = resp.bytes().await.map_err(unreachable)?;
    if body.len() > MAX_BODY {
        return Err(AuthError::OAuth("the provider's answer is too large".into()));
    }
    Ok(body.to_vec())
}

fn unreachable(e: reqwest::Error) -> AuthError {
    tracing::warn!(error = %e.without_url(), "OAuth provider unreachable");
    AuthError::Unavailable("the sign-in provider cannot be reached; try again later".into())
}
