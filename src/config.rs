//! Layered configuration: built-in defaults → user file → `HOLOMESH_*` environment.

use figment::{
    Figment,
    providers::{Env, Format, Toml},
};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use std::{fmt, path::PathBuf};

/// Top-level tables of the configuration; `HOLOMESH_<TABLE>__<KEY>` sets a key.
const SECTIONS: &[&str] =
    &["server", "database", "cache", "wyoming", "asr", "voice", "market", "auth", "log", "security"];

/// The defaults, with every key documented.
pub const DEFAULT_TOML: &str = include_str!("../config/default.toml");

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration is invalid: {0}")]
    Invalid(String),
    #[error("no data directory: set HOLOMESH_DATA_DIR, --data-dir, XDG_DATA_HOME or HOME")]
    NoDataDir,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub data_dir: String,
    pub server: ServerConfig,
    pub database: DatabaseConfig,
    pub cache: CacheConfig,
    pub wyoming: WyomingConfig,
    pub asr: AsrConfig,
    pub voice: VoiceConfig,
    pub market: MarketConfig,
    pub auth: AuthConfig,
    pub log: LogConfig,
    pub security: SecurityConfig,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    pub bind: String,
    pub request_timeout_secs: u64,
    pub body_limit_bytes: usize,
    /// Origins allowed to call the API from a browser (empty: same origin only).
    pub cors_origins: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseConfig {
    pub url: SecretUrl,
    pub max_connections: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CacheConfig {
    pub url: SecretUrl,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WyomingConfig {
    pub bind: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AsrConfig {
    pub model: String,
    /// How the model's large matrices are stored (`asr.weights`).
    #[serde(default)]
    pub weights: ModelWeights,
    pub threads: u32,
    pub models_dir: String,
    /// Constrain decoding to the intent templates (needs the `grammar` build feature).
    #[serde(default)]
    pub grammar: bool,
}

/// The weight format of a converted Whisper model; each has its own file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub enum ModelWeights {
    /// 8-bit blocks (`ggml-<model>-q8_0.bin`): half the size, faster, same accuracy on
    /// the benchmark commands.
    #[default]
    #[serde(rename = "q8_0")]
    Q8_0,
    /// 16-bit floats (`ggml-<model>.bin`), the usual whisper.cpp file.
    #[serde(rename = "f16")]
    F16,
}

impl ModelWeights {
    /// The name used in configuration, on the command line and by the fetch script.
    pub fn as_str(self) -> &'static str {
        match self {
            ModelWeights::Q8_0 => "q8_0",
            ModelWeights::F16 => "f16",
        }
    }

    /// The model file's name for model `name`.
    pub fn file_name(self, name: &str) -> String {
        match self {
            ModelWeights::Q8_0 => format!("ggml-{name}-q8_0.bin"),
            ModelWeights::F16 => format!("ggml-{name}.bin"),
        }
    }
}

impl std::str::FromStr for ModelWeights {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "q8_0" => Ok(ModelWeights::Q8_0),
            "f16" => Ok(ModelWeights::F16),
            other => Err(format!("unknown weights {other:?}; choose q8_0 or f16")),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VoiceConfig {
    pub user: String,
    pub device: String,
    /// A device token (`holomesh token create`) the daemon authenticates with.
    pub token: SecretUrl,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarketConfig {
    pub currency: String,
    pub platform_fee_bps: u16,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    pub access_ttl_secs: u64,
    pub refresh_ttl_secs: u64,
    /// `iss` and `aud` of the access tokens this server issues and accepts.
    pub issuer: String,
    pub audience: String,
    /// HS256 signing keys: key id → base64 of at least 32 random bytes.
    pub jwt_keys: std::collections::BTreeMap<String, Secret>,
    /// The key id new tokens are signed with (may be empty with exactly one key).
    pub active_jwt_key: String,
    /// Login attempts allowed per account and per client address in one window.
    pub login_attempts_per_account: u64,
    pub login_attempts_per_address: u64,
    pub login_window_secs: u64,
    /// Authenticated API requests allowed per user per minute.
    pub requests_per_minute: u64,
    /// Name shown by authenticator apps.
    pub totp_issuer: String,
    /// OAuth 2.0 / OpenID Connect providers by name (`/v1/auth/oauth/{name}/start`).
    pub oauth: std::collections::BTreeMap<String, OAuthProviderConfig>,
}

/// One OAuth provider, described by its endpoints.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OAuthProviderConfig {
    pub client_id: String,
    pub client_secret: Secret,
    pub authorize_url: String,
    pub token_url: String,
    /// Where the subject and email are read when the provider sends no ID token.
    #[serde(default)]
    pub userinfo_url: String,
    /// The `iss` an ID token must carry (empty: ID tokens are not expected).
    #[serde(default)]
    pub issuer: String,
    /// Exactly this URL is sent and must be registered with the provider.
    pub redirect_uri: String,
    #[serde(default = "default_scopes")]
    pub scopes: Vec<String>,
}

fn default_scopes() -> Vec<String> {
    vec!["openid".into(), "email".into(), "profile".into()]
}

/// A secret value that never prints.
#[derive(Clone, Deserialize)]
#[serde(transparent)]
pub struct Secret(SecretString);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(SecretString::from(value.into()))
    }

    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Keys for encrypting fields at rest (transcripts, private keys, TOTP secrets).
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecurityConfig {
    /// Key id → base64 of 32 random bytes.
    pub field_keys: std::collections::BTreeMap<String, SecretUrl>,
    pub active_field_key: String,
}

impl fmt::Debug for SecurityConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecurityConfig")
            .field("field_keys", &self.field_keys.keys().collect::<Vec<_>>())
            .field("active_field_key", &self.active_field_key)
            .finish()
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogConfig {
    pub level: String,
    pub format: String,
}

/// A URL that may carry a password: `Debug`/`Display` print it with the password
/// replaced, and the full text is only reachable through [`SecretUrl::expose`].
#[derive(Clone, Deserialize)]
#[serde(from = "String")]
pub struct SecretUrl(SecretString);

impl SecretUrl {
    pub fn new(url: impl Into<String>) -> Self {
        Self(SecretString::from(url.into()))
    }

    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    pub fn is_empty(&self) -> bool {
        self.expose().trim().is_empty()
    }

    /// The URL with any password (and query string, which may hold one) hidden.
    pub fn redacted(&self) -> String {
        redact_url(self.expose())
    }
}

impl From<String> for SecretUrl {
    fn from(value: String) -> Self {
        Self::new(value)
    }
}

impl fmt::Debug for SecretUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretUrl({})", self.redacted())
    }
}

