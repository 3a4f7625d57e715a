//! The keys a process needs, read once at start: the field cipher (encryption at
//! rest) and the JWT signing keys. Configured keys win; without them the
//! zero-setup default keeps one key of each kind in the data directory
//! (`field.key`, `jwt.key`, mode 0600), created the first time and reused after.

use crate::config::{Config, ConfigError, Secret};
use crate::crypto::FieldCipher;
use std::collections::BTreeMap;
use std::path::Path;

pub use crate::auth::jwt::JwtKeyMaterial;

/// Key id of the keys kept in the data directory.
const LOCAL_KEY_ID: &str = "local";

/// What [`load`] found.
pub struct Keys {
    pub field: FieldCipher,
    pub jwt: JwtKeyMaterial,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keys").field("field", &self.field.active_key_id()).field("jwt", &self.jwt.1).finish()
    }
}

/// Reads (or, for the zero-setup default, creates once) every key.
pub fn load(config: &Config) -> Result<Keys, ConfigError> {
    Ok(Keys { field: field_cipher(config)?, jwt: jwt_keys(config)? })
}

/// The key named active, or the only key when none is named.
fn active_key(
    keys: &BTreeMap<String, Secret>,
    named: &str,
    table: &str,
    active_key: &str,
) -> Result<String, ConfigError> {
    match (named.trim(), keys.len()) {
        ("", 1) => Ok(keys.keys().next().cloned().unwrap_or_default()),
        ("", _) => Err(ConfigError::Invalid(format!("{active_key} must name one of several {table}"))),
        (id, _) if keys.contains_key(id) => Ok(id.to_owned()),
        (id, _) => Err(ConfigError::Invalid(format!("{active_key} {id:?} is not in {table}"))),
    }
}

/// The field cipher: the configured keys, or the key in `<data_dir>/field.key`.
fn field_cipher(config: &Config) -> Result<FieldCipher, ConfigError> {
    let configured = &config.security.field_keys;
    if !configured.is_empty() {
        let active = active_key(
            configured,
            &config.security.active_field_key,
            "security.field_keys",
            "security.active_field_key",
        )?;
        let keys: Vec<(String, String)> =
            configured.iter().map(|(id, k)| (id.clone(), k.expose().trim().to_owned())).collect();
        return FieldCipher::from_config(&keys, &active)
            .map_err(|e| ConfigError::Invalid(format!("security.field_keys: {e}")));
    }
    let path = config.data_dir().join("field.key");
    let key = local_key(&path).map_err(|e| ConfigError::Invalid(format!("{}: {e}", path.display())))?;
    FieldCipher::from_config(&[(LOCAL_KEY_ID.to_owned(), key)], LOCAL_KEY_ID)
        .map_err(|e| ConfigError::Invalid(format!("{}: {e}", path.display())))
}

/// The JWT signing keys: the configured ones, or the key in `<data_dir>/jwt.key`.
fn jwt_keys(config: &Config) -> Result<JwtKeyMaterial, ConfigError> {
    use base64::Engine as _;
    let decode = |id: &str, raw: &str| -> Result<Vec<u8>, ConfigError> {
        let key = base64::engine::general_purpose::STANDARD
            .decode(raw.trim())
            .map_err(|_| ConfigError::Invalid(format!("auth.jwt_keys.{id} is not base64")))?;
        if key.len() < 32 {
            return Err(ConfigError::Invalid(format!("auth.jwt_keys.{id} must hold at least 32 bytes")));
        }
        Ok(key)
    };
    let configured = &config.auth.jwt_keys;
    if !configured.is_empty() {
        let active = active_key(configured, &config.auth.active_jwt_key, "auth.jwt_keys", "auth.active_jwt_key")?;
        let keys = configured
            .iter()
            .map(|(id, k)| Ok((id.clone(), decode(id, k.expose())?)))
            .collect::<Result<Vec<_>, ConfigError>>()?;
        return Ok((keys, active));
    }
    let path = config.data_dir().join("jwt.key");
    let raw = local_key(&path).map_err(|e| ConfigError::Invalid(format!("{}: {e}", path.display())))?;
    Ok((vec![(LOCAL_KEY_ID.to_owned(), decode(LOCAL_KEY_ID, &raw)?)], LOCAL_KEY_ID.to_owned()))
}

