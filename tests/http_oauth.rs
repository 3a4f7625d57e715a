//! OAuth 2.0 / OpenID Connect sign-in through the real router on a bound port,
//! against a real local authorization server (`support::oauth_provider`), on
//! SQLite + memory cache and PostgreSQL + Redis.

mod support;

use holomesh::api::{AppState, serve_on};
use holomesh::cache::CacheBus;
use holomesh::config::Config;
use holomesh::store::Store;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::HashMap;
use support::http::{PASSWORD, expect_problem};
use support::oauth_provider::{OAuthProvider, ProviderSettings, Tamper};

const CLIENT_ID: &str = "holomesh-test";
/// `+`, `/`, `=` and spaces: only right if both sides form-encode for HTTP Basic.
const CLIENT_SECRET: &str = "s3cret+with/odd=chars and spaces, long enough";

/// Where the test database lives, to read what the store wrote.
enum Db {
    Sqlite(String),
    Postgres(String),
}

impl Db {
    async fn sealed_token(&self, provider: &str, subject: &str) -> Option<Vec<u8>> {
        let sql = "SELECT access_token_enc FROM oauth_identities WHERE provider = $1 AND subject = $2";
        match self {
            Db::Sqlite(url) => {
                let pool = sqlx::SqlitePool::connect(url).await.expect("open sqlite");
                let v: Option<Vec<u8>> =
                    sqlx::query_scalar(sql).bind(provider).bind(subject).fetch_one(&pool).await.expect("row");
                pool.close().await;
                v
            }
            Db::Postgres(url) => {
                let pool = sqlx::PgPool::connect(url).await.expect("open postgres");
                let v: Option<Vec<u8>> =
                    sqlx::query_scalar(sql).bind(provider).bind(subject).fetch_one(&pool).await.expect("row");
                pool.close().await;
                v
            }
        }
    }
}

/// Runs each `async fn name(store, cache, db)` on SQLite + memory and PostgreSQL + Redis.
macro_rules! oauth_matrix {
    ($($name:ident),* $(,)?) => {
        mod sqlite_memory {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let (store, dir) = crate::support::sqlite_store().await;
                    let db = super::Db::Sqlite(format!("sqlite://{}/test.db", dir.path().display()));
                    super::$name(store, crate::support::memory_cache(), db).await;
                }
            )*
        }
        mod postgres_redis {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let Some(pg) = crate::support::pg_store().await else { return };
                    let Some(cache) = crate::support::redis_cache().await else { return };
                    super::$name(pg.store.clone(), cache, super::Db::Postgres(pg.url.clone())).await;
                    pg.cleanup().await;
                }
            )*
        }
    };
}

oauth_matrix!(
    sign_in_creates_links_and_reuses_the_account,
    states_are_single_use_and_cannot_be_forged,
    pkce_binds_the_code_to_the_sign_in_that_started_it,
    id_tokens_are_verified,
    an_existing_password_account_is_not_taken_over,
    unknown_providers_and_refusals,
    two_factor_accounts_finish_with_a_code,
);

struct Harness {
    base: String,
    store: Store,
    state: AppState,
    idp: OAuthProvider,
    http: reqwest::Client,
    db: Db,
    _dir: tempfile::TempDir,
    _stop: tokio::sync::oneshot::Sender<()>,
}

/// HoloMesh with two providers on one local authorization server: `idp` (OpenID
/// Connect: ID tokens expected) and `plain` (OAuth 2.0 with the userinfo endpoint).
async fn start(store: Store, cache: CacheBus, db: Db) -> Harness {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let redirect = |name: &str| format!("{base}/v1/auth/oauth/{name}/callback");
    let idp = OAuthProvider::start(ProviderSettings {
        client_id: CLIENT_ID.into(),
        client_secret: CLIENT_SECRET.into(),
        redirect_uris: vec![redirect("idp"), redirect("plain")],
        subject: "idp-user-1".into(),
        email: Some("ada@example.org".into()),
        name: Some("Ada Lovelace".into()),
        issue_id_token: true,
        tamper: Tamper::None,
        deny: false,
    })
    .await;
    let dir = tempfile::tempdir().expect("dir");
    let mut config = Config::load(None, Some(dir.path().to_path_buf())).expect("config");
    config.auth.oauth.insert("idp".into(), idp.client_config(&redirect("idp"), true));
    config.auth.oauth.insert("plain".into(), idp.client_config(&redirect("plain"), false));
    let state = holomesh::app::App::assemble(config, store.clone(), cache, holomesh::app::Speech::Off)
        .await
        .expect("app")
        .http_state();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(serve_on(listener, state.clone(), async move {
        let _ = rx.await;
    }));
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    Harness { base, store, state, idp, http, db, _dir: dir, _stop: tx }
}

