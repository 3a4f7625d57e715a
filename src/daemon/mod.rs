//! The voice daemon behind `holomesh listen`: microphone capture (feature `mic`),
//! the loop that splits sound into utterances and runs them through the pipeline,
//! and spoken replies.

#[cfg(feature = "mic")]
pub mod mic;
mod run;

#[cfg(feature = "mic")]
pub use run::run_mic;
pub use run::run_recording;

/// Speaks a reply through espeak-ng (when the daemon owns a speaker).
pub async fn speak(text: &str) {
    let run = tokio::process::Command::new("espeak-ng").args(["-v", "en-us", "-s", "165"]).arg(text).status().await;
    if let Err(e) = run {
        tracing::warn!(error = %e, "cannot speak the reply: is espeak-ng installed?");
    }
}
