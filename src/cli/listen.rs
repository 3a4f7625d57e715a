//! `holomesh listen`: the voice daemon. The microphone (feature `mic`) or a
//! recording standing in for it is split into utterances, each run through the
//! pipeline, until SIGTERM/Ctrl-C.

use super::{EXIT_USAGE, ExitCode};
use crate::app::{App, Speech};
use crate::config::Config;
use std::path::PathBuf;

/// `holomesh listen --file X.wav`: the file stands in for the microphone.
pub async fn listen(
    config: Config,
    file: Option<PathBuf>,
    realtime: bool,
    speak_replies: bool,
    max_seconds: Option<f64>,
) -> anyhow::Result<ExitCode> {
    let samples = match &file {
        Some(f) => match crate::asr::load_wav(f) {
            Ok(s) => Some(s),
            Err(e) => {
                eprintln!("holomesh listen: {}: {e}", f.display());
                return Ok(EXIT_USAGE);
            }
        },
        None => None,
    };
    #[cfg(not(feature = "mic"))]
    if samples.is_none() {
        let _ = max_seconds;
        eprintln!(
            "holomesh listen: this build has no microphone input (build with `--features mic`); \
             use --file X.wav to use a recording as the microphone"
        );
        return Ok(EXIT_USAGE);
    }
    super::models::ensure(&config)?;
    let app = App::build(&config, Speech::Required).await?;
    let p = app.voice.pipeline_for(&app.voice_user().await?).await?;
    match (samples, file) {
        (Some(samples), Some(file)) => {
            crate::daemon::run_recording(&p, &samples, realtime, speak_replies, &file).await?
        }
        #[cfg(feature = "mic")]
        _ => {
            if let Err(e) = crate::daemon::run_mic(&p, &config.voice.device, speak_replies, max_seconds).await {
                eprintln!("holomesh listen: {e}");
                return Ok(EXIT_USAGE);
            }
        }
        #[cfg(not(feature = "mic"))]
        _ => {}
    }
    Ok(0)
}
