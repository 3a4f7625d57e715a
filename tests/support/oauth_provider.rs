//! A minimal OAuth 2.0 / OpenID Connect authorization server for tests, on
//! 127.0.0.1:0, speaking the protocol over HTTP: `/authorize` signs in the
//! configured user without a page and redirects back with a code, `/token` checks
//! client authentication (HTTP Basic), the single-use code and PKCE (S256) and
//! issues an HS256 ID token, `/userinfo` answers for a bearer access token.
#![allow(dead_code)]

use axum::{
    Form, Json, Router,
    extract::{Query, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// How the next ID tokens are spoiled, to test that they are refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tamper {
    None,
    Nonce,
    Issuer,
    Audience,
    Signature,
    Expired,
    /// Signed with HS384 instead of the one accepted algorithm, HS256.
    Algorithm,
}

/// Who `/authorize` signs in and how tokens are made; change it between requests.
#[derive(Debug, Clone)]
pub struct ProviderSettings {
    pub client_id: String,
    pub client_secret: String,
    /// Registered redirect URIs, compared exactly.
    pub redirect_uris: Vec<String>,
    pub subject: String,
    pub email: Option<String>,
    pub name: Option<String>,
    pub issue_id_token: bool,
    pub tamper: Tamper,
    /// Answer `/authorize` with `error=access_denied` (the user said no).
    pub deny: bool,
}

/// What a code stands for until it is spent.
struct Grant {
    client_id: String,
    redirect_uri: String,
    code_challenge: String,
    nonce: Option<String>,
    user: Person,
}

#[derive(Clone)]
struct Person {
    subject: String,
    email: Option<String>,
    name: Option<String>,
}

struct Inner {
    issuer: String,
    settings: Mutex<ProviderSettings>,
    codes: Mutex<HashMap<String, Grant>>,
    tokens: Mutex<HashMap<String, Person>>,
    issued: Mutex<Vec<String>>,
}

/// A running provider; it stops when dropped.
pub struct OAuthProvider {
    /// `http://127.0.0.1:PORT`, also the `iss` of its ID tokens.
    pub base: String,
    inner: Arc<Inner>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl OAuthProvider {
    pub async fn start(settings: ProviderSettings) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind provider");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let inner = Arc::new(Inner {
            issuer: base.clone(),
            settings: Mutex::new(settings),
            codes: Mutex::new(HashMap::new()),
            tokens: Mutex::new(HashMap::new()),
            issued: Mutex::new(Vec::new()),
        });
        let app = Router::new()
            .route("/authorize", get(authorize))
            .route("/token", axum::routing::post(token))
            .route("/userinfo", get(userinfo))
            .with_state(inner.clone());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = rx.await;
                })
                .await;
        });
        Self { base, inner, _stop: tx }
    }

    pub fn configure(&self, change: impl FnOnce(&mut ProviderSettings)) {
        change(&mut self.inner.settings.lock().expect("settings"));
    }

    pub fn settings(&self) -> ProviderSettings {
        self.inner.settings.lock().expect("settings").clone()
    }

    /// Every access token handed out, oldest first.
    pub fn issued_access_tokens(&self) -> Vec<String> {
        self.inner.issued.lock().expect("issued").clone()
    }

    /// The client side of this provider for HoloMesh's `auth.oauth` table: with
    /// `oidc` an issuer (ID tokens expected), else only the userinfo endpoint.
    pub fn client_config(&self, redirect_uri: &str, oidc: bool) -> holomesh::config::OAuthProviderConfig {
        let s = self.settings();
        holomesh::config::OAuthProviderConfig {
            client_id: s.client_id,
            client_secret: holomesh::config::Secret::new(s.client_secret),
            authorize_url: format!("{}/authorize", self.base),
            token_url: format!("{}/token", self.base),
            userinfo_url: format!("{}/userinfo", self.base),
            issuer: if oidc { self.base.clone() } else { String::new() },
            redirect_uri: redirect_uri.to_owned(),
            scopes: vec!["openid".into(), "email".into(), "profile".into()],
        }
    }
}

fn oauth_error(status: StatusCode, error: &str) -> Response {
    (status, [(header::CACHE_CONTROL, "no-store")], Json(json!({ "error": error }))).into_response()
}

fn random() -> String {
    let bytes: [u8; 24] = rand::random();
    URL_SAFE_NO_PAD.encode(bytes)
}

fn redirect_with(redirect_uri: &str, params: &[(&str, &str)]) -> Response {
    let mut url = url::Url::parse(redirect_uri).expect("registered redirect URIs are URLs");
    for (k, v) in params {
        url.query_pairs_mut().append_pair(k, v);
    }
    (StatusCode::FOUND, [(header::LOCATION, url.to_string())]).into_response()
}

