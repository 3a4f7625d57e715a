//! Minimal YAML document tree that keeps the line and column of every node.

use std::collections::HashMap;
use std::path::Path;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use super::error::{Location, NluError};

/// A YAML value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(String, Node)>),
}

/// A YAML value with its position (1-based line and column).
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub line: usize,
    pub col: usize,
    /// True when the scalar was written with quotes (its text starts one column later).
    pub quoted: bool,
}

impl Node {
    /// Looks a key up in a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The scalar rendered as text, if it is a scalar.
    pub fn as_text(&self) -> Option<String> {
        match &self.value {
            Value::Str(s) => Some(s.clone()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(f.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Null | Value::Seq(_) | Value::Map(_) => None,
        }
    }

    /// A number, if the node is numeric.
    pub fn as_f64(&self) -> Option<f64> {
        match &self.value {
            Value::Int(i) => Some(*i as f64),
            Value::Float(f) => Some(*f),
            Value::Str(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    /// Converts the node to JSON (for slot values, context and metadata).
    pub fn to_json(&self) -> serde_json::Value {
        match &self.value {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Int(i) => serde_json::Value::from(*i),
            Value::Float(f) => {
                serde_json::Number::from_f64(*f).map(serde_json::Value::Number).unwrap_or(serde_json::Value::Null)
            }
            Value::Str(s) => serde_json::Value::String(s.clone()),
            Value::Seq(items) => serde_json::Value::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => {
                serde_json::Value::Object(entries.iter().map(|(k, v)| (k.clone(), v.to_json())).collect())
            }
        }
    }
}

enum Frame {
    Seq(Node, usize),
    Map(Node, usize, Option<String>),
}

struct Builder {
    stack: Vec<Frame>,
    docs: Vec<Node>,
    anchors: HashMap<usize, Node>,
    error: Option<String>,
}

fn plain_scalar(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => Value::Null,
        "true" | "True" | "TRUE" => Value::Bool(true),
        "false" | "False" | "FALSE" => Value::Bool(false),
        _ => {
            if let Ok(i) = text.parse::<i64>() {
                Value::Int(i)
            } else if text.chars().any(|c| c.is_ascii_digit())
                && text.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'))
            {
                text.parse::<f64>().map(Value::Float).unwrap_or_else(|_| Value::Str(text.to_string()))
            } else {
                Value::Str(text.to_string())
            }
        }
    }
}

impl Builder {
    fn push_value(&mut self, node: Node, anchor: usize) {
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => self.docs.push(node),
            Some(Frame::Seq(seq, _)) => {
                if let Value::Seq(items) = &mut seq.value {
                    items.push(node);
                }
            }
            Some(Frame::Map(map, _, key)) => match key.take() {
                None => match node.as_text() {
                    Some(k) => *key = Some(k),
                    None => *key = Some(String::new()),
                },
                Some(k) => {
                    if let Value::Map(entries) = &mut map.value {
                        entries.push((k, node));
                    }
                }
            },
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        let (line, col) = (mark.line(), mark.col() + 1);
        let node = |value| Node { value, line, col, quoted: false };
        match ev {
            Event::Scalar(text, style, anchor, _tag) => {
                let quoted = !matches!(style, TScalarStyle::Plain);
                let value = if quoted { Value::Str(text) } else { plain_scalar(&text) };
                let mut n = node(value);
                n.quoted = matches!(style, TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted);
                self.push_value(n, anchor);
            }
            Event::SequenceStart(anchor, _) => self.stack.push(Frame::Seq(node(Value::Seq(Vec::new())), anchor)),
            Event::MappingStart(anchor, _) => self.stack.push(Frame::Map(node(Value::Map(Vec::new())), anchor, None)),
            Event::SequenceEnd | Event::MappingEnd => match self.stack.pop() {
                Some(Frame::Seq(n, anchor)) | Some(Frame::Map(n, anchor, _)) => self.push_value(n, anchor),
                None => self.error = Some("unbalanced YAML structure".into()),
            },
            Event::Alias(id) => match self.anchors.get(&id).cloned() {
                Some(n) => self.push_value(n, 0),
                None => self.error = Some(format!("unknown alias {id}")),
            },
            _ => {}
        }
    }
}

/// Parses YAML text; `file` is only used for error locations.
pub fn parse_str(text: &str, file: &Path) -> Result<Node, NluError> {
    let mut builder = Builder { stack: Vec::new(), docs: Vec::new(), anchors: HashMap::new(), error: None };
    let mut parser = Parser::new_from_str(text);
    if let Err(e) = parser.load(&mut builder, false) {
        return Err(NluError::Yaml {
            at: Location { file: file.to_path_buf(), line: e.marker().line(), column: e.marker().col() + 1 },
            message: e.info().to_string(),
        });
    }
    if let Some(message) = builder.error {
        return Err(NluError::Yaml { at: Location { file: file.to_path_buf(), line: 1, column: 1 }, message });
    }
    Ok(builder.docs.into_iter().next().unwrap_or(Node { value: Value::Null, line: 1, col: 1, quoted: false }))
}

/// Reads and parses a YAML file.
pub fn parse_file(path: &Path) -> Result<Node, NluError> {
    let text = std::fs::read_to_string(path).map_err(|source| NluError::Io { path: path.to_path_buf(), source })?;
    parse_str(&text, path)
}
