//! How much the Wyoming server accepts and how long it waits.

use super::frame::FrameLimits;
use std::time::Duration;

/// Limits of the Wyoming server; [`ServerLimits::default`] suits Home Assistant.
#[derive(Debug, Clone)]
pub struct ServerLimits {
    /// Size limits for incoming frames.
    pub limits: FrameLimits,
    /// Longest utterance buffered per connection; longer audio is refused with an `error` event.
    pub max_audio_seconds: f64,
    /// A connection that sends nothing for this long is closed (`None`: never).
    pub idle_timeout: Option<Duration>,
    /// A write that makes no progress for this long closes the connection.
    pub write_timeout: Duration,
    /// Connections served at once; further ones get an `error` event and are closed.
    pub max_connections: usize,
    /// After shutdown is signalled, how long open connections may take to finish.
    pub shutdown_grace: Duration,
}

impl Default for ServerLimits {
    fn default() -> Self {
        Self {
            limits: FrameLimits::default(),
            max_audio_seconds: 60.0,
            idle_timeout: Some(Duration::from_secs(300)),
            write_timeout: Duration::from_secs(10),
            max_connections: 64,
            shutdown_grace: Duration::from_secs(5),
        }
    }
}