async fn authorize(State(inner): State<Arc<Inner>>, Query(q): Query<HashMap<String, String>>) -> Response {
    let s = inner.settings.lock().expect("settings").clone();
    let get = |k: &str| q.get(k).map(String::as_str);
    // An unknown client or redirect URI must not be redirected to (RFC 6749 §4.1.2.1).
    if get("client_id") != Some(s.client_id.as_str()) {
        return (StatusCode::BAD_REQUEST, "unknown client_id").into_response();
    }
    let Some(redirect_uri) = get("redirect_uri").filter(|r| s.redirect_uris.iter().any(|u| u.as_str() == *r)) else {
        return (StatusCode::BAD_REQUEST, "redirect_uri is not registered").into_response();
    };
    let state = get("state").unwrap_or_default();
    if get("response_type") != Some("code") {
        return redirect_with(redirect_uri, &[("error", "unsupported_response_type"), ("state", state)]);
    }
    let challenge = get("code_challenge").filter(|c| c.len() == 43);
    let (Some(challenge), Some("S256")) = (challenge, get("code_challenge_method")) else {
        return redirect_with(redirect_uri, &[("error", "invalid_request"), ("state", state)]);
    };
    if s.deny {
        return redirect_with(redirect_uri, &[("error", "access_denied"), ("state", state)]);
    }
    let code = random();
    let grant = Grant {
        client_id: s.client_id.clone(),
        redirect_uri: redirect_uri.to_owned(),
        code_challenge: challenge.to_owned(),
        nonce: get("nonce").map(str::to_owned),
        user: Person { subject: s.subject.clone(), email: s.email.clone(), name: s.name.clone() },
    };
    inner.codes.lock().expect("codes").insert(code.clone(), grant);
    redirect_with(redirect_uri, &[("code", &code), ("state", state)])
}

/// `Authorization: Basic` with form-encoded id and secret (RFC 6749 §2.3.1).
fn client_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.strip_prefix("Basic ")?;
    let decoded = String::from_utf8(STANDARD.decode(value.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    let decode = |s: &str| url::form_urlencoded::parse(format!("x={s}").as_bytes()).next().map(|(_, v)| v.into_owned());
    Some((decode(id)?, decode(secret)?))
}

#[derive(Deserialize)]
struct TokenForm {
    grant_type: Option<String>,
    code: Option<String>,
    redirect_uri: Option<String>,
    code_verifier: Option<String>,
}

async fn token(State(inner): State<Arc<Inner>>, headers: HeaderMap, Form(f): Form<TokenForm>) -> Response {
    let s = inner.settings.lock().expect("settings").clone();
    if client_credentials(&headers) != Some((s.client_id.clone(), s.client_secret.clone())) {
        let mut resp = oauth_error(StatusCode::UNAUTHORIZED, "invalid_client");
        resp.headers_mut().insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Basic"));
        return resp;
    }
    if f.grant_type.as_deref() != Some("authorization_code") {
        return oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type");
    }
    // Spent on first presentation, whether or not the rest checks out.
    let grant = f.code.as_deref().and_then(|c| inner.codes.lock().expect("codes").remove(c));
    let Some(grant) = grant else { return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant") };
    if grant.client_id != s.client_id || f.redirect_uri.as_deref() != Some(grant.redirect_uri.as_str()) {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant");
    }
    let verifier = f.code_verifier.unwrap_or_default();
    let well_formed = (43..=128).contains(&verifier.len())
        && verifier.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
    if !well_formed || URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) != grant.code_challenge {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant");
    }
    let access_token = format!("at_{}", random());
    inner.tokens.lock().expect("tokens").insert(access_token.clone(), grant.user.clone());
    inner.issued.lock().expect("issued").push(access_token.clone());
    let mut body = json!({ "access_token": access_token, "token_type": "Bearer", "expires_in": 3600 });
    if s.issue_id_token {
        body["id_token"] = Value::String(id_token(&inner.issuer, &s, &grant));
    }
    (StatusCode::OK, [(header::CACHE_CONTROL, "no-store")], Json(body)).into_response()
}

fn id_token(issuer: &str, s: &ProviderSettings, grant: &Grant) -> String {
    use jsonwebtoken::{Algorithm, EncodingKey, Header};
    let now = jsonwebtoken::get_current_timestamp();
    let t = s.tamper;
    let mut claims = json!({
        "iss": if t == Tamper::Issuer { "https://evil.example" } else { issuer },
        "aud": if t == Tamper::Audience { "someone-else" } else { s.client_id.as_str() },
        "sub": grant.user.subject,
        "email": grant.user.email,
        "email_verified": true,
        "name": grant.user.name,
        "iat": now,
        "exp": if t == Tamper::Expired { now - 3600 } else { now + 300 },
    });
    if let Some(nonce) = &grant.nonce {
        claims["nonce"] = Value::String(if t == Tamper::Nonce { format!("{nonce}x") } else { nonce.clone() });
    }
    let alg = if t == Tamper::Algorithm { Algorithm::HS384 } else { Algorithm::HS256 };
    let secret = if t == Tamper::Signature { "not-the-client-secret" } else { s.client_secret.as_str() };
    let key = EncodingKey::from_secret(secret.as_bytes()).expect("key");
    jsonwebtoken::encode(&Header::new(alg), &claims, &key).expect("sign")
}

async fn userinfo(State(inner): State<Arc<Inner>>, headers: HeaderMap) -> Response {
    let token =
        headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    let person = token.and_then(|t| inner.tokens.lock().expect("tokens").get(t).cloned());
    let Some(p) = person else {
        let mut resp = oauth_error(StatusCode::UNAUTHORIZED, "invalid_token");
        resp.headers_mut().insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer"));
        return resp;
    };
    Json(json!({ "sub": p.subject, "email": p.email, "email_verified": true, "name": p.name })).into_response()
}