impl Harness {
    async fn get(&self, url: &str) -> reqwest::Response {
        self.http.get(url).send().await.expect("send")
    }

    /// `start`: the provider's authorize URL from the redirect.
    async fn begin(&self, provider: &str) -> url::Url {
        let r = self.get(&format!("{}/v1/auth/oauth/{provider}/start", self.base)).await;
        assert_eq!(r.status(), StatusCode::FOUND);
        url::Url::parse(location(&r)).expect("authorize URL")
    }

    /// The browser at the provider: the callback URL it is sent back to.
    async fn at_provider(&self, authorize: &url::Url) -> url::Url {
        let r = self.get(authorize.as_str()).await;
        assert_eq!(r.status(), StatusCode::FOUND, "the provider redirects back");
        url::Url::parse(location(&r)).expect("callback URL")
    }

    async fn sign_in(&self, provider: &str) -> reqwest::Response {
        let callback = self.at_provider(&self.begin(provider).await).await;
        self.get(callback.as_str()).await
    }

    async fn me(&self, access_token: &str) -> Value {
        let r = self.http.get(format!("{}/v1/me", self.base)).bearer_auth(access_token).send().await.expect("send");
        assert_eq!(r.status(), StatusCode::OK);
        r.json().await.expect("me")
    }

    /// A direct token request to the provider, with HTTP Basic client authentication.
    async fn token_request(&self, form: &[(&str, &str)]) -> reqwest::Response {
        let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
        self.http
            .post(format!("{}/token", self.idp.base))
            .basic_auth(enc(CLIENT_ID), Some(enc(CLIENT_SECRET)))
            .form(form)
            .send()
            .await
            .expect("send")
    }
}

fn location(r: &reqwest::Response) -> &str {
    r.headers().get("location").expect("Location").to_str().expect("ASCII")
}

fn params(url: &url::Url) -> HashMap<String, String> {
    url.query_pairs().into_owned().collect()
}

/// `url` with the query parameter `key` set to `value` (or removed for `None`).
fn with_param(url: &url::Url, key: &str, value: Option<&str>) -> url::Url {
    let mut out = url.clone();
    let kept: Vec<(String, String)> = url.query_pairs().into_owned().filter(|(k, _)| k != key).collect();
    let mut q = out.query_pairs_mut();
    q.clear().extend_pairs(kept);
    if let Some(v) = value {
        q.append_pair(key, v);
    }
    drop(q);
    out
}

async fn tokens(r: reqwest::Response) -> Value {
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let body: Value = r.json().await.expect("token pair");
    assert_eq!(body["token_type"], "Bearer");
    assert!(body["expires_in"].as_u64().expect("expires_in") > 0);
    assert!(body["refresh_token"].as_str().is_some_and(|t| !t.is_empty()));
    body
}

fn access(pair: &Value) -> &str {
    pair["access_token"].as_str().expect("access_token")
}

