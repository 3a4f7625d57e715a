//! Access tokens: HS256 JWTs (the one algorithm accepted) with `iss`, `aud`, `sub`,
//! `exp`, `nbf`, `iat`, `jti`, the session id and the signing key's `kid`. Several
//! keys may verify (rotation); one signs.

use super::AuthError;
use crate::domain::Id;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The claims of an access token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessClaims {
    pub iss: String,
    pub aud: String,
    pub sub: Id,
    /// The session (refresh-token family) the token was issued for.
    pub sid: Id,
    pub exp: u64,
    pub nbf: u64,
    pub iat: u64,
    pub jti: Id,
}

/// Signing and verification keys by `kid`.
/// Signing keys as (key id, raw key) pairs, and the id of the key that signs.
pub type JwtKeyMaterial = (Vec<(String, Vec<u8>)>, String);

pub struct JwtKeys {
    active: String,
    encoding: EncodingKey,
    decoding: HashMap<String, DecodingKey>,
    issuer: String,
    audience: String,
}

impl std::fmt::Debug for JwtKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut kids: Vec<&String> = self.decoding.keys().collect();
        kids.sort();
        f.debug_struct("JwtKeys").field("active", &self.active).field("kids", &kids).finish_non_exhaustive()
    }
}

impl JwtKeys {
    pub fn new(keys: &[(String, Vec<u8>)], active: &str, issuer: &str, audience: &str) -> Result<Self, String> {
        let mut decoding = HashMap::new();
        let mut encoding = None;
        for (kid, key) in keys {
            if key.len() < 32 {
                return Err(format!("key {kid} is shorter than 32 bytes"));
            }
            decoding.insert(kid.clone(), DecodingKey::from_secret(key).map_err(|e| e.to_string())?);
            if kid == active {
                encoding = Some(EncodingKey::from_secret(key).map_err(|e| e.to_string())?);
            }
        }
        let encoding = encoding.ok_or_else(|| format!("the active key {active:?} is not among the keys"))?;
        Ok(Self {
            active: active.to_owned(),
            encoding,
            decoding,
            issuer: issuer.to_owned(),
            audience: audience.to_owned(),
        })
    }

    /// Signs an access token for `user_id` in session `sid`, valid for `ttl_secs`.
    pub fn issue(&self, user_id: Id, sid: Id, ttl_secs: u64) -> Result<String, AuthError> {
        let now = jsonwebtoken::get_current_timestamp();
        let claims = AccessClaims {
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            sub: user_id,
            sid,
            exp: now + ttl_secs.max(1),
            nbf: now,
            iat: now,
            jti: crate::domain::new_id(),
        };
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(self.active.clone());
        jsonwebtoken::encode(&header, &claims, &self.encoding).map_err(|e| AuthError::Internal(format!("signing: {e}")))
    }

    /// Checks signature (by `kid`), algorithm, issuer, audience and times.
    pub fn verify(&self, token: &str) -> Result<AccessClaims, AuthError> {
        let bad = |why: &str| AuthError::Unauthenticated(format!("the access token is not valid: {why}"));
        let header = jsonwebtoken::decode_header(token).map_err(|_| bad("malformed"))?;
        if header.alg != Algorithm::HS256 {
            return Err(bad("unexpected algorithm"));
        }
        let kid = header.kid.ok_or_else(|| bad("no key id"))?;
        let key = self.decoding.get(&kid).ok_or_else(|| bad("unknown key id"))?;
        let mut v = Validation::new(Algorithm::HS256);
        v.set_issuer(&[&self.issuer]);
        v.set_audience(&[&self.audience]);
        v.set_required_spec_claims(&["exp", "nbf", "iat", "iss", "aud", "sub"]);
        v.validate_exp = true;
        v.validate_nbf = true;
        v.leeway = 5;
        let data = jsonwebtoken::decode::<AccessClaims>(token, key, &v).map_err(|e| {
            use jsonwebtoken::errors::ErrorKind;
            match e.kind() {
                ErrorKind::ExpiredSignature => bad("expired"),
                ErrorKind::ImmatureSignature => bad("not yet valid"),
                ErrorKind::InvalidSignature => bad("bad signature"),
                ErrorKind::InvalidAudience => bad("wrong audience"),
                ErrorKind::InvalidIssuer => bad("wrong issuer"),
                _ => bad("malformed"),
            }
        })?;
        Ok(data.claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(active: &str) -> JwtKeys {
        let ks = vec![("a".to_owned(), vec![1u8; 32]), ("b".to_owned(), vec![2u8; 32])];
        JwtKeys::new(&ks, active, "holomesh", "holomesh-api").expect("keys")
    }

    #[test]
    fn round_trip_and_rotation() {
        let (user, sid) = (crate::domain::new_id(), crate::domain::new_id());
        let old = keys("a").issue(user, sid, 60).expect("issue");
        // After rotating to "b", tokens signed with "a" still verify.
        let claims = keys("b").verify(&old).expect("verify");
        assert_eq!((claims.sub, claims.sid), (user, sid));
        let only_b = JwtKeys::new(&[("b".to_owned(), vec![2u8; 32])], "b", "holomesh", "holomesh-api").expect("keys");
        assert!(only_b.verify(&old).is_err(), "a retired key no longer verifies");
    }

    #[test]
    fn wrong_audience_or_issuer_is_rejected() {
        let ks = vec![("a".to_owned(), vec![1u8; 32])];
        let other = JwtKeys::new(&ks, "a", "holomesh", "someone-else").expect("keys");
        let token = other.issue(crate::domain::new_id(), crate::domain::new_id(), 60).expect("issue");
        assert!(keys("a").verify(&token).is_err());
        let other = JwtKeys::new(&ks, "a", "evil", "holomesh-api").expect("keys");
        let token = other.issue(crate::domain::new_id(), crate::domain::new_id(), 60).expect("issue");
        assert!(keys("a").verify(&token).is_err());
    }

    #[test]
    fn short_keys_are_refused() {
        assert!(JwtKeys::new(&[("a".to_owned(), vec![1u8; 16])], "a", "i", "a").is_err());
    }
}
