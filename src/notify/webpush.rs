//! Web Push (RFC 8030) with message encryption (RFC 8291, `aes128gcm` of RFC 8188)
//! and VAPID (RFC 8292), on ring: the [`Pusher`] the delivery worker sends to the
//! installed web app with.

use crate::market::{PushMessage, PushTarget, Pusher, SendError};
use async_trait::async_trait;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
use ring::{aead, agreement, hkdf};

/// Record size announced in the header (one record carries the whole message).
const RECORD_SIZE: u32 = 4096;
/// How long a push service keeps an undelivered message.
const TTL_SECS: u32 = 86_400;

/// Why a message could not be encrypted.
#[derive(Debug, thiserror::Error)]
#[error("web push: {0}")]
pub struct PushCryptoError(pub String);

fn err(what: &str) -> impl Fn(ring::error::Unspecified) -> PushCryptoError + '_ {
    move |_| PushCryptoError(what.to_owned())
}

struct Len(usize);

impl hkdf::KeyType for Len {
    fn len(&self) -> usize {
        self.0
    }
}

fn expand(prk: &hkdf::Prk, info: &[&[u8]], len: usize) -> Result<Vec<u8>, PushCryptoError> {
    let mut out = vec![0u8; len];
    prk.expand(info, Len(len)).map_err(err("expand"))?.fill(&mut out).map_err(err("fill"))?;
    Ok(out)
}

/// Encrypts `plaintext` for a browser whose subscription holds `ua_public` (65-byte
/// uncompressed P-256 point) and `auth` (16 bytes): the whole request body.
pub fn encrypt(plaintext: &[u8], ua_public: &[u8], auth: &[u8]) -> Result<Vec<u8>, PushCryptoError> {
    let rng = SystemRandom::new();
    let ephemeral = agreement::EphemeralPrivateKey::generate(&agreement::ECDH_P256, &rng).map_err(err("key"))?;
    let as_public = ephemeral.compute_public_key().map_err(err("public key"))?.as_ref().to_vec();
    let peer = agreement::UnparsedPublicKey::new(&agreement::ECDH_P256, ua_public);
    let shared = agreement::agree_ephemeral(ephemeral, &peer, |s| s.to_vec()).map_err(err("the browser's key"))?;
    // IKM = HKDF(auth, ecdh, "WebPush: info" 0 ua_public as_public, 32)
    let prk_key = hkdf::Salt::new(hkdf::HKDF_SHA256, auth).extract(&shared);
    let ikm = expand(&prk_key, &[b"WebPush: info\0", ua_public, &as_public], 32)?;
    let mut salt = [0u8; 16];
    rng.fill(&mut salt).map_err(err("salt"))?;
    let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, &salt).extract(&ikm);
    let cek = expand(&prk, &[b"Content-Encoding: aes128gcm\0"], 16)?;
    let nonce = expand(&prk, &[b"Content-Encoding: nonce\0"], 12)?;
    let key = aead::LessSafeKey::new(aead::UnboundKey::new(&aead::AES_128_GCM, &cek).map_err(err("cek"))?);
    let nonce = aead::Nonce::try_assume_unique_for_key(&nonce).map_err(err("nonce"))?;
    let mut record = plaintext.to_vec();
    record.push(2); // the last (and only) record's padding delimiter
    key.seal_in_place_append_tag(nonce, aead::Aad::empty(), &mut record).map_err(err("seal"))?;
    let mut body = Vec::with_capacity(16 + 4 + 1 + as_public.len() + record.len());
    body.extend_from_slice(&salt);
    body.extend_from_slice(&RECORD_SIZE.to_be_bytes());
    body.push(u8::try_from(as_public.len()).map_err(|_| PushCryptoError("key id".into()))?);
    body.extend_from_slice(&as_public);
    body.extend_from_slice(&record);
    Ok(body)
}

/// The server's VAPID key: signs who is sending (RFC 8292).
pub struct VapidKey {
    pair: EcdsaKeyPair,
    /// `mailto:` or `https:` contact the push services may use.
    subject: String,
}