async fn sign_in_creates_links_and_reuses_the_account(store: Store, cache: CacheBus, db: Db) {
    let h = start(store, cache, db).await;
    let authorize = h.begin("idp").await;
    assert!(authorize.as_str().starts_with(&format!("{}/authorize?", h.idp.base)));
    let q = params(&authorize);
    assert_eq!(q["response_type"], "code");
    assert_eq!(q["client_id"], CLIENT_ID);
    assert_eq!(q["redirect_uri"], format!("{}/v1/auth/oauth/idp/callback", h.base));
    assert_eq!(q["scope"], "openid email profile");
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(q["code_challenge"].len(), 43, "base64url of SHA-256, unpadded");
    assert!(q["state"].len() >= 43 && q["nonce"].len() >= 43);
    assert_ne!(q["state"], h.begin("idp").await.query_pairs().find(|(k, _)| k == "state").expect("state").1);

    let callback = h.at_provider(&authorize).await;
    assert_eq!(callback.path(), "/v1/auth/oauth/idp/callback");
    assert_eq!(params(&callback)["state"], q["state"]);
    let first = tokens(h.get(callback.as_str()).await).await;
    let me = h.me(access(&first)).await;
    assert_eq!(me["email"], "ada@example.org");
    assert_eq!(me["display_name"], "Ada Lovelace");
    assert_eq!(me["role"], "user");
    let linked = h.store.user_by_oauth("idp", "idp-user-1").await.expect("lookup").expect("linked");
    assert_eq!(json!(linked.id.to_string()), me["id"]);

    // The provider's access token is stored sealed, and opens to what it issued.
    let cipher = holomesh::app::keys::load(&h.state.config).expect("keys").field;
    let check_sealed = |sealed: Vec<u8>, plain: String| {
        assert_ne!(sealed, plain.as_bytes());
        assert!(!sealed.windows(plain.len()).any(|w| w == plain.as_bytes()), "the token is not stored in clear");
        let opened = cipher.open(&sealed, b"oauth:idp:idp-user-1").expect("opens with its context");
        assert_eq!(&opened[..], plain.as_bytes());
    };
    let sealed = h.db.sealed_token("idp", "idp-user-1").await.expect("a sealed token");
    check_sealed(sealed, h.idp.issued_access_tokens().last().expect("issued").clone());

    // Signing in again reaches the same account, with a new session.
    let second = tokens(h.sign_in("idp").await).await;
    assert_ne!(second["refresh_token"], first["refresh_token"]);
    assert_eq!(h.me(access(&second)).await["id"], me["id"]);
    let sealed = h.db.sealed_token("idp", "idp-user-1").await.expect("a sealed token");
    check_sealed(sealed, h.idp.issued_access_tokens().last().expect("issued").clone());

    // Plain OAuth 2.0: no ID token; the userinfo endpoint says who it is.
    h.idp.configure(|s| {
        s.subject = "plain-user-7".into();
        s.email = Some("Grace@Example.org".into());
        s.name = None;
        s.issue_id_token = false;
    });
    let third = tokens(h.sign_in("plain").await).await;
    let grace = h.me(access(&third)).await;
    assert_eq!(grace["email"], "grace@example.org");
    assert_eq!(grace["display_name"], "grace", "the email's local part");
    assert_ne!(grace["id"], me["id"]);
    assert!(h.store.user_by_oauth("plain", "plain-user-7").await.expect("lookup").is_some());
    assert!(h.store.user_by_oauth("idp", "plain-user-7").await.expect("lookup").is_none());
}

async fn states_are_single_use_and_cannot_be_forged(store: Store, cache: CacheBus, db: Db) {
    let h = start(store, cache, db).await;
    let callback = h.at_provider(&h.begin("idp").await).await;
    tokens(h.get(callback.as_str()).await).await;
    let replay = expect_problem(h.get(callback.as_str()).await, StatusCode::BAD_REQUEST, "oauth_failed").await;
    assert!(replay["detail"].as_str().expect("detail").contains("state"), "{replay}");

    // A forged or missing state is refused before the code is spent: the genuine
    // callback still works afterwards.
    let callback = h.at_provider(&h.begin("idp").await).await;
    let forged = with_param(&callback, "state", Some(&"A".repeat(43)));
    expect_problem(h.get(forged.as_str()).await, StatusCode::BAD_REQUEST, "oauth_failed").await;
    let junk = with_param(&callback, "state", Some("../../etc/passwd"));
    expect_problem(h.get(junk.as_str()).await, StatusCode::BAD_REQUEST, "oauth_failed").await;
    let missing = with_param(&callback, "state", None);
    expect_problem(h.get(missing.as_str()).await, StatusCode::BAD_REQUEST, "oauth_failed").await;
    tokens(h.get(callback.as_str()).await).await;

    // A state started for one provider does not finish at another, and is spent.
    let callback = h.at_provider(&h.begin("idp").await).await;
    let mut elsewhere = callback.clone();
    elsewhere.set_path("/v1/auth/oauth/plain/callback");
    let p = expect_problem(h.get(elsewhere.as_str()).await, StatusCode::BAD_REQUEST, "oauth_failed").await;
    assert!(p["detail"].as_str().expect("detail").contains("another provider"), "{p}");
    expect_problem(h.get(callback.as_str()).await, StatusCode::BAD_REQUEST, "oauth_failed").await;
}

