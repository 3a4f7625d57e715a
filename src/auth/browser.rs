//! Browser sessions for the web app: a signed cookie naming one of the API's
//! sessions (a refresh-token family), and CSRF tokens for every form.
//!
//! The cookie carries `v1.<session id>.<user id>.<expiry>.<mac>`; it is valid while
//! the MAC checks, the expiry is ahead and the session is not revoked, so signing
//! out anywhere (the sessions list, `DELETE /v1/me/sessions/{id}`, the web app's
//! sign-out) ends it. A CSRF token is an HMAC of what the form is bound to: the
//! session when signed in, else a random pre-session cookie (the signed
//! double-submit pattern). The MAC key is derived from the active JWT key, so
//! rotating that key signs browsers out.

use super::{Auth, AuthError, TokenPair};
use crate::domain::{Id, User};
use base64::Engine as _;
use ring::hmac;

/// Cookie that holds the browser session (the `__Host-` prefix needs `Secure`).
pub const SESSION_COOKIE: &str = "hm_session";
pub const SESSION_COOKIE_SECURE: &str = "__Host-hm_session";
/// Cookie that binds CSRF tokens before sign-in.
pub const PRE_SESSION_COOKIE: &str = "hm_pre";
pub const PRE_SESSION_COOKIE_SECURE: &str = "__Host-hm_pre";
/// Longest browser session, whatever the refresh-token lifetime.
const MAX_BROWSER_SECS: u64 = 7 * 24 * 3600;

/// Derives the browser MAC key from the active JWT signing key.
pub(super) fn derive_key(jwt_key: &[u8]) -> hmac::Key {
    let root = hmac::Key::new(hmac::HMAC_SHA256, jwt_key);
    let derived = hmac::sign(&root, b"holomesh browser sessions and csrf v1");
    hmac::Key::new(hmac::HMAC_SHA256, derived.as_ref())
}

/// A signed-in browser: the user and the session the cookie names.
#[derive(Debug, Clone)]
pub struct BrowserSession {
    pub user: User,
    pub session_id: Id,
}

/// What signing in hands to the browser.
#[derive(Debug, Clone)]
pub struct BrowserLogin {
    /// The cookie's value.
    pub cookie: String,
    /// Seconds the cookie lives (its `Max-Age`).
    pub max_age: u64,
    pub session_id: Id,
}

/// How the browser cookies are set: `Secure` and `__Host-` names when the public
/// URL is https.
#[derive(Debug, Clone, Copy)]
pub struct CookiePolicy {
    pub secure: bool,
}

impl CookiePolicy {
    pub fn session_name(self) -> &'static str {
        if self.secure { SESSION_COOKIE_SECURE } else { SESSION_COOKIE }
    }

    pub fn pre_session_name(self) -> &'static str {
        if self.secure { PRE_SESSION_COOKIE_SECURE } else { PRE_SESSION_COOKIE }
    }

    /// A `Set-Cookie` value: HttpOnly, SameSite=Lax, Path=/, Secure when https.
    pub fn set(self, name: &str, value: &str, max_age: Option<u64>) -> String {
        let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
        if let Some(age) = max_age {
            c.push_str(&format!("; Max-Age={age}"));
        }
        if self.secure {
            c.push_str("; Secure");
        }
        c
    }

    /// A `Set-Cookie` value that removes the cookie.
    pub fn clear(self, name: &str) -> String {
        self.set(name, "", Some(0))
    }
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn now_unix() -> u64 {
    u64::try_from(time::OffsetDateTime::now_utc().unix_timestamp()).unwrap_or(0)
}

impl Auth {
    /// Cookie settings for this deployment.
    pub fn cookie_policy(&self) -> CookiePolicy {
        CookiePolicy { secure: self.browser.secure }
    }

    /// Turns a freshly started API session (a login's token pair) into a browser
    /// cookie for the same session. The refresh token is not kept: the browser
    /// never refreshes, the cookie names the session.
    pub fn browser_login(&self, pair: &TokenPair) -> Result<BrowserLogin, AuthError> {
        let claims = self.keys.verify(&pair.access_token)?;
        let max_age = self.settings.refresh_ttl_secs.clamp(60, MAX_BROWSER_SECS);
        let expires = now_unix() + max_age;
        let body = format!("v1.{}.{}.{expires}", claims.sid.simple(), claims.sub.simple());
        let mac = hmac::sign(&self.browser.key, format!("session|{body}").as_bytes());
        Ok(BrowserLogin { cookie: format!("{body}.{}", b64(mac.as_ref())), max_age, session_id: claims.sid })
    }

