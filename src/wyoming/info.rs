//! Service description sent in answer to `describe`: the programs (asr, handle, intent) this server offers.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Who made an artifact and where it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Attribution {
    pub name: String,
    pub url: String,
}

/// A model of a program, with the languages it supports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Model {
    pub name: String,
    #[serde(default)]
    pub attribution: Attribution,
    #[serde(default)]
    pub installed: bool,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub languages: Vec<String>,
}

/// Fields shared by every program kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Program {
    pub name: String,
    #[serde(default)]
    pub attribution: Attribution,
    #[serde(default)]
    pub installed: bool,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub models: Vec<Model>,
}

/// A speech-to-text program.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AsrProgram {
    #[serde(flatten)]
    pub program: Program,
    /// This server answers with one `transcript`, not `transcript-start/-chunk/-stop`.
    #[serde(default)]
    pub supports_transcript_streaming: bool,
}

/// A transcript-handling program (a conversation agent that answers `handled` / `not-handled`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandleProgram {
    #[serde(flatten)]
    pub program: Program,
    #[serde(default)]
    pub supports_handled_streaming: bool,
    /// True if handling may control the home (Home Assistant then offers the agent for control).
    #[serde(default)]
    pub supports_home_control: bool,
}

/// An intent-recognition program (answers `recognize` with `intent` / `not-recognized`).
///
/// Note: when Home Assistant sees an installed intent program it prefers it over the handle
/// program for naming the conversation agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntentProgram {
    #[serde(flatten)]
    pub program: Program,
}

/// What `info` lists. Kinds this server does not offer (tts, wake, mic, snd) are sent as empty lists.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ServiceInfo {
    pub asr: Vec<AsrProgram>,
    pub handle: Vec<HandleProgram>,
    pub intent: Vec<IntentProgram>,
}

const UNOFFERED_KINDS: [&str; 4] = ["tts", "wake", "mic", "snd"];

impl ServiceInfo {
    /// The `info` event data.
    pub fn to_data(&self) -> Result<Map<String, Value>, serde_json::Error> {
        let mut data = Map::new();
        data.insert("asr".into(), serde_json::to_value(&self.asr)?);
        data.insert("handle".into(), serde_json::to_value(&self.handle)?);
        data.insert("intent".into(), serde_json::to_value(&self.intent)?);
        for kind in UNOFFERED_KINDS {
            data.insert(kind.into(), Value::Array(Vec::new()));
        }
        Ok(data)
    }

    /// Parses `info` event data; unknown kinds and fields are ignored.
    pub fn from_data(data: &Map<String, Value>) -> Result<Self, serde_json::Error> {
        fn list<T: serde::de::DeserializeOwned>(
            data: &Map<String, Value>,
            key: &str,
        ) -> Result<Vec<T>, serde_json::Error> {
            match data.get(key) {
                None | Some(Value::Null) => Ok(Vec::new()),
                Some(value) => serde_json::from_value(value.clone()),
            }
        }
        Ok(Self { asr: list(data, "asr")?, handle: list(data, "handle")?, intent: list(data, "intent")? })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn program(name: &str) -> Program {
        Program {
            name: name.into(),
            attribution: Attribution { name: "HoloMesh".into(), url: "https://example.invalid".into() },
            installed: true,
            description: None,
            version: Some("0.1.0".into()),
            models: vec![Model {
                name: "m".into(),
                attribution: Attribution::default(),
                installed: true,
                description: Some("d".into()),
                version: None,
                languages: vec!["en".into()],
            }],
        }
    }

    #[test]
    fn info_round_trips_and_lists_every_kind() {
        let info = ServiceInfo {
            asr: vec![AsrProgram { program: program("stt"), supports_transcript_streaming: false }],
            handle: vec![HandleProgram {
                program: program("agent"),
                supports_handled_streaming: false,
                supports_home_control: false,
            }],
            intent: vec![],
        };
        let data = info.to_data().unwrap_or_default();
        for kind in ["asr", "tts", "handle", "intent", "wake", "mic", "snd"] {
            assert!(data.get(kind).is_some_and(Value::is_array), "{kind} missing");
        }
        // Optional fields are present as null, which the Python client accepts.
        assert_eq!(data["asr"][0]["description"], Value::Null);
        assert_eq!(data["asr"][0]["models"][0]["languages"][0], "en");
        assert_eq!(ServiceInfo::from_data(&data).ok(), Some(info));
    }
}