impl fmt::Display for SecretUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

/// Hides the password and query of a URL; text that is not a URL is hidden whole.
pub fn redact_url(raw: &str) -> String {
    if raw.is_empty() {
        return String::new();
    }
    match url::Url::parse(raw) {
        Ok(mut u) => {
            if u.password().is_some() {
                let _ = u.set_password(Some("***"));
            }
            if u.query().is_some() {
                u.set_query(Some("***"));
            }
            u.to_string()
        }
        Err(_) => "***".to_owned(),
    }
}

impl Config {
    /// Loads defaults, then `file` (if given), then the environment; `data_dir`
    /// (from `--data-dir`) wins over all of them.
    pub fn load(file: Option<&std::path::Path>, data_dir: Option<PathBuf>) -> Result<Self, ConfigError> {
        let mut fig = Figment::from(Toml::string(DEFAULT_TOML));
        if let Some(path) = file {
            if !path.exists() {
                return Err(ConfigError::Invalid(format!("config file {} does not exist", path.display())));
            }
            fig = fig.merge(Toml::file(path));
        }
        // Only variables naming a configuration key are read: helper variables such as
        // HOLOMESH_MODELS_DIR (used by scripts) must not be mistaken for settings.
        fig = fig.merge(
            Env::prefixed("HOLOMESH_")
                .filter(|k| {
                    let k = k.as_str().to_ascii_lowercase();
                    k == "data_dir"
                        || SECTIONS.iter().any(|s| k.strip_prefix(s).is_some_and(|rest| rest.starts_with("__")))
                })
                .split("__"),
        );
        if let Some(dir) = data_dir {
            fig = fig.merge(("data_dir", dir.display().to_string()));
        }
        let mut cfg: Config = fig.extract().map_err(|e| ConfigError::Invalid(e.to_string()))?;
        if cfg.data_dir.trim().is_empty() {
            cfg.data_dir = default_data_dir()?.display().to_string();
        }
        cfg.validate()?;
        Ok(cfg)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let db = self.database.url.expose();
        if !(db.is_empty()
            || db.starts_with("sqlite:")
            || db.starts_with("postgres://")
            || db.starts_with("postgresql://"))
        {
            return Err(ConfigError::Invalid(format!(
                "database.url must start with sqlite: or postgres://, got {}",
                self.database.url
            )));
        }
        let cache = self.cache.url.expose();
        if !(cache.is_empty() || cache.starts_with("redis://") || cache.starts_with("rediss://")) {
            return Err(ConfigError::Invalid(format!("cache.url must start with redis://, got {}", self.cache.url)));
        }
        if self.market.platform_fee_bps > 10_000 {
            return Err(ConfigError::Invalid("market.platform_fee_bps must be at most 10000".into()));
        }
        if self.market.currency.parse::<crate::domain::Currency>().is_err() {
            return Err(ConfigError::Invalid(format!(
                "market.currency must be a three-letter code, got {:?}",
                self.market.currency
            )));
        }
        Ok(())
    }