/// The VAPID key Web Push messages are signed with: `notify.vapid_key` (base64url
/// PKCS#8), or the key in `<data_dir>/vapid.key` (created once); `None` when
/// `notify.web_push` is off.
pub fn vapid_key(config: &Config) -> Result<Option<crate::notify::VapidKey>, ConfigError> {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
    if !config.notify.web_push {
        return Ok(None);
    }
    let configured = config.notify.vapid_key.expose().trim();
    let (raw, source) = if configured.is_empty() {
        let path = config.data_dir().join("vapid.key");
        let generated = || -> std::io::Result<String> {
            let pkcs8 = crate::notify::VapidKey::generate().map_err(std::io::Error::other)?;
            Ok(B64.encode(pkcs8))
        };
        let raw =
            local_key_with(&path, generated).map_err(|e| ConfigError::Invalid(format!("{}: {e}", path.display())))?;
        (raw, path.display().to_string())
    } else {
        (configured.to_owned(), "notify.vapid_key".to_owned())
    };
    let pkcs8 = B64
        .decode(raw.trim_end_matches('='))
        .map_err(|_| ConfigError::Invalid(format!("{source} is not base64url")))?;
    crate::notify::VapidKey::from_pkcs8(&pkcs8, &config.notify.vapid_subject)
        .map(Some)
        .map_err(|e| ConfigError::Invalid(format!("{source}: {e}")))
}

/// Reads the key in `path`, creating it first if there is no such file. Any other
/// read error is reported rather than papered over with a new key, which would make
/// everything sealed so far unreadable.
fn local_key(path: &Path) -> std::io::Result<String> {
    local_key_with(path, || Ok(crate::crypto::generate_key()))
}

