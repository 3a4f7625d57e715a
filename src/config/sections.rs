//! The configuration's tables, one struct each, with typed values.

use super::{Secret, SecretUrl};
use crate::domain::Currency;
use serde::Deserialize;
use std::fmt;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    pub bind: String,
    pub request_timeout_secs: u64,
    pub body_limit_bytes: usize,
    /// Origins allowed to call the API from a browser (empty: same origin only).
    pub cors_origins: Vec<String>,
    /// The address people open (e.g. `https://market.example`); when it is https the
    /// web app's cookies are `Secure` with `__Host-` names. Empty: plain http.
    pub public_url: String,
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
    /// CIDR blocks besides loopback allowed to connect (needs `token`).
    pub allow_from: Vec<String>,
    /// Device token of the account Wyoming clients act as.
    pub token: Secret,
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
    /// Constrain decoding to the intent templates: whisper.cpp GBNF rules (needs the
    /// `grammar` build feature), or the templates' words as Vosk's phrase list.
    #[serde(default)]
    pub grammar: bool,
    /// Beam width of the second hearing of a command whose first transcript reads as no
    /// confident command (0 or 1: none).
    pub second_beam: u32,
    /// Which recognizer runs (`asr.engine`).
    #[serde(default)]
    pub engine: AsrEngine,
    /// The Vosk model directory (`asr.vosk_model`); empty = the Korean model under the
    /// models directory.
    #[serde(default)]
    pub vosk_model: String,
}

/// The speech recognizer a process loads.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AsrEngine {
    /// whisper.cpp on `asr.model` (the default build).
    #[default]
    Whisper,
    /// Vosk (Kaldi) on the `asr.vosk_model` directory; needs the `vosk` build feature.
    Vosk,
}

impl AsrEngine {
    /// The name used in configuration.
    pub fn as_str(self) -> &'static str {
        match self {
            AsrEngine::Whisper => "whisper",
            AsrEngine::Vosk => "vosk",
        }
    }
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

/// Understanding: where the intent templates come from.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NluConfig {
    /// A directory of hassil-format YAML; empty = the bundled grammars.
    pub grammars: String,
    /// Understand phrasings no template covers by comparing meaning (sentence
    /// embeddings), when the model is present.
    pub meaning: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VoiceConfig {
    pub user: String,
    pub device: String,
    /// A device token (`holomesh token create`) the daemon authenticates with.
    pub token: Secret,
}

/// E-mail delivery of notifications and digests.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotifyConfig {
    /// smtp:// or smtps:// URL of the mail server; empty: no e-mail.
    pub smtp_url: Secret,
    /// The sender address (`Name <address>` or `address`).
    pub from: String,
    /// This server's public address for links in e-mails; empty: `http://<server.bind>`.
    pub base_url: String,
    /// Send Web Push messages to browsers where users turned push on.
    pub web_push: bool,
    /// The VAPID key (base64url PKCS#8 P-256); empty: `<data_dir>/vapid.key`.
    pub vapid_key: Secret,
    /// The contact push services may use (`mailto:` or `https:`).
    pub vapid_subject: String,
}

/// Scheduled backups made by `serve`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupConfig {
    /// How often: "30m", "6h", "1d", or seconds; empty: no scheduled backups.
    pub every: String,
    /// How many scheduled backups to keep.
    pub keep: usize,
    /// Where they go; empty: `<data_dir>/backups`.
    pub dir: String,
}

impl BackupConfig {
    /// The interval, `None` when scheduled backups are off; an error for a bad value.
    pub fn interval(&self) -> Result<Option<std::time::Duration>, String> {
        let v = self.every.trim();
        if v.is_empty() {
            return Ok(None);
        }
        let (digits, unit) = v.split_at(v.find(|c: char| !c.is_ascii_digit()).unwrap_or(v.len()));
        let n: u64 = digits.parse().map_err(|_| format!("backup.every {v:?} is not like 30m, 6h or 1d"))?;
        let secs = match unit.trim() {
            "" | "s" => n,
            "m" => n.saturating_mul(60),
            "h" => n.saturating_mul(3600),
            "d" => n.saturating_mul(86_400),
            _ => return Err(format!("backup.every {v:?} is not like 30m, 6h or 1d")),
        };
        if secs < 60 {
            return Err(format!("backup.every {v:?} is shorter than a minute"));
        }
        Ok(Some(std::time::Duration::from_secs(secs)))
    }
}

/// Where deposits come from.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentsConfig {
    pub provider: PaymentsProvider,
}

/// The payment provider deposits go through.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PaymentsProvider {
    /// No deposits: `POST /v1/wallet/deposits` answers 403 `deposits_disabled`.
    #[default]
    None,
    /// Play money: every deposit is credited at once, nothing is charged.
    Development,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarketConfig {
    /// ISO 4217 code of amounts given without one.
    pub currency: Currency,
    pub platform_fee_bps: u16,
    /// Rank catalog searches by meaning too, when the embedding model is present.
    pub search_by_meaning: bool,
    /// Seconds an outbox event stays with the worker that claimed it; a worker that dies
    /// holding one gives it up after this.
    pub event_lease_secs: u32,
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
    /// Login attempts on one account from all addresses together, per window.
    pub login_attempts_per_account_all_addresses: u64,
    /// Registrations from one address per hour.
    pub registrations_per_address_per_hour: u64,
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

/// Keys for encrypting fields at rest (transcripts, private keys, TOTP secrets).
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecurityConfig {
    /// Key id → base64 of 32 random bytes.
    pub field_keys: std::collections::BTreeMap<String, Secret>,
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
    pub format: LogFormat,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}