    pub fn data_dir(&self) -> PathBuf {
        PathBuf::from(&self.data_dir)
    }

    /// The database URL in effect: the configured one or the SQLite file in the data dir.
    pub fn database_url(&self) -> SecretUrl {
        if self.database.url.is_empty() {
            SecretUrl::new(format!("sqlite://{}/holomesh.db", self.data_dir().display()))
        } else {
            self.database.url.clone()
        }
    }

    /// Where speech models live: `asr.models_dir` or `<data_dir>/models`.
    pub fn models_dir(&self) -> PathBuf {
        if self.asr.models_dir.trim().is_empty() {
            self.data_dir().join("models")
        } else {
            PathBuf::from(&self.asr.models_dir)
        }
    }

    /// The configured speech model's file: `asr.model` in `asr.weights` under
    /// [`Config::models_dir`].
    pub fn model_file(&self) -> PathBuf {
        self.models_dir().join(self.asr.weights.file_name(&self.asr.model))
    }

    /// Threads for speech recognition (`asr.threads`, 0 = all cores).
    pub fn asr_threads(&self) -> usize {
        match self.asr.threads {
            0 => std::thread::available_parallelism().map_or(2, std::num::NonZero::get),
            n => n as usize,
        }
    }

    /// The field cipher: the configured keys, or a key kept in `<data_dir>/field.key`
    /// (created on first use, readable only by its owner) so the zero-setup default
    /// keeps decrypting across restarts.
    pub fn field_cipher(&self) -> Result<crate::crypto::FieldCipher, ConfigError> {
        let keys: Vec<(String, String)> =
            self.security.field_keys.iter().map(|(id, k)| (id.clone(), k.expose().trim().to_owned())).collect();
        if !keys.is_empty() {
            let active = match (self.security.active_field_key.trim(), keys.as_slice()) {
                ("", [(only, _)]) => only.clone(),
                ("", _) => {
                    return Err(ConfigError::Invalid(
                        "security.active_field_key must name one of several security.field_keys".into(),
                    ));
                }
                (id, _) => id.to_owned(),
            };
            return crate::crypto::FieldCipher::from_config(&keys, &active)
                .map_err(|e| ConfigError::Invalid(format!("security.field_keys: {e}")));
        }
        let path = self.data_dir().join("field.key");
        let key = local_field_key(&path).map_err(|e| ConfigError::Invalid(format!("{}: {e}", path.display())))?;
        crate::crypto::FieldCipher::from_config(&[(LOCAL_KEY_ID.to_owned(), key)], LOCAL_KEY_ID)
            .map_err(|e| ConfigError::Invalid(format!("{}: {e}", path.display())))
    }

    /// The JWT signing keys (key id, raw key) and the active key id: the configured
    /// keys, or one kept in `<data_dir>/jwt.key` like the field key.
    pub fn jwt_keys(&self) -> Result<JwtKeyMaterial, ConfigError> {
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
        if !self.auth.jwt_keys.is_empty() {
            let keys = self
                .auth
                .jwt_keys
                .iter()
                .map(|(id, k)| Ok((id.clone(), decode(id, k.expose())?)))
                .collect::<Result<Vec<_>, ConfigError>>()?;
            let active = match (self.auth.active_jwt_key.trim(), keys.as_slice()) {
                ("", [(only, _)]) => only.clone(),
                ("", _) => {
                    return Err(ConfigError::Invalid(
                        "auth.active_jwt_key must name one of several auth.jwt_keys".into(),
                    ));
                }
                (id, _) if keys.iter().any(|(k, _)| k == id) => id.to_owned(),
                (id, _) => {
                    return Err(ConfigError::Invalid(format!("auth.active_jwt_key {id:?} is not in auth.jwt_keys")));
                }
            };
            return Ok((keys, active));
        }
        let path = self.data_dir().join("jwt.key");
        let raw = local_field_key(&path).map_err(|e| ConfigError::Invalid(format!("{}: {e}", path.display())))?;
        Ok((vec![(LOCAL_KEY_ID.to_owned(), decode(LOCAL_KEY_ID, &raw)?)], LOCAL_KEY_ID.to_owned()))
    }