async fn pkce_binds_the_code_to_the_sign_in_that_started_it(store: Store, cache: CacheBus, db: Db) {
    let h = start(store, cache, db).await;
    // At the provider itself: a wrong verifier is `invalid_grant`, and so is no
    // client authentication `invalid_client`.
    let callback = h.at_provider(&h.begin("idp").await).await;
    let code = params(&callback)["code"].clone();
    let redirect_uri = format!("{}/v1/auth/oauth/idp/callback", h.base);
    let unauthenticated = h
        .http
        .post(format!("{}/token", h.idp.base))
        .form(&[("grant_type", "authorization_code"), ("code", &code), ("redirect_uri", &redirect_uri)])
        .send()
        .await
        .expect("send");
    assert_eq!(unauthenticated.status(), StatusCode::UNAUTHORIZED);
    let wrong_verifier = "w".repeat(64);
    let r = h
        .token_request(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", &redirect_uri),
            ("code_verifier", &wrong_verifier),
        ])
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(r.json::<Value>().await.expect("error body")["error"], "invalid_grant");
    // That attempt spent the code: HoloMesh's own exchange of it now fails.
    let p = expect_problem(h.get(callback.as_str()).await, StatusCode::BAD_REQUEST, "oauth_failed").await;
    assert!(p["detail"].as_str().expect("detail").contains("invalid_grant"), "{p}");

    // Code injection: the code of sign-in A with the state of sign-in B. HoloMesh
    // sends B's verifier, which does not match A's challenge.
    let a = h.at_provider(&h.begin("idp").await).await;
    let b = h.at_provider(&h.begin("idp").await).await;
    let injected = with_param(&b, "code", Some(&params(&a)["code"]));
    let p = expect_problem(h.get(injected.as_str()).await, StatusCode::BAD_REQUEST, "oauth_failed").await;
    assert!(p["detail"].as_str().expect("detail").contains("invalid_grant"), "{p}");
    assert!(h.store.user_by_oauth("idp", "idp-user-1").await.expect("lookup").is_none(), "nobody signed in");
}

async fn id_tokens_are_verified(store: Store, cache: CacheBus, db: Db) {
    let h = start(store, cache, db).await;
    let cases = [
        (Tamper::Nonce, "nonce"),
        (Tamper::Issuer, "issuer"),
        (Tamper::Audience, "audience"),
        (Tamper::Signature, "signature"),
        (Tamper::Expired, "expired"),
        (Tamper::Algorithm, "algorithm"),
    ];
    for (tamper, why) in cases {
        h.idp.configure(|s| s.tamper = tamper);
        let p = expect_problem(h.sign_in("idp").await, StatusCode::BAD_REQUEST, "oauth_failed").await;
        assert!(p["detail"].as_str().expect("detail").contains(why), "{tamper:?}: {p}");
    }
    h.idp.configure(|s| {
        s.tamper = Tamper::None;
        s.issue_id_token = false;
    });
    let p = expect_problem(h.sign_in("idp").await, StatusCode::BAD_REQUEST, "oauth_failed").await;
    assert!(p["detail"].as_str().expect("detail").contains("no ID token"), "{p}");
    assert!(h.store.user_by_oauth("idp", "idp-user-1").await.expect("lookup").is_none(), "nobody signed in");

    h.idp.configure(|s| s.issue_id_token = true);
    tokens(h.sign_in("idp").await).await;
}

async fn an_existing_password_account_is_not_taken_over(store: Store, cache: CacheBus, db: Db) {
    let h = start(store, cache, db).await;
    let register = json!({"email": "ada@example.org", "password": PASSWORD, "display_name": "Ada", "role": "user"});
    let r = h.http.post(format!("{}/v1/auth/register", h.base)).json(&register).send().await.expect("send");
    assert_eq!(r.status(), StatusCode::CREATED);

    let p = expect_problem(h.sign_in("idp").await, StatusCode::CONFLICT, "conflict").await;
    assert!(p["detail"].as_str().expect("detail").contains("not linked"), "{p}");
    h.idp.configure(|s| {
        s.subject = "plain-user-2".into();
        s.email = Some("ADA@Example.ORG".into());
    });
    expect_problem(h.sign_in("plain").await, StatusCode::CONFLICT, "conflict").await;
    assert!(h.store.user_by_oauth("idp", "idp-user-1").await.expect("lookup").is_none());
    assert!(h.store.user_by_oauth("plain", "plain-user-2").await.expect("lookup").is_none());

    let login = json!({"email": "ada@example.org", "password": PASSWORD});
    let r = h.http.post(format!("{}/v1/auth/login", h.base)).json(&login).send().await.expect("send");
    assert_eq!(r.status(), StatusCode::OK, "the owner still signs in with the password");
}

