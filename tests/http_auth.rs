//! Identity through the real router: registration, login, refresh rotation with
//! reuse detection, sessions, TOTP (replay refused), throttling, roles and JWT
//! tampering. SQLite + memory and PostgreSQL + Redis.

mod support;

use base64::Engine as _;
use holomesh::auth::totp;
use holomesh::cache::CacheBus;
use holomesh::domain::{Id, PageRequest, Role};
use holomesh::store::Store;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::http::{PASSWORD, TestServer, expect_problem};

const KEY: [u8; 32] = [7u8; 32];

fn with_key(c: &mut holomesh::config::Config) {
    let b64 = base64::engine::general_purpose::STANDARD.encode(KEY);
    c.auth.jwt_keys.insert("k1".into(), holomesh::config::Secret::new(b64));
    c.auth.active_jwt_key = "k1".into();
}

fn now() -> u64 {
    u64::try_from(time::OffsetDateTime::now_utc().unix_timestamp()).expect("time")
}

async fn register_login_and_me(store: Store, cache: CacheBus) {
    let s = TestServer::start(store, cache, with_key).await;
    let register = |body: Value| s.req(Method::POST, "/v1/auth/register", None).json(&body).send();
    // Admin cannot be chosen at registration; short passwords are refused.
    let r = register(json!({"email": "a@example.org", "password": PASSWORD, "display_name": "A", "role": "admin"}));
    expect_problem(r.await.expect("send"), StatusCode::UNPROCESSABLE_ENTITY, "invalid_body").await;
    let r = register(json!({"email": "a@example.org", "password": "too short", "display_name": "A"}));
    expect_problem(r.await.expect("send"), StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    let r = register(json!({"email": "not-an-email", "password": PASSWORD, "display_name": "A"}));
    expect_problem(r.await.expect("send"), StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    assert!(s.store.user_by_email("a@example.org").await.is_err(), "nothing stored by refused registrations");

    // A very long password is fine.
    let long = "long passphrase ".repeat(60);
    let r = register(json!({"email": "long@example.org", "password": long, "display_name": "Long"}));
    assert_eq!(r.await.expect("send").status(), StatusCode::CREATED);
    let (st, t) = s
        .call(Method::POST, "/v1/auth/login", None, Some(json!({"email": "LONG@example.org", "password": long})))
        .await;
    assert_eq!(st, StatusCode::OK, "{t}");
    assert_eq!(t["token_type"], "Bearer");
    assert_eq!(t["expires_in"], 900);

    let (_, access, _) = s.signup("ada", "designer").await;
    let r = register(json!({"email": "ada@example.org", "password": PASSWORD, "display_name": "Ada"}));
    expect_problem(r.await.expect("send"), StatusCode::CONFLICT, "conflict").await;
    let (st, me) = s.call(Method::GET, "/v1/me", Some(&access), None).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(
        (me["email"].as_str(), me["role"].as_str(), me["handle"].as_str()),
        (Some("ada@example.org"), Some("designer"), Some("ada"))
    );
    // A second designer with the same name gets another handle.
    let (_, access2, _) = s.signup("ada2", "designer").await;
    let (_, me2) = s.call(Method::PATCH, "/v1/me", Some(&access2), Some(json!({"display_name": "Ada"}))).await;
    assert_eq!(me2["display_name"], "Ada");

    // Mass assignment: role, email, id are not fields of PATCH /me.
    for body in [json!({"role": "admin"}), json!({"email": "x@example.org"}), json!({"id": Id::nil()})] {
        let r = s.req(Method::PATCH, "/v1/me", Some(&access)).json(&body).send().await.expect("send");
        expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body").await;
    }
    let r = s.req(Method::PATCH, "/v1/me", Some(&access)).json(&json!({"timezone": "Mars/Olympus"})).send();
    expect_problem(r.await.expect("send"), StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    let (_, me) = s.call(Method::GET, "/v1/me", Some(&access), None).await;
    assert_eq!((me["role"].as_str(), me["timezone"].as_str()), (Some("designer"), Some("UTC")));
    let (st, me) = s.call(Method::PATCH, "/v1/me", Some(&access), Some(json!({"timezone": "Europe/Paris"}))).await;
    assert_eq!((st, me["timezone"].as_str()), (StatusCode::OK, Some("Europe/Paris")));

    // Wrong password and unknown account answer the same.
    for (email, pw) in [("ada@example.org", "wrong password!!"), ("nobody@example.org", PASSWORD)] {
        let r = s.req(Method::POST, "/v1/auth/login", None).json(&json!({"email": email, "password": pw})).send();
        expect_problem(r.await.expect("send"), StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    }
    let audit = s.store.list_audit(None, PageRequest::first(100)).await.expect("audit").items;
    assert!(audit.iter().any(|a| a.action == "login_failed"));
    assert!(audit.iter().any(|a| a.action == "login"));
    expect_problem(
        s.req(Method::GET, "/v1/me", None).send().await.expect("send"),
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
}

async fn a_disabled_account_is_shut_out_everywhere(store: Store, cache: CacheBus) {
    let s = TestServer::start(store, cache, with_key).await;
    let (id, access, refresh) = s.signup("zed", "user").await;
    assert_eq!(s.call(Method::GET, "/v1/me", Some(&access), None).await.0, StatusCode::OK);
    s.store.set_user_disabled(id.parse().expect("id"), true).await.expect("disable");
    let r = s.req(Method::GET, "/v1/me", Some(&access)).send().await.expect("send");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "the access token stops working");
    let r = s.req(Method::POST, "/v1/auth/refresh", None).json(&json!({"refresh_token": refresh})).send();
    assert_eq!(r.await.expect("send").status(), StatusCode::UNAUTHORIZED, "no new tokens");
    let login = json!({"email": "zed@example.org", "password": PASSWORD});
    let r = s.req(Method::POST, "/v1/auth/login", None).json(&login).send().await.expect("send");
    expect_problem(r, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
}

async fn refresh_rotates_and_reuse_revokes_the_family(store: Store, cache: CacheBus) {
    let s = TestServer::start(store, cache, with_key).await;
    let (user_id, access, refresh) = s.signup("rui", "user").await;
    let (st, p2) = s.call(Method::POST, "/v1/auth/refresh", None, Some(json!({"refresh_token": refresh}))).await;
    assert_eq!(st, StatusCode::OK, "{p2}");
    let (access2, refresh2) = (p2["access_token"].as_str().expect("a"), p2["refresh_token"].as_str().expect("r"));
    assert_ne!(refresh2, refresh);
    assert_eq!(s.call(Method::GET, "/v1/me", Some(access2), None).await.0, StatusCode::OK);

    // The spent token comes back: someone copied it. The whole family dies.
    let r = s.req(Method::POST, "/v1/auth/refresh", None).json(&json!({"refresh_token": refresh})).send();
    expect_problem(r.await.expect("send"), StatusCode::UNAUTHORIZED, "invalid_refresh_token").await;
    let r = s.req(Method::POST, "/v1/auth/refresh", None).json(&json!({"refresh_token": refresh2})).send();
    expect_problem(r.await.expect("send"), StatusCode::UNAUTHORIZED, "invalid_refresh_token").await;
    for tok in [access.as_str(), access2] {
        let r = s.req(Method::GET, "/v1/me", Some(tok)).send().await.expect("send");
        expect_problem(r, StatusCode::UNAUTHORIZED, "unauthorized").await;
    }
    let id: Id = user_id.parse().expect("id");
    let audit = s.store.list_audit(Some(id), PageRequest::first(100)).await.expect("audit").items;
    assert!(audit.iter().any(|a| a.action == "refresh_token_reuse"), "{audit:?}");
    let r = s.req(Method::POST, "/v1/auth/refresh", None).json(&json!({"refresh_token": "hmr_forged"})).send();
    expect_problem(r.await.expect("send"), StatusCode::UNAUTHORIZED, "invalid_refresh_token").await;
}

async fn sessions_list_revoke_and_logout(store: Store, cache: CacheBus) {
    let s = TestServer::start(store, cache, with_key).await;
    let (_, a1, r1) = s.signup("sam", "user").await;
    let (_, t2) = s
        .call(Method::POST, "/v1/auth/login", None, Some(json!({"email": "sam@example.org", "password": PASSWORD})))
        .await;
    let a2 = t2["access_token"].as_str().expect("a2");
    let (_, list) = s.call(Method::GET, "/v1/me/sessions", Some(&a1), None).await;
    let items = list["items"].as_array().expect("items");
    assert_eq!(items.len(), 2, "{list}");
    let (_, eve, _) = s.signup("eve", "user").await;
    // Another user cannot revoke Sam's sessions.
    let sid = items[0]["id"].as_str().expect("sid");
    let r = s.req(Method::DELETE, &format!("/v1/me/sessions/{sid}"), Some(&eve)).send().await.expect("send");
    expect_problem(r, StatusCode::NOT_FOUND, "not_found").await;
    // The newest session (the second login) is revoked: its access token stops working.
    let r = s.req(Method::DELETE, &format!("/v1/me/sessions/{sid}"), Some(&a1)).send().await.expect("send");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    expect_problem(
        s.req(Method::GET, "/v1/me", Some(a2)).send().await.expect("send"),
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    assert_eq!(s.call(Method::GET, "/v1/me", Some(&a1), None).await.0, StatusCode::OK);
    // Logout revokes the first.
    let r =
        s.req(Method::POST, "/v1/auth/logout", None).json(&json!({"refresh_token": r1})).send().await.expect("send");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    expect_problem(
        s.req(Method::GET, "/v1/me", Some(&a1)).send().await.expect("send"),
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    let r = s.req(Method::POST, "/v1/auth/refresh", None).json(&json!({"refresh_token": r1})).send();
    expect_problem(r.await.expect("send"), StatusCode::UNAUTHORIZED, "invalid_refresh_token").await;
}

async fn enable_totp(s: &TestServer, access: &str) -> (Vec<u8>, Vec<String>) {
    let (st, e) = s.call(Method::POST, "/v1/auth/totp/enroll", Some(access), None).await;
    assert_eq!(st, StatusCode::OK, "{e}");
    let secret = totp::from_base32(e["secret"].as_str().expect("secret")).expect("base32");
    assert!(e["otpauth_uri"].as_str().is_some_and(|u| u.starts_with("otpauth://totp/")), "{e}");
    let wrong = s.req(Method::POST, "/v1/auth/totp/confirm", Some(access)).json(&json!({"code": "000000"})).send();
    let wrong = wrong.await.expect("send");
    if wrong.status() != StatusCode::OK {
        expect_problem(wrong, StatusCode::UNAUTHORIZED, "invalid_mfa_code").await;
    }
    let code = totp::code_at(&secret, now()).expect("code");
    let (st, c) = s.call(Method::POST, "/v1/auth/totp/confirm", Some(access), Some(json!({"code": code}))).await;
    assert_eq!(st, StatusCode::OK, "{c}");
    let codes: Vec<String> =
        c["recovery_codes"].as_array().expect("codes").iter().map(|v| v.as_str().expect("code").to_owned()).collect();
    assert_eq!(codes.len(), 10);
    (secret, codes)
}

async fn totp_codes_work_once(store: Store, cache: CacheBus) {
    let s = TestServer::start(store, cache, with_key).await;
    let (user_id, access, _) = s.signup("tia", "user").await;
    let (secret, recovery) = enable_totp(&s, &access).await;
    let sealed = s.store.totp_state(user_id.parse().expect("id")).await.expect("state").secret_sealed.expect("sealed");
    assert!(!sealed.windows(secret.len()).any(|w| w == secret.as_slice()), "the secret is encrypted at rest");
    let login = |code: Option<String>| {
        let mut body = json!({"email": "tia@example.org", "password": PASSWORD});
        if let Some(c) = code {
            body["totp_code"] = json!(c);
        }
        s.req(Method::POST, "/v1/auth/login", None).json(&body).send()
    };
    expect_problem(login(None).await.expect("send"), StatusCode::UNAUTHORIZED, "mfa_required").await;
    // The code that confirmed enrolment was spent: replaying it fails.
    let current = totp::code_at(&secret, now()).expect("code");
    expect_problem(login(Some(current)).await.expect("send"), StatusCode::UNAUTHORIZED, "invalid_mfa_code").await;
    // The next step's code (within the ±1 step window) works once.
    let next = totp::code_at(&secret, now() + 30).expect("code");
    assert_eq!(login(Some(next.clone())).await.expect("send").status(), StatusCode::OK);
    expect_problem(login(Some(next)).await.expect("send"), StatusCode::UNAUTHORIZED, "invalid_mfa_code").await;
    // Recovery codes: single use, forgiving about case and dashes.
    let typed = recovery[0].to_uppercase().replace('-', " ");
    assert_eq!(login(Some(typed)).await.expect("send").status(), StatusCode::OK);
    expect_problem(login(Some(recovery[0].clone())).await.expect("send"), StatusCode::UNAUTHORIZED, "invalid_mfa_code")
        .await;
    // Disabling needs the password and a valid code, and signs the account out everywhere.
    let disable = |body: Value| s.req(Method::DELETE, "/v1/auth/totp", Some(&access)).json(&body).send();
    let r = disable(json!({"code": recovery[1]})).await.expect("send");
    expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    let r = disable(json!({"code": recovery[1], "password": "not the password"})).await.expect("send");
    expect_problem(r, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    let r = disable(json!({"code": "123456", "password": PASSWORD})).await.expect("send");
    expect_problem(r, StatusCode::UNAUTHORIZED, "invalid_mfa_code").await;
    let r = disable(json!({"code": recovery[1], "password": PASSWORD})).await.expect("send");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = s.req(Method::GET, "/v1/me", Some(&access)).send().await.expect("send");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "the session that turned 2FA off is signed out too");
    assert_eq!(login(None).await.expect("send").status(), StatusCode::OK);
    let audit = s.store.list_audit(user_id.parse().ok(), PageRequest::first(100)).await.expect("audit").items;
    for action in ["totp_enabled", "mfa_failed", "totp_disabled"] {
        assert!(audit.iter().any(|a| a.action == action), "{action} is audited");
    }
}

async fn login_throttling_is_per_account_and_address(store: Store, cache: CacheBus) {
    let s = TestServer::start(store, cache, |c| {
        with_key(c);
        c.auth.login_attempts_per_account = 3;
        c.auth.login_attempts_per_address = 6;
    })
    .await;
    s.signup("tom", "user").await; // one attempt from this address
    s.signup("una", "user").await; // two
    let bad = |email: &str| {
        s.req(Method::POST, "/v1/auth/login", None)
            .json(&json!({"email": email, "password": "not the password"}))
            .send()
    };
    for _ in 0..2 {
        expect_problem(bad("tom@example.org").await.expect("send"), StatusCode::UNAUTHORIZED, "invalid_credentials")
            .await;
    }
    let r = bad("tom@example.org").await.expect("send");
    let retry = r.headers().get("retry-after").and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    expect_problem(r, StatusCode::TOO_MANY_REQUESTS, "too_many_requests").await;
    assert!(retry.is_some_and(|s| s > 0), "Retry-After is set");
    // Tom's lock does not lock Una.
    let (st, _) = s
        .call(Method::POST, "/v1/auth/login", None, Some(json!({"email": "una@example.org", "password": PASSWORD})))
        .await;
    assert_eq!(st, StatusCode::OK);
    // Nor does it lock Tom out from another address: the lock is per (account, address).
    let elsewhere =
        reqwest::Client::builder().local_address(std::net::IpAddr::from([127, 0, 0, 2])).build().expect("client");
    let r = elsewhere
        .post(format!("{}/v1/auth/login", s.base))
        .json(&json!({"email": "tom@example.org", "password": PASSWORD}))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::OK, "Tom signs in from his own address");
    // The address limit (6) catches spraying across accounts.
    for name in ["v1", "v2"] {
        let _ = bad(&format!("{name}@example.org")).await.expect("send");
    }
    expect_problem(bad("v3@example.org").await.expect("send"), StatusCode::TOO_MANY_REQUESTS, "too_many_requests")
        .await;
}

async fn admins_need_two_factor(store: Store, cache: CacheBus) {
    let s = TestServer::start(store, cache, with_key).await;
    let (admin_id, admin, _) = s.signup("root", "user").await;
    s.store.set_user_role(admin_id.parse().expect("id"), Role::Admin).await.expect("promote");
    let (user_id, user, _) = s.signup("uma", "user").await;
    let r = s.req(Method::GET, "/v1/admin/users", Some(&user)).send().await.expect("send");
    expect_problem(r, StatusCode::FORBIDDEN, "forbidden").await;
    let r = s.req(Method::GET, "/v1/admin/users", Some(&admin)).send().await.expect("send");
    expect_problem(r, StatusCode::FORBIDDEN, "mfa_setup_required").await;
    enable_totp(&s, &admin).await;
    let (st, users) = s.call(Method::GET, "/v1/admin/users?limit=1", Some(&admin), None).await;
    assert_eq!(st, StatusCode::OK, "{users}");
    assert_eq!(users["items"].as_array().map(Vec::len), Some(1));
    assert!(users["next_cursor"].is_string());
    let (st, u) = s
        .call(Method::PUT, &format!("/v1/admin/users/{user_id}/role"), Some(&admin), Some(json!({"role": "designer"})))
        .await;
    assert_eq!((st, u["role"].as_str()), (StatusCode::OK, Some("designer")), "{u}");
    let r = s.req(Method::PUT, &format!("/v1/admin/users/{admin_id}/role"), Some(&user)).json(&json!({"role": "user"}));
    expect_problem(r.send().await.expect("send"), StatusCode::FORBIDDEN, "forbidden").await;
    let (st, audit) = s.call(Method::GET, "/v1/admin/audit", Some(&admin), None).await;
    assert_eq!(st, StatusCode::OK);
    assert!(audit["items"].as_array().expect("items").iter().any(|a| a["action"] == "role_changed"), "{audit}");
}

fn forge(header: Value, claims: Value, key: &[u8]) -> String {
    use hmac_sha256::sign;
    let b64 = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let head = format!("{}.{}", b64(&header), b64(&claims));
    let sig = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sign(key, head.as_bytes()));
    format!("{head}.{sig}")
}

mod hmac_sha256 {
    use sha2::{Digest, Sha256};
    /// HMAC-SHA256 (RFC 2104), enough to forge test tokens by hand.
    pub fn sign(key: &[u8], msg: &[u8]) -> Vec<u8> {
        let mut k = [0u8; 64];
        k[..key.len().min(64)].copy_from_slice(&key[..key.len().min(64)]);
        let ipad: Vec<u8> = k.iter().map(|b| b ^ 0x36).collect();
        let opad: Vec<u8> = k.iter().map(|b| b ^ 0x5c).collect();
        let inner = Sha256::new().chain_update(&ipad).chain_update(msg).finalize();
        Sha256::new().chain_update(&opad).chain_update(inner).finalize().to_vec()
    }
}

async fn tampered_tokens_are_refused(store: Store, cache: CacheBus) {
    let s = TestServer::start(store, cache, with_key).await;
    let (user_id, access, _) = s.signup("jay", "user").await;
    // Read the real claims (session id included) to forge variants of them.
    let payload = access.split('.').nth(1).expect("payload");
    let claims: Value =
        serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).expect("b64"))
            .expect("json");
    assert_eq!(claims["sub"], user_id.as_str());
    let good = json!({"alg": "HS256", "typ": "JWT", "kid": "k1"});
    // The untouched forge is accepted: the variants below fail for the one reason each.
    assert_eq!(
        s.call(Method::GET, "/v1/me", Some(&forge(good.clone(), claims.clone(), &KEY)), None).await.0,
        StatusCode::OK
    );
    let with = |k: &str, v: Value| {
        let mut c = claims.clone();
        c[k] = v;
        c
    };
    let t = now();
    let cases: Vec<(&str, String)> = vec![
        ("alg none", {
            let b64 = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
            format!("{}.{}.", b64(&json!({"alg": "none", "typ": "JWT", "kid": "k1"})), b64(&claims))
        }),
        ("wrong signature", forge(good.clone(), claims.clone(), &[8u8; 32])),
        ("wrong audience", forge(good.clone(), with("aud", json!("someone-else")), &KEY)),
        ("wrong issuer", forge(good.clone(), with("iss", json!("evil")), &KEY)),
        ("expired", forge(good.clone(), with("exp", json!(t - 120)), &KEY)),
        ("future nbf", forge(good.clone(), with("nbf", json!(t + 3600)), &KEY)),
        ("unknown kid", forge(json!({"alg": "HS256", "typ": "JWT", "kid": "k9"}), claims.clone(), &KEY)),
        ("no kid", forge(json!({"alg": "HS256", "typ": "JWT"}), claims.clone(), &KEY)),
        ("HS512", forge(json!({"alg": "HS512", "typ": "JWT", "kid": "k1"}), claims.clone(), &KEY)),
        ("other user", forge(good.clone(), with("sub", json!(Id::nil())), &KEY)),
        ("garbage", "not.a.jwt".into()),
    ];
    for (why, token) in cases {
        let r = s.req(Method::GET, "/v1/me", Some(&token)).send().await.expect("send");
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{why}");
        expect_problem(r, StatusCode::UNAUTHORIZED, "unauthorized").await;
    }
}

http_conformance!(
    register_login_and_me,
    refresh_rotates_and_reuse_revokes_the_family,
    sessions_list_revoke_and_logout,
    totp_codes_work_once,
    login_throttling_is_per_account_and_address,
    admins_need_two_factor,
    tampered_tokens_are_refused,
    a_disabled_account_is_shut_out_everywhere,
);