    /// The Redis URL, or `None` for the in-process cache and bus.
    pub fn cache_url(&self) -> Option<SecretUrl> {
        (!self.cache.url.is_empty()).then(|| self.cache.url.clone())
    }
}

/// JWT keys as (key id, raw key) pairs, and the id of the signing key.
pub type JwtKeyMaterial = (Vec<(String, Vec<u8>)>, String);

/// Key id of the key kept in `<data_dir>/field.key`.
const LOCAL_KEY_ID: &str = "local";

/// Reads the key in `path`, creating it first if there is no such file. Any other
/// read error is reported rather than papered over with a new key, which would make
/// everything sealed so far unreadable.
fn local_field_key(path: &std::path::Path) -> std::io::Result<String> {
    match std::fs::read_to_string(path) {
        Ok(k) if !k.trim().is_empty() => return Ok(k.trim().to_owned()),
        Ok(_) => return Err(std::io::Error::other("the key file is empty; restore it from a backup")),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    create_private_once(path, &crate::crypto::generate_key())?;
    // Whoever created the file first won: everyone uses what is on disk.
    let key = std::fs::read_to_string(path)?;
    Ok(key.trim().to_owned())
}

/// Atomically creates `path` holding `text`, readable only by its owner: the text is
/// written to a private temporary file beside it, which is then hard-linked into
/// place. Readers never see a partial file; if `path` already exists it is kept.
fn create_private_once(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path.parent().unwrap_or_else(|| std::path::Path::new("."));
    let tmp = dir.join(format!(".field.key.{}.tmp", uuid::Uuid::now_v7().simple()));
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

fn default_data_dir() -> Result<PathBuf, ConfigError> {
    if let Some(x) = std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(x).join("holomesh"));
    }
    let home = std::env::var_os("HOME").filter(|v| !v.is_empty()).ok_or(ConfigError::NoDataDir)?;
    Ok(PathBuf::from(home).join(".local/share/holomesh"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The field-key tests run beside one that sets `HOLOMESH_SECURITY__*` (figment's
    /// `Jail` changes the process environment), so they drop configured keys.
    fn without_configured_keys(mut cfg: Config) -> Config {
        cfg.security.field_keys.clear();
        cfg.security.active_field_key.clear();
        cfg
    }

    #[test]
    fn defaults_parse_and_point_at_sqlite() -> Result<(), ConfigError> {
        let dir = PathBuf::from("/tmp/holomesh-config-test");
        let cfg = without_configured_keys(Config::load(None, Some(dir.clone()))?);
        assert_eq!(cfg.data_dir(), dir);
        assert_eq!(cfg.database_url().expose(), "sqlite:///tmp/holomesh-config-test/holomesh.db");
        assert!(cfg.cache_url().is_none());
        assert_eq!(cfg.market.currency, "USD");
        Ok(())
    }

    #[test]
    #[allow(clippy::result_large_err)]
    fn environment_sets_nested_keys_and_ignores_helper_variables() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("HOLOMESH_MARKET__PLATFORM_FEE_BPS", "250");
            jail.set_env("HOLOMESH_SERVER__BIND", "0.0.0.0:9000");
            jail.set_env("HOLOMESH_MODELS_DIR", "/somewhere");
            jail.set_env("HOLOMESH_ASR_MODEL", "/somewhere/model.bin");
            let cfg = Config::load(None, Some(PathBuf::from("/tmp/hm"))).map_err(|e| e.to_string())?;
            assert_eq!(cfg.market.platform_fee_bps, 250);
            assert_eq!(cfg.server.bind, "0.0.0.0:9000");
            assert_eq!(cfg.models_dir(), PathBuf::from("/tmp/hm/models"));
            assert_eq!(cfg.model_file(), PathBuf::from("/tmp/hm/models/ggml-tiny.en-q8_0.bin"));
            jail.set_env("HOLOMESH_ASR__WEIGHTS", "f16");
            let cfg = Config::load(None, Some(PathBuf::from("/tmp/hm"))).map_err(|e| e.to_string())?;
            assert_eq!(cfg.asr.weights, ModelWeights::F16);
            assert_eq!(cfg.model_file(), PathBuf::from("/tmp/hm/models/ggml-tiny.en.bin"));
            jail.set_env("HOLOMESH_ASR__WEIGHTS", "q4_0");
            let err = Config::load(None, None).err().map(|e| e.to_string()).unwrap_or_default();
            assert!(err.contains("q8_0"), "an unknown weight format names the choices: {err}");
            jail.set_env("HOLOMESH_ASR__WEIGHTS", "q8_0");
            jail.set_env("HOLOMESH_MARKET__NO_SUCH_KEY", "1");
            assert!(Config::load(None, None).is_err(), "a misspelt key is an error");
            Ok(())
        });
    }

    #[test]
    fn field_key_is_created_once_and_reused() -> Result<(), ConfigError> {
        let dir = std::env::temp_dir().join(format!("hm-key-{}", uuid::Uuid::now_v7().simple()));
        let cfg = without_configured_keys(Config::load(None, Some(dir.clone()))?);
        let sealed = cfg.field_cipher()?.seal(b"secret", b"aad").map_err(|e| ConfigError::Invalid(e.to_string()))?;
        let again = cfg.field_cipher()?;
        assert_eq!(again.open(&sealed, b"aad").map(|p| p.to_vec()).ok(), Some(b"secret".to_vec()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join("field.key")).map(|m| m.permissions().mode() & 0o777).unwrap_or(0);
            assert_eq!(mode, 0o600);
        }
        let _ = std::fs::remove_dir_all(dir);
        Ok(())
    }

    #[test]
    fn field_key_file_is_shared_by_concurrent_first_users() -> Result<(), ConfigError> {
        let dir = std::env::temp_dir().join(format!("hm-key-{}", uuid::Uuid::now_v7().simple()));
        let cfg = without_configured_keys(Config::load(None, Some(dir.clone()))?);
        let ciphers = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8).map(|_| s.spawn(|| cfg.field_cipher())).collect();
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
    fn an_empty_field_key_file_is_an_error_not_a_new_key() -> Result<(), ConfigError> {
        let dir = std::env::temp_dir().join(format!("hm-key-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(&dir).map_err(|e| ConfigError::Invalid(e.to_string()))?;
        std::fs::write(dir.join("field.key"), "").map_err(|e| ConfigError::Invalid(e.to_string()))?;
        let cfg = without_configured_keys(Config::load(None, Some(dir.clone()))?);
        let err = cfg.field_cipher().err().map(|e| e.to_string()).unwrap_or_default();
        let after = std::fs::read_to_string(dir.join("field.key")).unwrap_or_default();
        let _ = std::fs::remove_dir_all(dir);
        assert!(err.contains("empty"), "{err}");
        assert!(after.is_empty(), "the file is left for the operator to restore");
        Ok(())
    }

    #[test]
    #[allow(clippy::result_large_err)]
    fn configured_field_keys_are_used_and_never_printed() {
        let one = crate::crypto::generate_key();
        let two = crate::crypto::generate_key();
        figment::Jail::expect_with(|jail| {
            jail.set_env("HOLOMESH_SECURITY__FIELD_KEYS", format!("{{k1=\"{one}\"}}"));
            let cfg = Config::load(None, Some(PathBuf::from("/nonexistent/hm"))).map_err(|e| e.to_string())?;
            let cipher = cfg.field_cipher().map_err(|e| e.to_string())?;
            assert_eq!(cipher.active_key_id(), "k1", "a single key is active without naming it");
            let shown = format!("{cfg:?}");
            assert!(shown.contains("k1") && !shown.contains(&one), "{shown}");

            jail.set_env("HOLOMESH_SECURITY__FIELD_KEYS", format!("{{k1=\"{one}\", k2=\"{two}\"}}"));
            let cfg = Config::load(None, Some(PathBuf::from("/nonexistent/hm"))).map_err(|e| e.to_string())?;
            assert!(cfg.field_cipher().is_err(), "several keys need active_field_key");
            jail.set_env("HOLOMESH_SECURITY__ACTIVE_FIELD_KEY", "k2");
            let cfg = Config::load(None, Some(PathBuf::from("/nonexistent/hm"))).map_err(|e| e.to_string())?;
            let cipher = cfg.field_cipher().map_err(|e| e.to_string())?;
            assert_eq!(cipher.active_key_id(), "k2");
            let shown = format!("{cfg:?}");
            assert!(!shown.contains(&one) && !shown.contains(&two), "{shown}");
            Ok(())
        });
    }

    #[test]
    fn urls_print_redacted() {
        let u = SecretUrl::new("postgres://app:hunter2@db.internal:5432/holomesh?password=x");
        let shown = format!("{u} {u:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("db.internal"));
        assert_eq!(redact_url("not a url with secret"), "***");
    }
}