    /// The signed-in user behind a session cookie, if it is genuine, current and its
    /// session is not revoked.
    pub async fn browser_session(&self, cookie: &str) -> Result<BrowserSession, AuthError> {
        let bad = || AuthError::Unauthenticated("the browser session is not valid; sign in again".into());
        if cookie.len() > 300 {
            return Err(bad());
        }
        let (body, mac) = cookie.rsplit_once('.').ok_or_else(bad)?;
        let mac = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(mac).map_err(|_| bad())?;
        hmac::verify(&self.browser.key, format!("session|{body}").as_bytes(), &mac).map_err(|_| bad())?;
        let mut parts = body.split('.');
        let (Some("v1"), Some(sid), Some(uid), Some(exp), None) =
            (parts.next(), parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        let exp: u64 = exp.parse().map_err(|_| bad())?;
        if exp <= now_unix() {
            return Err(bad());
        }
        let sid: Id = sid.parse().map_err(|_| bad())?;
        let uid: Id = uid.parse().map_err(|_| bad())?;
        if !self.store.session_active(uid, sid).await? {
            return Err(AuthError::Unauthenticated("the session was signed out".into()));
        }
        let user = self.user_by_id(uid).await.map_err(|_| bad())?;
        Ok(BrowserSession { user, session_id: sid })
    }

    /// Signs the browser's session out (the same as revoking it from the list).
    pub async fn browser_logout(&self, session: &BrowserSession, ip: Option<&str>) -> Result<(), AuthError> {
        match self.revoke_session(&session.user, session.session_id, ip).await {
            Ok(()) | Err(AuthError::NotFound(_)) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// A fresh random value for the pre-session cookie.
    pub fn new_pre_session(&self) -> String {
        super::tokens::random_token("p_")
    }

    /// The CSRF token of forms bound to `binding` (see [`csrf_binding`]).
    pub fn csrf_token(&self, binding: &str) -> String {
        b64(hmac::sign(&self.browser.key, format!("csrf|{binding}").as_bytes()).as_ref())
    }

    /// Whether `token` is the CSRF token of `binding` (constant time).
    pub fn csrf_valid(&self, binding: &str, token: &str) -> bool {
        let Ok(mac) = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(token.trim()) else {
            return false;
        };
        !binding.is_empty() && hmac::verify(&self.browser.key, format!("csrf|{binding}").as_bytes(), &mac).is_ok()
    }
}

/// What a CSRF token is bound to: the session when there is one, else the
/// pre-session cookie. `None` when there is neither (no token can be valid).
pub fn csrf_binding(session: Option<&BrowserSession>, pre_session: Option<&str>) -> Option<String> {
    match (session, pre_session) {
        (Some(s), _) => Some(format!("s:{}", s.session_id.simple())),
        (None, Some(p)) if p.len() >= 16 && p.len() <= 100 => Some(format!("p:{p}")),
        _ => None,
    }
}

/// The value of cookie `name` among `Cookie` header values.
pub fn cookie_value<'a>(headers: impl IntoIterator<Item = &'a str>, name: &str) -> Option<&'a str> {
    headers
        .into_iter()
        .flat_map(|h| h.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
}

/// The browser settings [`Auth`] keeps.
pub(super) struct BrowserKeys {
    pub(super) key: hmac::Key,
    pub(super) secure: bool,
}

impl BrowserKeys {
    pub(super) fn new(jwt_key: &[u8], public_url: &str) -> Self {
        Self { key: derive_key(jwt_key), secure: public_url.trim().to_ascii_lowercase().starts_with("https://") }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csrf_bindings_differ_by_session_and_pre_session() {
        assert_eq!(csrf_binding(None, None), None);
        assert_eq!(csrf_binding(None, Some("short")), None);
        let p = csrf_binding(None, Some("p_0123456789abcdefghij")).expect("binding");
        assert!(p.starts_with("p:"));
    }

    #[test]
    fn cookie_values_are_found_among_headers() {
        let headers = ["a=1; hm_session=xyz", "hm_pre=p"];
        assert_eq!(cookie_value(headers, "hm_session"), Some("xyz"));
        assert_eq!(cookie_value(headers, "hm_pre"), Some("p"));
        assert_eq!(cookie_value(headers, "b"), None);
    }

    #[test]
    fn cookies_are_http_only_and_lax_and_secure_on_https() {
        let plain = CookiePolicy { secure: false };
        let c = plain.set(plain.session_name(), "v", Some(60));
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax") && !c.contains("Secure"));
        let https = CookiePolicy { secure: true };
        let c = https.set(https.session_name(), "v", None);
        assert!(c.starts_with("__Host-hm_session=v") && c.contains("; Secure"));
        assert!(BrowserKeys::new(&[7; 32], "https://market.example").secure);
        assert!(!BrowserKeys::new(&[7; 32], "").secure);
    }
}