async fn unknown_providers_and_refusals(store: Store, cache: CacheBus, db: Db) {
    let h = start(store, cache, db).await;
    let doc: Value = h.get(&format!("{}/openapi.json", h.base)).await.json().await.expect("openapi");
    for path in ["/v1/auth/oauth/{provider}/start", "/v1/auth/oauth/{provider}/callback"] {
        assert!(doc["paths"][path]["get"].is_object(), "{path} is documented");
    }
    let start = h.get(&format!("{}/v1/auth/oauth/nope/start", h.base)).await;
    expect_problem(start, StatusCode::NOT_FOUND, "not_found").await;
    let callback = h.get(&format!("{}/v1/auth/oauth/nope/callback?code=x&state=y", h.base)).await;
    expect_problem(callback, StatusCode::NOT_FOUND, "not_found").await;
    let refused = h.get(&format!("{}/v1/auth/oauth/nope/callback?error=access_denied", h.base)).await;
    expect_problem(refused, StatusCode::NOT_FOUND, "not_found").await;

    // The user says no at the provider.
    h.idp.configure(|s| s.deny = true);
    let denied = h.at_provider(&h.begin("idp").await).await;
    assert_eq!(params(&denied)["error"], "access_denied");
    let p = expect_problem(h.get(denied.as_str()).await, StatusCode::BAD_REQUEST, "oauth_failed").await;
    assert!(p["detail"].as_str().expect("detail").contains("access_denied"), "{p}");

    // That sign-in's state is gone: a code from another sign-in cannot finish it.
    h.idp.configure(|s| s.deny = false);
    let other = h.at_provider(&h.begin("idp").await).await;
    let reuse = with_param(&other, "state", Some(&params(&denied)["state"]));
    let p = expect_problem(h.get(reuse.as_str()).await, StatusCode::BAD_REQUEST, "oauth_failed").await;
    assert!(p["detail"].as_str().expect("detail").contains("state"), "{p}");
}

/// An OAuth sign-in does not skip the second factor: the callback answers
/// `mfa_required` with a single-use `mfa_token`, and `POST /v1/auth/mfa` finishes.
async fn two_factor_accounts_finish_with_a_code(store: Store, cache: CacheBus, db: Db) {
    let h = start(store, cache, db).await;
    let first = tokens(h.sign_in("idp").await).await;
    let post = |path: &str, token: Option<&str>, body: Value| {
        let mut r = h.http.post(format!("{}{path}", h.base)).json(&body);
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r.send()
    };
    let e: Value =
        post("/v1/auth/totp/enroll", Some(access(&first)), json!({})).await.expect("send").json().await.expect("json");
    let secret = holomesh::auth::totp::from_base32(e["secret"].as_str().expect("secret")).expect("b32");
    let now = u64::try_from(time::OffsetDateTime::now_utc().unix_timestamp()).expect("time");
    let code = holomesh::auth::totp::code_at(&secret, now).expect("code");
    let r = post("/v1/auth/totp/confirm", Some(access(&first)), json!({"code": code})).await.expect("send");
    assert_eq!(r.status(), StatusCode::OK);

    let r = h.sign_in("idp").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let p: Value = r.json().await.expect("problem");
    assert_eq!(p["code"], "mfa_required", "{p}");
    let mfa_token = p["mfa_token"].as_str().expect("mfa_token").to_owned();
    let next = holomesh::auth::totp::code_at(&secret, now + 30).expect("code");
    let wrong = post("/v1/auth/mfa", None, json!({"mfa_token": mfa_token, "totp_code": "000000"})).await.expect("send");
    if wrong.status() == StatusCode::UNAUTHORIZED {
        // A wrong code spends the token: the right one no longer helps.
        let again = post("/v1/auth/mfa", None, json!({"mfa_token": mfa_token, "totp_code": next})).await.expect("send");
        assert_eq!(again.status(), StatusCode::UNAUTHORIZED);
    }
    let r = h.sign_in("idp").await;
    let p: Value = r.json().await.expect("problem");
    let mfa_token = p["mfa_token"].as_str().expect("mfa_token").to_owned();
    let ok = post("/v1/auth/mfa", None, json!({"mfa_token": mfa_token, "totp_code": next})).await.expect("send");
    let pair = tokens(ok).await;
    assert_eq!(h.me(access(&pair)).await["email"], "ada@example.org");
    let replay = post("/v1/auth/mfa", None, json!({"mfa_token": mfa_token, "totp_code": next})).await.expect("send");
    assert_eq!(replay.status(), StatusCode::UNAUTHORIZED);
}
