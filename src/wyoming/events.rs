//! Typed Wyoming events and their conversion to and from [`Frame`]s.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::frame::Frame;
use super::info::ServiceInfo;

/// `transcribe`: announces the audio that follows.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Transcribe {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<Value>,
}

/// Format of PCM audio: samples per second, bytes per sample, interleaved channels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AudioFormat {
    pub rate: u32,
    pub width: u32,
    pub channels: u32,
}

/// `audio-start`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AudioStart {
    #[serde(flatten)]
    pub format: AudioFormat,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<i64>,
}

/// `audio-chunk`: format in the data, PCM in the payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AudioChunk {
    pub format: AudioFormat,
    pub timestamp: Option<i64>,
    pub audio: Vec<u8>,
}

/// `audio-stop`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AudioStop {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<i64>,
}

/// `transcript`: the result of speech-to-text, or (sent to a handle program) the text to handle.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TranscriptEvent {
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<Value>,
}

/// `recognize`: text to turn into an intent.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Recognize {
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<Value>,
}

/// A named entity of an intent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entity {
    pub name: String,
    #[serde(default)]
    pub value: Value,
}

/// `intent`: a recognized intent.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Intent {
    pub name: String,
    #[serde(default)]
    pub entities: Vec<Entity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<Value>,
}

/// Body of `not-recognized`, `handled` and `not-handled`: optional human-readable text.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Reply {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<Value>,
}

/// `error`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ErrorEvent {
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

/// `ping` / `pong`: the text is echoed back.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PingText {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// Every event this module understands; anything else is kept as [`Event::Unknown`].
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Describe,
    Info(ServiceInfo),
    Transcribe(Transcribe),
    AudioStart(AudioStart),
    AudioChunk(AudioChunk),
    AudioStop(AudioStop),
    Transcript(TranscriptEvent),
    Recognize(Recognize),
    Intent(Intent),
    NotRecognized(Reply),
    Handled(Reply),
    NotHandled(Reply),
    Error(ErrorEvent),
    Ping(PingText),
    Pong(PingText),
    /// An event type this module does not know; the frame is kept as received.
    Unknown(Frame),
}

/// A frame of a known type whose data does not fit that type.
#[derive(Debug, thiserror::Error)]
#[error("invalid `{event_type}` event: {source}")]
pub struct EventError {
    pub event_type: String,
    #[source]
    pub source: serde_json::Error,
}

fn parse<T: DeserializeOwned>(frame: &Frame) -> Result<T, EventError> {
    serde_json::from_value(Value::Object(frame.data.clone()))
        .map_err(|source| EventError { event_type: frame.event_type.clone(), source })
}

fn to_map<T: Serialize>(value: &T) -> Result<Map<String, Value>, serde_json::Error> {
    match serde_json::to_value(value)? {
        Value::Object(map) => Ok(map),
        _ => Ok(Map::new()),
    }
}

impl Event {
    /// The wire name of this event.
    pub fn event_type(&self) -> &str {
        match self {
            Event::Describe => "describe",
            Event::Info(_) => "info",
            Event::Transcribe(_) => "transcribe",
            Event::AudioStart(_) => "audio-start",
            Event::AudioChunk(_) => "audio-chunk",
            Event::AudioStop(_) => "audio-stop",
            Event::Transcript(_) => "transcript",
            Event::Recognize(_) => "recognize",
            Event::Intent(_) => "intent",
            Event::NotRecognized(_) => "not-recognized",
            Event::Handled(_) => "handled",
            Event::NotHandled(_) => "not-handled",
            Event::Error(_) => "error",
            Event::Ping(_) => "ping",
            Event::Pong(_) => "pong",
            Event::Unknown(frame) => &frame.event_type,
        }
    }

