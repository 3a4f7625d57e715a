//! Web Push on both backends against a local push service: a notification reaches
//! each browser once, encrypted so only that browser can read it (RFC 8291, decrypted
//! here independently) and signed with the server's VAPID key (RFC 8292); a browser the
//! push service says is gone is forgotten; bad subscriptions are refused.

mod support;

use axum::{Router, body::Bytes, extract::State, http::HeaderMap, http::StatusCode, routing::post};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use holomesh::crypto::FieldCipher;
use holomesh::domain::{NotifyFrequency, Role, SubscriptionChange};
use holomesh::market::{DeliveryWorker, Market, MarketSettings, OutboxWorker, PushTarget};
use holomesh::notify::{VapidKey, WebPusher};
use holomesh::store::Store;
use ring::rand::{SecureRandom, SystemRandom};
use ring::{aead, agreement, hkdf, signature};
use std::sync::{Arc, Mutex};

store_conformance!(a_notification_reaches_each_browser_once_and_only_it_can_read_it, routes_keep_and_forget_browsers);

type Received = Arc<Mutex<Vec<(String, HeaderMap, Bytes)>>>;

/// A push service on this machine: keeps what it is sent; `/gone/…` answers 410.
async fn push_service() -> (String, Received) {
    let got: Received = Arc::default();
    let app = Router::new()
        .route(
            "/{*path}",
            post(|State(got): State<Received>, uri: axum::http::Uri, headers: HeaderMap, body: Bytes| async move {
                let path = uri.path().to_owned();
                let gone = path.starts_with("/gone");
                got.lock().expect("lock").push((path, headers, body));
                if gone { StatusCode::GONE } else { StatusCode::CREATED }
            }),
        )
        .with_state(got.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (base, got)
}

/// A browser's side of a subscription: its key pair and secret.
struct Browser {
    private: agreement::EphemeralPrivateKey,
    public: Vec<u8>,
    auth: [u8; 16],
}

impl Browser {
    fn new() -> Browser {
        let rng = SystemRandom::new();
        let private = agreement::EphemeralPrivateKey::generate(&agreement::ECDH_P256, &rng).expect("key");
        let public = private.compute_public_key().expect("public").as_ref().to_vec();
        let mut auth = [0u8; 16];
        rng.fill(&mut auth).expect("auth");
        Browser { private, public, auth }
    }

    fn target(&self, endpoint: &str) -> PushTarget {
        PushTarget { endpoint: endpoint.into(), p256dh: B64.encode(&self.public), auth: B64.encode(self.auth) }
    }

    /// Reads an `aes128gcm` body the way a browser does (RFC 8291 §3.4, RFC 8188 §2).
    fn decrypt(self, body: &[u8]) -> Vec<u8> {
        struct Len(usize);
        impl hkdf::KeyType for Len {
            fn len(&self) -> usize {
                self.0
            }
        }
        let okm = |prk: &hkdf::Prk, info: &[&[u8]], n: usize| {
            let mut out = vec![0u8; n];
            prk.expand(info, Len(n)).expect("expand").fill(&mut out).expect("fill");
            out
        };
        let (salt, rest) = body.split_at(16);
        assert_eq!(u32::from_be_bytes(rest[..4].try_into().expect("rs")), 4096);
        let idlen = usize::from(rest[4]);
        let (server_public, ciphertext) = rest[5..].split_at(idlen);
        let peer = agreement::UnparsedPublicKey::new(&agreement::ECDH_P256, server_public);
        let shared = agreement::agree_ephemeral(self.private, &peer, |s| s.to_vec()).expect("ecdh");
        let prk_key = hkdf::Salt::new(hkdf::HKDF_SHA256, &self.auth).extract(&shared);
        let ikm = okm(&prk_key, &[b"WebPush: info\0", &self.public, server_public], 32);
        let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, salt).extract(&ikm);
        let cek = okm(&prk, &[b"Content-Encoding: aes128gcm\0"], 16);
        let nonce = okm(&prk, &[b"Content-Encoding: nonce\0"], 12);
        let key = aead::LessSafeKey::new(aead::UnboundKey::new(&aead::AES_128_GCM, &cek).expect("cek"));
        let mut buf = ciphertext.to_vec();
        let nonce = aead::Nonce::try_assume_unique_for_key(&nonce).expect("nonce");
        let plain = key.open_in_place(nonce, aead::Aad::empty(), &mut buf).expect("only this browser can read it");
        assert_eq!(plain.last(), Some(&2), "one record, ended by the padding delimiter");
        plain[..plain.len() - 1].to_vec()
    }
}

/// Checks `Authorization: vapid t=JWT, k=KEY` for `audience`: the signature verifies
/// with the key given, which is the server's.
fn check_vapid(headers: &HeaderMap, audience: &str, server_key: &str) {
    let auth = headers["authorization"].to_str().expect("ascii");
    let rest = auth.strip_prefix("vapid t=").expect("vapid scheme");
    let (jwt, k) = rest.split_once(", k=").expect("t and k");
    assert_eq!(k, server_key);
    let (signed, sig) = jwt.rsplit_once('.').expect("signature");
    let key = signature::UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, B64.decode(k).expect("k"));
    key.verify(signed.as_bytes(), &B64.decode(sig).expect("sig")).expect("signed by the server's key");
    let claims: serde_json::Value =
        serde_json::from_slice(&B64.decode(signed.split('.').nth(1).expect("claims")).expect("b64")).expect("json");
    assert_eq!(claims["aud"], audience);
    assert_eq!(claims["sub"], "mailto:push@holomesh.test");
}

