//! The `schema` check: required record fields are present and have the right types.

use super::keys::parse_public_key;
use super::rules;
use serde_json::{Map, Value};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

type Obj = Map<String, Value>;

/// Every schema problem found, each prefixed with its JSON path. Empty means valid.
pub fn schema_problems(record: &Value) -> Vec<String> {
    let mut p = Problems(Vec::new());
    let Some(root) = record.as_object() else {
        p.add("$", "record must be a JSON object");
        return p.0;
    };
    p.string(root, "$", "name", Required::NonEmpty);
    p.string(root, "$", "description", Required::Yes);
    p.string(root, "$", "image", Required::Optional);
    p.string(root, "$", "external_url", Required::Optional);
    if let Some(attrs) = p.array(root, "$", "attributes") {
        for (i, attr) in attrs.iter().enumerate() {
            let path = format!("$.attributes[{i}]");
            if let Some(a) = p.object_at(attr, &path) {
                p.string(a, &path, "trait_type", Required::NonEmpty);
                match a.get("value") {
                    Some(Value::String(_) | Value::Number(_)) => {}
                    _ => p.add(&format!("{path}.value"), "must be a string or number"),
                }
            }
        }
    }
    if let Some(props) = root.get("properties").and_then(|v| p.object_at(v, "$.properties")) {
        properties(&mut p, props);
    } else if !root.contains_key("properties") {
        p.add("$.properties", "missing");
    }
    match root.get("signatures") {
        Some(Value::Array(sigs)) => {
            for (i, sig) in sigs.iter().enumerate() {
                let path = format!("$.signatures[{i}]");
                if let Some(s) = p.object_at(sig, &path) {
                    p.string(s, &path, "pubkey", Required::NonEmpty);
                    p.string(s, &path, "sig", Required::NonEmpty);
                }
            }
        }
        Some(_) => p.add("$.signatures", "must be an array"),
        None => p.add("$.signatures", "missing (the record is unsigned)"),
    }
    p.0
}

fn properties(p: &mut Problems, props: &Obj) {
    let path = "$.properties";
    if let Some(v) = p.string(props, path, "vlnv", Required::NonEmpty) {
        p.rule(&format!("{path}.vlnv"), rules::check_vlnv(v));
    }
    if let Some(v) = p.string(props, path, "licence", Required::NonEmpty) {
        p.rule(&format!("{path}.licence"), rules::check_licence(v));
    }
    match props.get("content") {
        Some(c) => {
            if let Some(c) = p.object_at(c, "$.properties.content") {
                let cpath = "$.properties.content";
                if let Some(h) = p.string(c, cpath, "sha256", Required::NonEmpty) {
                    p.rule(&format!("{cpath}.sha256"), rules::check_sha256_hex(h));
                }
                match c.get("size").map(Value::as_u64) {
                    Some(Some(n)) if n <= rules::MAX_CONTENT_SIZE => {}
                    Some(Some(_)) => p.add(&format!("{cpath}.size"), "exceeds 2^53"),
                    Some(None) => p.add(&format!("{cpath}.size"), "must be a non-negative integer"),
                    None => p.add(&format!("{cpath}.size"), "missing"),
                }
            }
        }
        None => p.add("$.properties.content", "missing"),
    }
    if let Some(authors) = p.array(props, path, "authors") {
        if authors.is_empty() {
            p.add("$.properties.authors", "must list at least one author");
        }
        authors_list(p, authors);
    }
    match props.get("royalty_bps") {
        Some(v) if v.is_i64() || v.is_u64() => {}
        Some(_) => p.add("$.properties.royalty_bps", "must be an integer"),
        None => p.add("$.properties.royalty_bps", "missing"),
    }
    match props.get("prev_version") {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) => p.rule("$.properties.prev_version", rules::check_vlnv(s)),
        Some(_) => p.add("$.properties.prev_version", "must be null or a VLNV string"),
    }
    if let Some(ts) = p.string(props, path, "created_at", Required::NonEmpty)
        && OffsetDateTime::parse(ts, &Rfc3339).is_err()
    {
        p.add("$.properties.created_at", "must be an RFC 3339 timestamp");
    }
}

fn authors_list(p: &mut Problems, authors: &[Value]) {
    let mut ids: Vec<&str> = Vec::new();
    let mut keys = Vec::new();
    for (i, author) in authors.iter().enumerate() {
        let path = format!("$.properties.authors[{i}]");
        let Some(a) = p.object_at(author, &path) else {
            continue;
        };
        if let Some(id) = p.string(a, &path, "id", Required::NonEmpty) {
            if uuid::Uuid::parse_str(id).is_err() {
                p.add(&format!("{path}.id"), "must be a UUID");
            } else if ids.contains(&id) {
                p.add(&format!("{path}.id"), "duplicate author id");
            }
            ids.push(id);
        }
        if let Some(pk) = p.string(a, &path, "pubkey", Required::NonEmpty) {
            match parse_public_key(pk) {
                Ok(k) if keys.contains(&k) => p.add(&format!("{path}.pubkey"), "duplicate author key"),
                Ok(k) => keys.push(k),
                Err(e) => p.add(&format!("{path}.pubkey"), &e.to_string()),
            }
        }
        match a.get("share_bps") {
            Some(v) if v.is_i64() || v.is_u64() => {}
            Some(_) => p.add(&format!("{path}.share_bps"), "must be an integer"),
            None => p.add(&format!("{path}.share_bps"), "missing"),
        }
    }
}

enum Required {
    Yes,
    NonEmpty,
    Optional,
}

struct Problems(Vec<String>);

impl Problems {
    fn add(&mut self, path: &str, msg: &str) {
        self.0.push(format!("{path}: {msg}"));
    }

    fn rule(&mut self, path: &str, result: Result<(), String>) {
        if let Err(msg) = result {
            self.add(path, &msg);
        }
    }

    fn object_at<'a>(&mut self, v: &'a Value, path: &str) -> Option<&'a Obj> {
        let obj = v.as_object();
        if obj.is_none() {
            self.add(path, "must be an object");
        }
        obj
    }

    fn array<'a>(&mut self, obj: &'a Obj, path: &str, key: &str) -> Option<&'a Vec<Value>> {
        match obj.get(key) {
            Some(Value::Array(a)) => Some(a),
            Some(_) => {
                self.add(&format!("{path}.{key}"), "must be an array");
                None
            }
            None => {
                self.add(&format!("{path}.{key}"), "missing");
                None
            }
        }
    }

    fn string<'a>(&mut self, obj: &'a Obj, path: &str, key: &str, req: Required) -> Option<&'a str> {
        match (obj.get(key), req) {
            (None, Required::Optional) => None,
            (None, _) => {
                self.add(&format!("{path}.{key}"), "missing");
                None
            }
            (Some(Value::String(s)), Required::NonEmpty) if s.trim().is_empty() => {
                self.add(&format!("{path}.{key}"), "must not be empty");
                None
            }
            (Some(Value::String(s)), _) => Some(s),
            (Some(_), _) => {
                self.add(&format!("{path}.{key}"), "must be a string");
                None
            }
        }
    }
}