/// [`local_key`] with the new key made by `generate`.
fn local_key_with(path: &Path, generate: impl Fn() -> std::io::Result<String>) -> std::io::Result<String> {
    match std::fs::read_to_string(path) {
        Ok(k) if !k.trim().is_empty() => return Ok(k.trim().to_owned()),
        Ok(_) => return Err(std::io::Error::other("the key file is empty; restore it from a backup")),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    create_private_once(path, &generate()?)?;
    // Whoever created the file first won: everyone uses what is on disk.
    let key = std::fs::read_to_string(path)?;
    Ok(key.trim().to_owned())
}

/// Atomically creates `path` holding `text`, readable only by its owner: the text is
/// written to a private temporary file beside it, which is then hard-linked into
/// place. Readers never see a partial file; if `path` already exists it is kept.
fn create_private_once(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let tmp = dir.join(format!(".key.{}.tmp", uuid::Uuid::now_v7().simple()));
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let written = opts.open(&tmp).and_then(|mut f| {
        f.write_all(text.as_bytes())?;
        f.write_all(b"\n")?;
        f.sync_all()
    });
    let linked = written.and_then(|()| match std::fs::hard_link(&tmp, path) {
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        other => other,
    });
    let _ = std::fs::remove_file(&tmp);
    linked
}

/// What a key check seals.
const CHECK: &[u8] = b"holomesh field key check";

/// Refuses to go on when the field keys are not the ones this database's encrypted
/// fields were sealed with (a second instance that made its own `field.key`, a lost
/// data directory); records a check for the active key the first time it is used.
pub async fn check_field_keys(
    store: &crate::store::Store,
    cipher: &FieldCipher,
    config: &Config,
) -> Result<(), ConfigError> {
    let aad = |id: &str| format!("key_checks:{id}").into_bytes();
    let source = if config.security.field_keys.is_empty() {
        config.data_dir().join("field.key").display().to_string()
    } else {
        "security.field_keys".to_owned()
    };
    let db = |e: crate::store::StoreError| ConfigError::Invalid(format!("cannot check the field keys: {e}"));
    let verify = |checks: Vec<(String, Vec<u8>)>| -> Result<(), ConfigError> {
        for (id, sealed) in checks {
            if !cipher.key_ids().contains(&id.as_str()) {
                return Err(ConfigError::Invalid(format!(
                    "this database's encrypted fields were sealed with the field key {id:?}, which is not among \
                     the keys in {source}; configure it in security.field_keys (keys may be added, not dropped)"
                )));
            }
            if !cipher.open(&sealed, &aad(&id)).is_ok_and(|v| v.as_slice() == CHECK) {
                return Err(ConfigError::Invalid(format!(
                    "the field key {id:?} in {source} is not the key this database's encrypted fields were \
                     sealed with: use the original key (copy field.key from the data directory of the first \
                     instance or restore it from a backup, or set security.field_keys); nothing was changed"
                )));
            }
        }
        Ok(())
    };
    // The keys on record first, so a wrong key leaves no trace; then the active key's
    // check (another process starting at the same moment may have recorded its own).
    verify(store.key_checks().await.map_err(db)?)?;
    let active = cipher.active_key_id().to_owned();
    let sealed = cipher.seal(CHECK, &aad(&active)).map_err(|e| ConfigError::Invalid(format!("field key: {e}")))?;
    store.add_key_check(&active, &sealed).await.map_err(db)?;
    verify(store.key_checks().await.map_err(db)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn fresh_dir() -> PathBuf {
        std::env::temp_dir().join(format!("hm-key-{}", uuid::Uuid::now_v7().simple()))
    }

    /// The configuration of `dir` with no keys configured (other tests set some in
    /// the environment).
    fn config(dir: &Path) -> Result<Config, ConfigError> {
        let mut cfg = Config::load(None, Some(dir.to_path_buf()))?;
        cfg.security.field_keys.clear();
        cfg.security.active_field_key.clear();
        cfg.auth.jwt_keys.clear();
        cfg.auth.active_jwt_key.clear();
        Ok(cfg)
    }

    #[test]
    fn local_keys_are_created_once_and_reused() -> Result<(), ConfigError> {
        let dir = fresh_dir();
        let cfg = config(&dir)?;
        let sealed = field_cipher(&cfg)?.seal(b"secret", b"aad").map_err(|e| ConfigError::Invalid(e.to_string()))?;
        let again = load(&cfg)?;
        assert_eq!(again.field.open(&sealed, b"aad").map(|p| p.to_vec()).ok(), Some(b"secret".to_vec()));
        assert_eq!(load(&cfg)?.jwt.0, again.jwt.0, "the JWT key is kept too");
        #[cfg(unix)]
        for file in ["field.key", "jwt.key"] {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join(file)).map(|m| m.permissions().mode() & 0o777).unwrap_or(0);
            assert_eq!(mode, 0o600, "{file}");
        }
        let _ = std::fs::remove_dir_all(dir);
        Ok(())
    }

    #[test]
    fn a_key_file_is_shared_by_concurrent_first_users() -> Result<(), ConfigError> {
        let dir = fresh_dir();
        let cfg = config(&dir)?;
        let ciphers = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8).map(|_| s.spawn(|| field_cipher(&cfg))).collect();
            handles
                .into_iter()
                .map(|h| h.join().map_err(|_| ConfigError::Invalid("thread panicked".into()))?)
                .collect::<Result<Vec<_>, _>>()
        })?;
        let sealed = ciphers[0].seal(b"secret", b"aad").map_err(|e| ConfigError::Invalid(e.to_string()))?;
        for c in &ciphers {
            assert_eq!(c.open(&sealed, b"aad").map(|p| p.to_vec()).ok(), Some(b"secret".to_vec()));
        }
        let leftovers = std::fs::read_dir(&dir).map(|d| d.count()).unwrap_or(0);
        let _ = std::fs::remove_dir_all(dir);
        assert_eq!(leftovers, 1, "only field.key is left: no temporary files");
        Ok(())
    }

    #[test]
    fn an_empty_key_file_is_an_error_not_a_new_key() -> Result<(), ConfigError> {
        let dir = fresh_dir();
        std::fs::create_dir_all(&dir).map_err(|e| ConfigError::Invalid(e.to_string()))?;
        std::fs::write(dir.join("field.key"), "").map_err(|e| ConfigError::Invalid(e.to_string()))?;
        let cfg = config(&dir)?;
        let err = field_cipher(&cfg).err().map(|e| e.to_string()).unwrap_or_default();
        let after = std::fs::read_to_string(dir.join("field.key")).unwrap_or_default();
        let _ = std::fs::remove_dir_all(dir);
        assert!(err.contains("empty"), "{err}");
        assert!(after.is_empty(), "the file is left for the operator to restore");
        Ok(())
    }

    #[test]
    #[allow(clippy::result_large_err)]
    fn configured_keys_are_used_and_never_printed() {
        let one = crate::crypto::generate_key();
        let two = crate::crypto::generate_key();
        figment::Jail::expect_with(|jail| {
            jail.set_env("HOLOMESH_SECURITY__FIELD_KEYS", format!("{{k1=\"{one}\"}}"));
            let cfg = Config::load(None, Some(PathBuf::from("/nonexistent/hm"))).map_err(|e| e.to_string())?;
            let cipher = field_cipher(&cfg).map_err(|e| e.to_string())?;
            assert_eq!(cipher.active_key_id(), "k1", "a single key is active without naming it");
            let shown = format!("{cfg:?}");
            assert!(shown.contains("k1") && !shown.contains(&one), "{shown}");

            jail.set_env("HOLOMESH_SECURITY__FIELD_KEYS", format!("{{k1=\"{one}\", k2=\"{two}\"}}"));
            let cfg = Config::load(None, Some(PathBuf::from("/nonexistent/hm"))).map_err(|e| e.to_string())?;
            assert!(field_cipher(&cfg).is_err(), "several keys need active_field_key");
            jail.set_env("HOLOMESH_SECURITY__ACTIVE_FIELD_KEY", "k3");
            let cfg = Config::load(None, Some(PathBuf::from("/nonexistent/hm"))).map_err(|e| e.to_string())?;
            assert!(field_cipher(&cfg).is_err(), "the active key must be listed");
            jail.set_env("HOLOMESH_SECURITY__ACTIVE_FIELD_KEY", "k2");
            let cfg = Config::load(None, Some(PathBuf::from("/nonexistent/hm"))).map_err(|e| e.to_string())?;
            let cipher = field_cipher(&cfg).map_err(|e| e.to_string())?;
            assert_eq!(cipher.active_key_id(), "k2");
            let shown = format!("{cfg:?}");
            assert!(!shown.contains(&one) && !shown.contains(&two), "{shown}");
            Ok(())
        });
    }
}