async fn a_notification_reaches_each_browser_once_and_only_it_can_read_it(store: Store) {
    let (service, got) = push_service().await;
    let cipher = Arc::new(FieldCipher::new(vec![("t".into(), [5u8; 32])], "t").expect("cipher"));
    let market = Market::new(store.clone(), support::memory_cache(), MarketSettings::default(), cipher);
    let alice = support::account(&store, "alice", Role::Designer).await;
    let carol = support::account(&store, "carol", Role::User).await;
    let change = SubscriptionChange { notify: Some(NotifyFrequency::Immediate), ..Default::default() };
    market.subscriptions().set(&carol, "alice", &change).await.expect("follow");

    // Bad subscriptions are refused.
    let browser = Browser::new();
    for bad in ["ftp://example.org/x", "http://example.org/push", "not a url"] {
        assert!(market.add_push_subscription(&carol, &browser.target(bad)).await.is_err(), "{bad}");
    }
    let mut short = browser.target(&format!("{service}/push/carol"));
    short.auth = B64.encode([1u8; 8]);
    assert!(market.add_push_subscription(&carol, &short).await.is_err(), "a short secret");

    let gone = Browser::new();
    market.add_push_subscription(&carol, &browser.target(&format!("{service}/push/carol"))).await.expect("browser");
    market.add_push_subscription(&carol, &gone.target(&format!("{service}/gone/old"))).await.expect("old browser");
    assert_eq!(store.push_subscription_count(carol.id).await.expect("count"), 2);

    let draft = support::chip_draft("alice.dev:dsp:falcon:1.0", "Falcon DSP", "dsp", 2450);
    let chip = market.catalog().create(&alice, draft).await.expect("draft");
    market.catalog().publish(&alice, chip.id).await.expect("publish");
    OutboxWorker::new(market.clone()).run_once().await.expect("fan-out");

    let key = VapidKey::from_pkcs8(&VapidKey::generate().expect("key"), "mailto:push@holomesh.test").expect("vapid");
    let pusher = WebPusher::new(key).expect("pusher");
    let server_key = pusher.public_key();
    let worker = DeliveryWorker::new(market.clone(), "https://holomesh.test").with_pusher(Arc::new(pusher));
    assert_eq!(worker.run_once().await.expect("pass"), 1, "the live browser");
    assert_eq!(worker.run_once().await.expect("again"), 0, "never twice");

    let received = got.lock().expect("lock").clone();
    assert_eq!(received.len(), 2, "one request per browser");
    let (_, headers, body) = received.iter().find(|(p, _, _)| p == "/push/carol").expect("pushed").clone();
    assert_eq!(headers["content-encoding"], "aes128gcm");
    assert!(headers.contains_key("ttl"));
    check_vapid(&headers, &service, &server_key);
    assert!(!body.windows(6).any(|w| w == b"Falcon"), "the body is encrypted");
    let message: serde_json::Value = serde_json::from_slice(&browser.decrypt(&body)).expect("json");
    assert!(message["title"].as_str().is_some_and(|t| t.contains("Falcon DSP")), "{message}");
    assert_eq!(message["url"], format!("https://holomesh.test/chips/{}", chip.id));
    // The push service said the old browser is gone: it is forgotten.
    assert_eq!(store.push_subscription_count(carol.id).await.expect("count"), 1);
}

async fn routes_keep_and_forget_browsers(store: Store) {
    use reqwest::Method;
    let server = support::http::TestServer::start(store.clone(), support::memory_cache(), |_| {}).await;
    let (s, key) = server.call(Method::GET, "/v1/push/public-key", None, None).await;
    assert_eq!(s, reqwest::StatusCode::OK, "{key}");
    let raw = B64.decode(key["public_key"].as_str().expect("key")).expect("base64url");
    assert_eq!((raw.len(), raw[0]), (65, 4), "an uncompressed P-256 point");
    let (id, token, _) = server.signup("erin", "user").await;
    let browser = Browser::new();
    let body = serde_json::json!({
        "endpoint": "https://push.example.org/send/abc",
        "expirationTime": null,
        "keys": { "p256dh": B64.encode(&browser.public), "auth": B64.encode(browser.auth) },
    });
    let (s, _) = server.call(Method::POST, "/v1/me/push-subscriptions", Some(&token), Some(body)).await;
    assert_eq!(s, reqwest::StatusCode::CREATED);
    let user = uuid::Uuid::parse_str(&id).expect("id");
    assert_eq!(store.push_subscription_count(user).await.expect("count"), 1);
    let bad = serde_json::json!({ "endpoint": "http://push.example.org/x", "keys": { "p256dh": "AA", "auth": "AA" } });
    let r = server.req(Method::POST, "/v1/me/push-subscriptions", Some(&token)).json(&bad).send().await.expect("send");
    support::http::expect_problem(r, reqwest::StatusCode::UNPROCESSABLE_ENTITY, "invalid").await;
    let gone = serde_json::json!({ "endpoint": "https://push.example.org/send/abc" });
    let (s, _) = server.call(Method::DELETE, "/v1/me/push-subscriptions", Some(&token), Some(gone.clone())).await;
    assert_eq!(s, reqwest::StatusCode::NO_CONTENT);
    let (s, _) = server.call(Method::DELETE, "/v1/me/push-subscriptions", Some(&token), Some(gone)).await;
    assert_eq!(s, reqwest::StatusCode::NOT_FOUND);
    assert_eq!(store.push_subscription_count(user).await.expect("count"), 0);
}