    /// Decodes a frame. Unknown types become [`Event::Unknown`]; known types with bad data are errors.
    pub fn from_frame(frame: Frame) -> Result<Self, EventError> {
        let event = match frame.event_type.as_str() {
            "describe" => Event::Describe,
            "info" => Event::Info(
                ServiceInfo::from_data(&frame.data)
                    .map_err(|source| EventError { event_type: frame.event_type.clone(), source })?,
            ),
            "transcribe" => Event::Transcribe(parse(&frame)?),
            "audio-start" => Event::AudioStart(parse(&frame)?),
            "audio-chunk" => {
                let start: AudioStart = parse(&frame)?;
                Event::AudioChunk(AudioChunk { format: start.format, timestamp: start.timestamp, audio: frame.payload })
            }
            "audio-stop" => Event::AudioStop(parse(&frame)?),
            "transcript" => Event::Transcript(parse(&frame)?),
            "recognize" => Event::Recognize(parse(&frame)?),
            "intent" => Event::Intent(parse(&frame)?),
            "not-recognized" => Event::NotRecognized(parse(&frame)?),
            "handled" => Event::Handled(parse(&frame)?),
            "not-handled" => Event::NotHandled(parse(&frame)?),
            "error" => Event::Error(parse(&frame)?),
            "ping" => Event::Ping(parse(&frame)?),
            "pong" => Event::Pong(parse(&frame)?),
            _ => Event::Unknown(frame),
        };
        Ok(event)
    }

    /// Encodes this event as a frame.
    pub fn to_frame(&self) -> Result<Frame, serde_json::Error> {
        let data = match self {
            Event::Describe => Map::new(),
            Event::Info(info) => info.to_data()?,
            Event::Transcribe(v) => to_map(v)?,
            Event::AudioStart(v) => to_map(v)?,
            Event::AudioChunk(chunk) => {
                let start = AudioStart { format: chunk.format, timestamp: chunk.timestamp };
                return Ok(Frame::new("audio-chunk").with_data(to_map(&start)?).with_payload(chunk.audio.clone()));
            }
            Event::AudioStop(v) => to_map(v)?,
            Event::Transcript(v) => to_map(v)?,
            Event::Recognize(v) => to_map(v)?,
            Event::Intent(v) => to_map(v)?,
            Event::NotRecognized(v) | Event::Handled(v) | Event::NotHandled(v) => to_map(v)?,
            Event::Error(v) => to_map(v)?,
            Event::Ping(v) | Event::Pong(v) => to_map(v)?,
            Event::Unknown(frame) => return Ok(frame.clone()),
        };
        Ok(Frame::new(self.event_type()).with_data(data))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn frame(event_type: &str, data: Value) -> Frame {
        let data = match data {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        Frame::new(event_type).with_data(data)
    }

    #[test]
    fn decodes_python_shaped_events() {
        let f = frame("audio-chunk", json!({"rate": 16000, "width": 2, "channels": 1, "timestamp": null}))
            .with_payload(vec![0, 1]);
        let Ok(Event::AudioChunk(chunk)) = Event::from_frame(f) else { panic!("not an audio chunk") };
        assert_eq!(chunk.format, AudioFormat { rate: 16000, width: 2, channels: 1 });
        assert_eq!(chunk.audio, vec![0, 1]);

        let f = frame("ping", json!({"text": null}));
        assert_eq!(Event::from_frame(f).ok(), Some(Event::Ping(PingText { text: None })));

        let f = frame("transcript", json!({"text": "hi", "context": {"conversation_id": "c1"}, "extra": 1}));
        let Ok(Event::Transcript(t)) = Event::from_frame(f) else { panic!("not a transcript") };
        assert_eq!(t.context, Some(json!({"conversation_id": "c1"})));
    }

    #[test]
    fn unknown_types_are_kept_and_bad_data_is_an_error() {
        let f = frame("synthesize", json!({"text": "x"}));
        assert!(matches!(Event::from_frame(f), Ok(Event::Unknown(ref u)) if u.event_type == "synthesize"));
        let err = Event::from_frame(frame("audio-start", json!({"rate": 16000}))).err();
        assert!(err.is_some_and(|e| e.event_type == "audio-start"));
        assert!(Event::from_frame(frame("transcript", json!({}))).is_err());
    }

    #[test]
    fn intent_encodes_entities() {
        let event = Event::Intent(Intent {
            name: "BuyDesign".into(),
            entities: vec![Entity { name: "design".into(), value: json!("uart16550") }],
            text: None,
            context: None,
        });
        let f = event.to_frame().unwrap_or_default();
        assert_eq!(f.event_type, "intent");
        assert_eq!(
            Value::Object(f.data.clone()),
            json!({"name": "BuyDesign", "entities": [{"name": "design", "value": "uart16550"}]})
        );
        assert_eq!(Event::from_frame(f).ok(), Some(event));
    }
}
