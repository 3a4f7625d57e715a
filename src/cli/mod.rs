//! The `holomesh` command line: argument definitions and dispatch.

mod admin;
mod backup;
mod demo;
mod intent;
mod keys;
mod listen;
mod models;
mod serve;
mod tokens;
mod understand;
mod voice;

use crate::config::Config;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// What a command returns to `main`: the process exit code.
pub type ExitCode = i32;

/// Exit code for usage errors and bad input.
pub const EXIT_USAGE: ExitCode = 2;

#[derive(Debug, Parser)]
#[command(name = "holomesh", version, about = "HoloMesh: a chip-design marketplace you can run by voice")]
pub struct Cli {
    /// A TOML configuration file layered over the built-in defaults.
    #[arg(long, global = true, env = "HOLOMESH_CONFIG")]
    pub config: Option<PathBuf>,
    /// Where HoloMesh keeps its database and models (default: XDG data dir).
    #[arg(long, global = true)]
    pub data_dir: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The main job: a bundled spoken sample through the whole voice pipeline.
    Demo,
    /// HTTP API and background workers.
    Serve {
        /// Address to listen on (overrides server.bind).
        #[arg(long)]
        bind: Option<String>,
    },
    /// The voice daemon: microphone (or a file) → pipeline → replies.
    Listen {
        /// Use a WAV file as the microphone.
        #[arg(long)]
        file: Option<PathBuf>,
        /// Play the file at real-time pace instead of as fast as possible.
        #[arg(long)]
        realtime: bool,
        /// Speak each reply aloud with espeak-ng.
        #[arg(long)]
        speak: bool,
        /// Stop after this many seconds of microphone audio.
        #[arg(long)]
        max_seconds: Option<f64>,
    },
    /// Speech to text for WAV files (the model loads once for all of them).
    Transcribe {
        /// WAV files (any sample rate; mono or stereo).
        files: Vec<PathBuf>,
        /// Print one JSON object per file and line: {file, text, audio_ms, asr_ms, …}.
        #[arg(long)]
        json: bool,
    },
    /// Text to intent and slots.
    Intent {
        /// A directory of hassil-format YAML templates (default: the bundled grammars,
        /// or `nlu.grammars`).
        #[arg(long, value_name = "DIR")]
        grammars: Option<PathBuf>,
        /// A YAML file whose `lists:` give slot values (e.g. designer names), replacing the
        /// grammar's lists of the same name.
        #[arg(long, value_name = "FILE")]
        lists: Option<PathBuf>,
        /// Context for `requires_context` (e.g. area=Kitchen); repeatable.
        #[arg(long = "context", value_name = "KEY=VALUE")]
        context: Vec<String>,
        /// Print {intent, slots, confidence, …} as JSON (`intent: null` when nothing matches).
        #[arg(long)]
        json: bool,
        /// The sentence to understand.
        text: String,
    },
    /// Audio to intent and slots (WAV files; the models and grammar load once).
    Understand {
        /// A directory of hassil-format YAML templates (default: the bundled grammars,
        /// or `nlu.grammars`).
        #[arg(long, value_name = "DIR")]
        grammars: Option<PathBuf>,
        /// A YAML file whose `lists:` give slot values (e.g. designer names), replacing the
        /// grammar's lists of the same name.
        #[arg(long, value_name = "FILE")]
        lists: Option<PathBuf>,
        /// Context for `requires_context` (e.g. area=Kitchen); repeatable.
        #[arg(long = "context", value_name = "KEY=VALUE")]
        context: Vec<String>,
        /// Print one object per file and line: {file, text, intent, slots, confidence,
        /// audio_ms, asr_ms, nlu_ms, …} (`intent: null` when nothing is understood).
        #[arg(long)]
        json: bool,
        /// WAV files (any sample rate; mono or stereo).
        files: Vec<PathBuf>,
    },
    /// Run a transcript through understanding and execution as the configured user.
    Say {
        /// Print the stored command as JSON.
        #[arg(long)]
        json: bool,
        /// Speak the reply aloud with espeak-ng.
        #[arg(long)]
        speak: bool,
        text: String,
    },
    /// Obtain and list speech models.
    #[command(subcommand)]
    Models(ModelsCommand),
    /// Apply database migrations to the configured database.
    Migrate,
    /// Write a backup of the configured database (and the ids of the keys it needs).
    Backup {
        /// The backup file to write.
        #[arg(long)]
        out: PathBuf,
    },
    /// Restore a backup into the configured database, which must hold no data.
    Restore {
        /// A file written by `holomesh backup`.
        file: PathBuf,
    },
    /// Verify a design file against a chip's signed record, offline.
    Verify {
        /// The chip's signed record (JSON, as `GET /v1/chips/{id}/nft` gives it).
        #[arg(long)]
        record: PathBuf,
        /// The design file to check.
        file: PathBuf,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Administration.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Device tokens with which the daemon, home assistants and scripts act for a user.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Field keys (encryption at rest).
    #[command(subcommand)]
    Keys(KeysCommand),
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Seal every encrypted field again with the active key (`security.active_field_key`),
    /// so older keys can be removed. Run it once every instance uses the new active key.
    Rotate {
        /// Count what would be sealed again; change nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token (printed once) for the voice user or `--email`.
    Create {
        /// What the token is for, shown in listings (1 to 100 characters).
        #[arg(long, default_value = "voice daemon")]
        name: String,
        /// The account the token acts for (default: the voice user).
        #[arg(long)]
        email: Option<String>,
    },
    /// Revoke a token by its id.
    Revoke {
        /// The id printed when the token was created.
        id: String,
        /// The account the token belongs to (default: the voice user).
        #[arg(long)]
        email: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ModelsCommand {
    /// Download a model: a Whisper model (tiny.en or base, converted for whisper.cpp), the
    /// sentence-embedding model (minilm) or the Korean Vosk model with libvosk (vosk-ko).
    /// Without a name: the configured speech model (`asr.engine`) and minilm.
    Fetch {
        /// tiny.en (fast, English), base (multilingual, slower), minilm (understanding
        /// by meaning) or vosk-ko (Vosk's small Korean model, for `asr.engine = "vosk"`).
        name: Option<String>,
        /// Weight format: q8_0 (8-bit, smaller and faster) or f16. Default: `asr.weights`.
        #[arg(long)]
        weights: Option<String>,
    },
    /// Show which models are present.
    List,
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create an administrator account (or promote an existing one).
    Create {
        /// The administrator's e-mail; the password is read from standard input.
        #[arg(long)]
        email: String,
        /// Display name (default "Administrator").
        #[arg(long)]
        name: Option<String>,
    },
}

/// Runs the parsed command and returns the process exit code.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let config = match Config::load(cli.config.as_deref(), cli.data_dir.clone()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("holomesh: {e}");
            return Ok(EXIT_USAGE);
        }
    };
    // The demo prints its own account of each stage; keep the log to warnings.
    let level = if matches!(cli.command, Command::Demo) { "warn" } else { config.log.level.as_str() };
    crate::telemetry::init_logging(level, config.log.format == crate::config::LogFormat::Json);
    match cli.command {
        Command::Serve { bind } => serve::serve(config, bind).await,
        Command::Migrate => serve::migrate(config).await,
        Command::Backup { out } => backup::backup(&config, &out).await,
        Command::Restore { file } => backup::restore(&config, &file).await,
        Command::Admin(AdminCommand::Create { email, name }) => admin::create(config, &email, name.as_deref()).await,
        Command::Demo => demo::run(config).await,
        Command::Token(TokenCommand::Create { name, email }) => tokens::create(config, &name, email.as_deref()).await,
        Command::Token(TokenCommand::Revoke { id, email }) => tokens::revoke(config, &id, email.as_deref()).await,
        Command::Keys(KeysCommand::Rotate { dry_run }) => keys::rotate(&config, dry_run).await,
        Command::Say { text, json, speak } => voice::say(config, &text, json, speak).await,
        Command::Transcribe { files, json } => voice::transcribe(&config, &files, json),
        Command::Listen { file, realtime, speak, max_seconds } => {
            listen::listen(config, file, realtime, speak, max_seconds).await
        }
        Command::Models(ModelsCommand::Fetch { name, weights }) => {
            models::fetch(&config, name.as_deref(), weights.as_deref())
        }
        Command::Models(ModelsCommand::List) => models::list(&config),
        Command::Verify { record, file, json } => {
            let format = if json { crate::nft::cli::OutputFormat::Json } else { crate::nft::cli::OutputFormat::Text };
            let outcome = crate::nft::cli::run_verify(&record, &file, format);
            if outcome.exit_code == EXIT_USAGE {
                eprintln!("holomesh verify: {}", outcome.output.trim_end());
            } else {
                println!("{}", outcome.output.trim_end());
            }
            Ok(outcome.exit_code)
        }
        Command::Understand { grammars, lists, context, json, files } => {
            understand::run(&config, grammars, lists, &context, json, &files)
        }
        Command::Intent { grammars, lists, context, json, text } => {
            Ok(intent::run(&config, grammars, lists, &context, json, &text))
        }
    }
}