impl std::fmt::Debug for VapidKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VapidKey").field("public", &self.public_key()).finish_non_exhaustive()
    }
}

impl VapidKey {
    /// A new key, as PKCS#8 bytes to keep.
    pub fn generate() -> Result<Vec<u8>, PushCryptoError> {
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &SystemRandom::new())
            .map_err(err("generate"))?;
        Ok(pkcs8.as_ref().to_vec())
    }

    pub fn from_pkcs8(pkcs8: &[u8], subject: &str) -> Result<Self, PushCryptoError> {
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8, &SystemRandom::new())
            .map_err(|e| PushCryptoError(format!("the VAPID key is not a P-256 PKCS#8 key: {e}")))?;
        Ok(Self { pair, subject: subject.to_owned() })
    }

    /// The public key browsers subscribe with (`applicationServerKey`), base64url.
    pub fn public_key(&self) -> String {
        B64.encode(self.pair.public_key().as_ref())
    }

    /// `vapid t=<JWT>, k=<public key>` for a push service at `endpoint`.
    pub fn authorization(&self, endpoint: &str) -> Result<String, PushCryptoError> {
        let url = url::Url::parse(endpoint).map_err(|e| PushCryptoError(format!("endpoint: {e}")))?;
        let audience = url.origin().ascii_serialization();
        let exp = time::OffsetDateTime::now_utc().unix_timestamp() + 12 * 3600;
        let header = B64.encode(br#"{"typ":"JWT","alg":"ES256"}"#);
        let claims = B64.encode(serde_json::json!({ "aud": audience, "exp": exp, "sub": self.subject }).to_string());
        let signing_input = format!("{header}.{claims}");
        let sig = self.pair.sign(&SystemRandom::new(), signing_input.as_bytes()).map_err(err("sign"))?;
        Ok(format!("vapid t={signing_input}.{}, k={}", B64.encode(sig.as_ref()), self.public_key()))
    }
}

/// Sends Web Push messages over HTTPS (HTTP for loopback endpoints).
#[derive(Debug)]
pub struct WebPusher {
    key: VapidKey,
    http: reqwest::Client,
}

impl WebPusher {
    pub fn new(key: VapidKey) -> Result<Self, PushCryptoError> {
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .map_err(|e| PushCryptoError(e.to_string()))?;
        Ok(Self { key, http })
    }

    pub fn public_key(&self) -> String {
        self.key.public_key()
    }
}

fn decode(field: &str, v: &str) -> Result<Vec<u8>, SendError> {
    B64.decode(v.trim_end_matches('=')).map_err(|e| SendError::Permanent(format!("subscription {field}: {e}")))
}

#[async_trait]
impl Pusher for WebPusher {
    async fn push(&self, to: &PushTarget, message: &PushMessage) -> Result<(), SendError> {
        let plaintext = serde_json::to_vec(message).map_err(|e| SendError::Permanent(e.to_string()))?;
        let body = encrypt(&plaintext, &decode("p256dh", &to.p256dh)?, &decode("auth", &to.auth)?)
            .map_err(|e| SendError::Permanent(e.to_string()))?;
        let auth = self.key.authorization(&to.endpoint).map_err(|e| SendError::Permanent(e.to_string()))?;
        let resp = self
            .http
            .post(&to.endpoint)
            .header("content-encoding", "aes128gcm")
            .header("content-type", "application/octet-stream")
            .header("ttl", TTL_SECS.to_string())
            .header("urgency", "normal")
            .header("authorization", auth)
            .body(body)
            .send()
            .await
            .map_err(|e| SendError::Transient(e.to_string()))?;
        let status = resp.status();
        match status.as_u16() {
            200..=299 => Ok(()),
            404 | 410 => Err(SendError::Gone(format!("the push subscription is gone ({status})"))),
            408 | 429 | 500..=599 => Err(SendError::Transient(format!("push service answered {status}"))),
            _ => Err(SendError::Permanent(format!("push service answered {status}"))),
        }
    }
}
