//! Layered configuration: built-in defaults → user file → `HOLOMESH_*` environment.

use figment::{
    Figment,
    providers::{Env, Format, Toml},
};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use std::{fmt, path::PathBuf};

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
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    pub bind: String,
    pub request_timeout_secs: u64,
    pub body_limit_bytes: usize,
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
    pub threads: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VoiceConfig {
    pub user: String,
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
        fig = fig.merge(Env::prefixed("HOLOMESH_").split("__").ignore(&["config"]));
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

    /// The Redis URL, or `None` for the in-process cache and bus.
    pub fn cache_url(&self) -> Option<SecretUrl> {
        (!self.cache.url.is_empty()).then(|| self.cache.url.clone())
    }
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

    #[test]
    fn defaults_parse_and_point_at_sqlite() -> Result<(), ConfigError> {
        let dir = PathBuf::from("/tmp/holomesh-config-test");
        let cfg = Config::load(None, Some(dir.clone()))?;
        assert_eq!(cfg.data_dir(), dir);
        assert_eq!(cfg.database_url().expose(), "sqlite:///tmp/holomesh-config-test/holomesh.db");
        assert!(cfg.cache_url().is_none());
        assert_eq!(cfg.market.currency, "USD");
        Ok(())
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
