//! One Wyoming connection: reads events, runs the speech-to-text, handle and intent flows, writes answers.
//!
//! Errors in the speech-to-text flow (bad audio format, audio over the cap, a failed
//! transcription) send an `error` event and then close the connection, because a client waiting
//! for `transcript` (Home Assistant does) otherwise never stops waiting. A malformed frame also
//! closes the connection, since the stream can no longer be trusted to be in sync.

use std::sync::Arc;

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::net::tcp::OwnedWriteHalf;
use tokio::sync::watch;

use super::audio::{BufferError, UtteranceBuffer, validate};
use super::events::{
    AudioChunk, AudioStart, Entity, ErrorEvent, Event, EventError, Intent, PingText, Reply, Transcribe, TranscriptEvent,
};
use super::frame::{FrameError, encode_frame, read_frame};
use super::handler::{HandleOutcome, WyomingHandler};
use super::info::ServiceInfo;
use super::limits::ServerLimits;

/// Whether the connection goes on after an event.
#[derive(Debug, PartialEq, Eq)]
enum Flow {
    Continue,
    Close,
}

/// State of the speech-to-text flow on one connection.
#[derive(Debug)]
struct AsrState {
    /// Language from the last `transcribe`, reported back with the transcript.
    language: Option<String>,
    /// True between `audio-start` (or the first chunk) and `audio-stop`.
    active: bool,
    buffer: UtteranceBuffer,
}

struct Connection {
    writer: OwnedWriteHalf,
    handler: Arc<dyn WyomingHandler>,
    info: Arc<ServiceInfo>,
    config: Arc<ServerLimits>,
    asr: AsrState,
    /// Set once an `error` event was sent: closing then lingers so the client can read it.
    sent_error: bool,
}

/// Serves one connection until the client leaves, an error closes it, or shutdown is signalled.
pub(super) async fn run(
    stream: TcpStream,
    handler: Arc<dyn WyomingHandler>,
    info: Arc<ServiceInfo>,
    config: Arc<ServerLimits>,
    mut stop: watch::Receiver<bool>,
) {
    tracing::debug!("connection opened");
    let (read_half, writer) = stream.into_split();
    let mut reader = BufReader::new(read_half);
    let asr = AsrState { language: None, active: false, buffer: UtteranceBuffer::new(config.max_audio_seconds) };
    let mut conn = Connection { writer, handler, info, config, asr, sent_error: false };

    loop {
        if *stop.borrow() {
            break;
        }
        let limits = conn.config.limits;
        let idle = conn.config.idle_timeout;
        let read = async {
            match idle {
                Some(limit) => tokio::time::timeout(limit, read_frame(&mut reader, &limits)).await.ok(),
                None => Some(read_frame(&mut reader, &limits).await),
            }
        };
        let result = tokio::select! {
            result = read => result,
            _ = stop.changed() => break,
        };
        let flow = match result {
            None => {
                tracing::debug!("closing idle connection");
                Flow::Close
            }
            Some(Ok(None)) => Flow::Close,
            Some(Ok(Some(frame))) => match Event::from_frame(frame) {
                Ok(event) => conn.dispatch(event).await,
                Err(err) => conn.invalid_event(err).await,
            },
            Some(Err(err)) if err.is_disconnect() => {
                tracing::debug!(error = %err, "client went away");
                Flow::Close
            }
            Some(Err(err)) => {
                tracing::warn!(error = %err, "malformed frame; closing connection");
                conn.send_error(format!("malformed frame: {err}"), "malformed-frame").await;
                Flow::Close
            }
        };
        if flow == Flow::Close {
            break;
        }
    }

    let _ = tokio::time::timeout(conn.config.write_timeout, conn.writer.shutdown()).await;
    if conn.sent_error {
        linger(&mut reader, &mut stop).await;
    }
    tracing::debug!("connection closed");
}

/// Discards what the client still sends for a moment after our side closed, so that closing a
/// socket with unread input (which makes the kernel send a reset) does not destroy the `error`
/// event before the client has read it.
async fn linger(reader: &mut BufReader<tokio::net::tcp::OwnedReadHalf>, stop: &mut watch::Receiver<bool>) {
    const MAX_BYTES: u64 = 1024 * 1024;
    let drain = async {
        let _ = tokio::io::copy(&mut reader.take(MAX_BYTES), &mut tokio::io::sink()).await;
    };
    if *stop.borrow() {
        return;
    }
    tokio::select! {
        _ = tokio::time::timeout(LINGER, drain) => {}
        _ = stop.changed() => {}
    }
}

const LINGER: std::time::Duration = std::time::Duration::from_secs(2);

impl Connection {
    async fn dispatch(&mut self, event: Event) -> Flow {
        match event {
            Event::Describe => {
                let info = Event::Info((*self.info).clone());
                self.send(&info).await
            }
            Event::Ping(PingText { text }) => self.send(&Event::Pong(PingText { text })).await,
            Event::Transcribe(request) => self.on_transcribe(request),
            Event::AudioStart(start) => self.on_audio_start(start).await,
            Event::AudioChunk(chunk) => self.on_audio_chunk(chunk).await,
            Event::AudioStop(_) => self.on_audio_stop().await,
            Event::Transcript(transcript) => self.on_transcript(transcript).await,
            Event::Recognize(request) => self.on_recognize(request.text).await,
            Event::Unknown(frame) => {
                tracing::debug!(event_type = %frame.event_type, "ignoring unknown event");
                Flow::Continue
            }
            other => {
                tracing::debug!(event_type = %other.event_type(), "ignoring event not meant for a server");
                Flow::Continue
            }
        }
    }

