//! Typed slot values and match results, serialised to the JSON of the API.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

pub use super::money::Money;

/// How often a subscription notifies or buys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    Immediate,
    Daily,
    Weekly,
    Off,
}

/// A named time period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    Today,
    ThisWeek,
    LastWeek,
    ThisMonth,
    LastMonth,
}

/// A typed slot value (serialised untagged: a string, number, bool or money object).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum SlotValue {
    Text(String),
    /// A stored handle (e.g. a designer's), resolved from what was heard.
    Handle(String),
    Money(Money),
    Frequency(Frequency),
    Period(Period),
    Rating(u8),
    Bool(bool),
    Number(serde_json::Number),
    /// Any other list output.
    Json(Json),
}

/// The type a slot's value is converted to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlotKind {
    Text,
    Handle,
    Money,
    Frequency,
    Period,
    Rating,
    Bool,
    Number,
    Raw,
}

/// Slot kinds of the marketplace intents.
pub fn marketplace_slot_kinds() -> BTreeMap<String, SlotKind> {
    [
        ("designer", SlotKind::Handle),
        ("chip", SlotKind::Text),
        ("max_price", SlotKind::Money),
        ("frequency", SlotKind::Frequency),
        ("period", SlotKind::Period),
        ("rating", SlotKind::Rating),
        ("enabled", SlotKind::Bool),
        ("auto_purchase", SlotKind::Bool),
        ("query", SlotKind::Text),
        ("preference", SlotKind::Text),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

fn number(v: f64) -> Option<serde_json::Number> {
    if v.fract() == 0.0 && v.abs() < 9e15 {
        Some(serde_json::Number::from(v as i64))
    } else {
        serde_json::Number::from_f64(v)
    }
}

impl SlotValue {
    /// A number value (integral numbers stay integers).
    pub fn number(v: f64) -> SlotValue {
        number(v).map_or(SlotValue::Json(Json::Null), SlotValue::Number)
    }

    /// Converts a raw list output to the slot's kind; `None` if it does not fit.
    pub fn convert(kind: SlotKind, raw: &Json) -> Option<SlotValue> {
        let text = match raw {
            Json::String(s) => Some(s.trim().to_string()),
            Json::Number(n) => Some(n.to_string()),
            Json::Bool(b) => Some(b.to_string()),
            _ => None,
        };
        match kind {
            SlotKind::Raw => Some(match raw {
                Json::String(s) => SlotValue::Text(s.clone()),
                Json::Number(n) => SlotValue::Number(n.clone()),
                Json::Bool(b) => SlotValue::Bool(*b),
                other => SlotValue::Json(other.clone()),
            }),
            SlotKind::Text => text.map(SlotValue::Text),
            SlotKind::Handle => text.map(SlotValue::Handle),
            SlotKind::Money => serde_json::from_value(raw.clone()).ok().map(SlotValue::Money),
            SlotKind::Frequency => serde_json::from_value(Json::String(text?)).ok().map(SlotValue::Frequency),
            SlotKind::Period => serde_json::from_value(Json::String(text?)).ok().map(SlotValue::Period),
            SlotKind::Rating => {
                let v: f64 = text?.parse().ok()?;
                (v.fract() == 0.0 && (1.0..=5.0).contains(&v)).then_some(SlotValue::Rating(v as u8))
            }
            SlotKind::Bool => match text?.to_lowercase().as_str() {
                "true" | "yes" | "on" | "1" | "enabled" => Some(SlotValue::Bool(true)),
                "false" | "no" | "off" | "0" | "disabled" => Some(SlotValue::Bool(false)),
                _ => None,
            },
            SlotKind::Number => text?.parse::<f64>().ok().map(SlotValue::number),
        }
    }

    /// The value as JSON.
    pub fn to_json(&self) -> Json {
        serde_json::to_value(self).unwrap_or(Json::Null)
    }
}

fn confidence<S: serde::Serializer>(v: &f32, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64((f64::from(*v) * 1000.0).round() / 1000.0)
}

/// How a match was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchStatus {
    /// Every slot matched its list exactly.
    Exact,
    /// A slot was resolved by sound-alike matching above the threshold.
    Fuzzy,
    /// A slot could not be resolved confidently; `alternatives` holds candidates and the slot is absent.
    NearMiss,
    /// No template matched as said; the closest one, allowing extra, missing and misheard words.
    Approximate,
    /// No template matched, not even approximately; the one closest in meaning, its slots
    /// found in what was said.
    Semantic,
}

/// A runner-up reading or a candidate for an unresolved slot.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alternative {
    pub intent: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slot: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<SlotValue>,
    /// The text the candidate stands for (a list value's spoken form or the template).
    pub text: String,
    #[serde(serialize_with = "confidence")]
    pub confidence: f32,
}

/// A recognised intent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Match {
    pub intent: String,
    pub slots: BTreeMap<String, SlotValue>,
    /// The template that matched.
    pub template: String,
    #[serde(serialize_with = "confidence")]
    pub confidence: f32,
    pub status: MatchStatus,
    pub alternatives: Vec<Alternative>,
    /// The text each slot was read from.
    #[serde(skip)]
    pub slot_text: BTreeMap<String, String>,
    /// The data block's metadata.
    #[serde(skip)]
    pub metadata: BTreeMap<String, Json>,
    /// Whether a free-text slot took part of the sentence (which may say something else).
    #[serde(skip)]
    pub free_text: bool,
    /// A reading of another intent about as likely as this one: the sentence is
    /// ambiguous, and the listener should be asked which was meant.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rival: Option<Box<Match>>,
}