    fn on_transcribe(&mut self, request: Transcribe) -> Flow {
        tracing::debug!(language = ?request.language, model = ?request.name, "transcribe requested");
        self.asr.language = request.language;
        self.asr.active = false;
        self.asr.buffer.take_16k();
        Flow::Continue
    }

    async fn on_audio_start(&mut self, start: AudioStart) -> Flow {
        if let Err(err) = validate(&start.format) {
            return self.fail_asr(err.to_string(), "audio-format").await;
        }
        self.asr.buffer.take_16k();
        self.asr.active = true;
        Flow::Continue
    }

    async fn on_audio_chunk(&mut self, chunk: AudioChunk) -> Flow {
        // Audio without a preceding `audio-start` starts an utterance implicitly.
        self.asr.active = true;
        match self.asr.buffer.push(&chunk.audio, &chunk.format) {
            Ok(()) => Flow::Continue,
            Err(err @ BufferError::TooLong(_)) => self.fail_asr(err.to_string(), "audio-too-long").await,
            Err(err) => self.fail_asr(err.to_string(), "audio-format").await,
        }
    }

    async fn on_audio_stop(&mut self) -> Flow {
        if !self.asr.active {
            return self.fail_asr("audio-stop without any audio".into(), "no-audio").await;
        }
        self.asr.active = false;
        let seconds = self.asr.buffer.seconds();
        let samples = self.asr.buffer.take_16k();
        let language = self.asr.language.take();
        tracing::debug!(seconds, samples = samples.len(), "transcribing utterance");
        match self.handler.transcribe(samples, language.clone()).await {
            Ok(text) => self.send(&Event::Transcript(TranscriptEvent { text, language, context: None })).await,
            Err(reason) => {
                tracing::warn!(%reason, "transcription failed");
                self.fail_asr(format!("transcription failed: {reason}"), "transcribe-failed").await
            }
        }
    }

    async fn on_transcript(&mut self, transcript: TranscriptEvent) -> Flow {
        let context = transcript.context.unwrap_or(Value::Null);
        let reply = match self.handler.handle(transcript.text, context).await {
            HandleOutcome::Handled(text) => Event::Handled(Reply { text: Some(text), context: None }),
            HandleOutcome::NotHandled(text) => Event::NotHandled(Reply { text: Some(text), context: None }),
        };
        self.send(&reply).await
    }

    async fn on_recognize(&mut self, text: String) -> Flow {
        let reply = match self.handler.recognize(text).await {
            Some((name, entities)) => Event::Intent(Intent {
                name,
                entities: entities.into_iter().map(|(name, value)| Entity { name, value }).collect(),
                text: None,
                context: None,
            }),
            None => Event::NotRecognized(Reply::default()),
        };
        self.send(&reply).await
    }

    /// A frame of a known type with data that does not fit it.
    async fn invalid_event(&mut self, err: EventError) -> Flow {
        tracing::warn!(error = %err, "invalid event");
        let in_asr_flow = matches!(err.event_type.as_str(), "audio-start" | "audio-chunk" | "audio-stop");
        if in_asr_flow {
            return self.fail_asr(err.to_string(), "invalid-event").await;
        }
        self.send_error(err.to_string(), "invalid-event").await;
        Flow::Continue
    }

    /// Abandons the utterance, reports why, and closes the connection.
    async fn fail_asr(&mut self, text: String, code: &str) -> Flow {
        tracing::warn!(%text, code, "speech-to-text request refused");
        self.asr.active = false;
        self.asr.buffer.take_16k();
        self.send_error(text, code).await;
        Flow::Close
    }

    async fn send_error(&mut self, text: String, code: &str) {
        self.sent_error = true;
        let event = Event::Error(ErrorEvent { text, code: Some(code.into()) });
        let _ = self.send(&event).await;
    }

    /// Writes one event; a failed or stalled write closes the connection.
    async fn send(&mut self, event: &Event) -> Flow {
        let bytes = match event.to_frame().map_err(FrameError::InvalidDataJson).and_then(|f| encode_frame(&f)) {
            Ok(bytes) => bytes,
            Err(err) => {
                tracing::error!(error = %err, event_type = %event.event_type(), "could not encode event");
                return Flow::Close;
            }
        };
        let write = async {
            self.writer.write_all(&bytes).await?;
            self.writer.flush().await
        };
        match tokio::time::timeout(self.config.write_timeout, write).await {
            Ok(Ok(())) => Flow::Continue,
            Ok(Err(err)) => {
                tracing::debug!(error = %err, "write failed");
                Flow::Close
            }
            Err(_) => {
                tracing::warn!("write timed out");
                Flow::Close
            }
        }
    }
}
