//! hassil YAML files turned into plain grammar data (intents, lists, rules, skip words).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value as Json;

use super::error::{Location, NluError};
use super::yaml::{self, Node, Value};

/// A sentence template and where it was written.
#[derive(Debug, Clone)]
pub struct Source {
    pub text: String,
    pub at: Location,
}

/// One `data` block of an intent.
#[derive(Debug, Clone, Default)]
pub struct DataBlock {
    pub intent: String,
    pub sentences: Vec<Source>,
    pub slots: BTreeMap<String, Json>,
    pub requires_context: BTreeMap<String, Json>,
    pub excludes_context: BTreeMap<String, Json>,
    pub metadata: BTreeMap<String, Json>,
    pub lists: BTreeMap<String, ListDef>,
    pub rules: BTreeMap<String, Source>,
}

/// A value of a text list.
#[derive(Debug, Clone, PartialEq)]
pub struct ListValue {
    /// The spoken form (may be a template such as `"(tv|television)"`).
    pub text: String,
    /// The slot value; `None` means the matched text.
    pub out: Option<Json>,
    pub context: BTreeMap<String, Json>,
    pub metadata: BTreeMap<String, Json>,
}

impl ListValue {
    /// A value whose spoken form is also its output.
    pub fn plain(text: impl Into<String>) -> Self {
        let text = text.into();
        ListValue { out: Some(Json::String(text.clone())), text, context: BTreeMap::new(), metadata: BTreeMap::new() }
    }

    /// A value with separate spoken form and output.
    pub fn new(text: impl Into<String>, out: impl Into<Json>) -> Self {
        ListValue { text: text.into(), out: Some(out.into()), context: BTreeMap::new(), metadata: BTreeMap::new() }
    }
}

/// A numeric range list.
#[derive(Debug, Clone, PartialEq)]
pub struct RangeDef {
    pub from: f64,
    pub to: f64,
    pub step: f64,
    pub multiplier: Option<f64>,
    pub fractions: bool,
}

/// A slot list definition.
#[derive(Debug, Clone, PartialEq)]
pub enum ListDef {
    Values(Vec<ListValue>),
    Range(RangeDef),
    Wildcard,
    /// A spoken amount of money (`wildcard: true` plus `type: money`; plain hassil sees a wildcard).
    Money,
}

/// Everything loaded from one or more YAML files.
#[derive(Debug, Clone, Default)]
pub struct Grammar {
    pub language: Option<String>,
    pub data: Vec<DataBlock>,
    pub lists: BTreeMap<String, ListDef>,
    pub rules: BTreeMap<String, Source>,
    pub skip_words: Vec<String>,
    /// Lists whose slots fall back to phonetic matching (`fuzzy: true`).
    pub fuzzy_lists: BTreeSet<String>,
}

fn loc(file: &Path, n: &Node) -> Location {
    Location { file: file.to_path_buf(), line: n.line, column: n.col + usize::from(n.quoted) }
}

fn json_map(node: Option<&Node>) -> BTreeMap<String, Json> {
    match node.map(|n| &n.value) {
        Some(Value::Map(entries)) => entries.iter().map(|(k, v)| (k.clone(), v.to_json())).collect(),
        _ => BTreeMap::new(),
    }
}

fn entries<'a>(node: &'a Node, file: &Path, what: &str) -> Result<&'a [(String, Node)], NluError> {
    match &node.value {
        Value::Map(e) => Ok(e),
        Value::Null => Ok(&[]),
        _ => Err(NluError::schema(loc(file, node), format!("{what} must be a mapping"))),
    }
}

fn items<'a>(node: &'a Node, file: &Path, what: &str) -> Result<&'a [Node], NluError> {
    match &node.value {
        Value::Seq(s) => Ok(s),
        Value::Null => Ok(&[]),
        _ => Err(NluError::schema(loc(file, node), format!("{what} must be a list"))),
    }
}

fn parse_value(node: &Node, file: &Path) -> Result<ListValue, NluError> {
    if let Some(text) = node.as_text() {
        let templated = text.contains(['(', '[', '{', '<', '|']);
        return Ok(ListValue {
            out: (!templated).then(|| node.to_json()),
            text,
            context: BTreeMap::new(),
            metadata: BTreeMap::new(),
        });
    }
    let Some(text) = node.get("in").and_then(Node::as_text) else {
        return Err(NluError::schema(loc(file, node), "list value needs `in`"));
    };
    Ok(ListValue {
        text,
        out: node.get("out").map(Node::to_json),
        context: json_map(node.get("context")),
        metadata: json_map(node.get("metadata")),
    })
}

/// Parses one list definition (`values`, `range` or `wildcard`).
pub fn parse_list(node: &Node, file: &Path) -> Result<ListDef, NluError> {
    if let Some(values) = node.get("values") {
        let vals =
            items(values, file, "values")?.iter().map(|v| parse_value(v, file)).collect::<Result<Vec<_>, _>>()?;
        return Ok(ListDef::Values(vals));
    }
    if let Some(range) = node.get("range") {
        let num = |k: &str| range.get(k).and_then(Node::as_f64);
        let (Some(from), Some(to)) = (num("from"), num("to")) else {
            return Err(NluError::schema(loc(file, range), "range needs `from` and `to`"));
        };
        let step = num("step").unwrap_or(1.0);
        if step <= 0.0 {
            return Err(NluError::schema(loc(file, range), "range step must be positive"));
        }
        return Ok(ListDef::Range(RangeDef {
            from,
            to,
            step,
            multiplier: num("multiplier"),
            fractions: range.get("fractions").is_some(),
        }));
    }
    if node.get("wildcard").is_some_and(|w| w.value == Value::Bool(true)) {
        let typed = node.get("type").and_then(Node::as_text);
        return Ok(match typed.as_deref() {
            Some("money") => ListDef::Money,
            _ => ListDef::Wildcard,
        });
    }
    Err(NluError::schema(loc(file, node), "list needs `values`, `range` or `wildcard: true`"))
}

fn parse_lists(
    node: Option<&Node>,
    file: &Path,
    out: &mut BTreeMap<String, ListDef>,
    fuzzy: &mut BTreeSet<String>,
) -> Result<(), NluError> {
    let Some(node) = node else { return Ok(()) };
    for (name, def) in entries(node, file, "lists")? {
        out.insert(name.clone(), parse_list(def, file)?);
        if def.get("fuzzy").is_some_and(|f| f.value == Value::Bool(true)) {
            fuzzy.insert(name.clone());
        }
    }
    Ok(())
}

fn parse_rules(node: Option<&Node>, file: &Path, out: &mut BTreeMap<String, Source>) -> Result<(), NluError> {
    let Some(node) = node else { return Ok(()) };
    for (name, rule) in entries(node, file, "expansion_rules")? {
        let Some(text) = rule.as_text() else {
            return Err(NluError::schema(loc(file, rule), "expansion rule must be a string"));
        };
        out.insert(name.clone(), Source { text, at: loc(file, rule) });
    }
    Ok(())
}

impl Grammar {
    /// Merges one parsed YAML document into the grammar.
    pub fn add_document(&mut self, root: &Node, file: &Path) -> Result<(), NluError> {
        if let Some(lang) = root.get("language").and_then(Node::as_text) {
            self.language.get_or_insert(lang);
        }
        parse_lists(root.get("lists"), file, &mut self.lists, &mut self.fuzzy_lists)?;
        parse_rules(root.get("expansion_rules"), file, &mut self.rules)?;
        if let Some(skip) = root.get("skip_words") {
            for w in items(skip, file, "skip_words")? {
                if let Some(t) = w.as_text() {
                    self.skip_words.push(t);
                }
            }
        }
        let Some(intents) = root.get("intents") else {
            return Ok(());
        };
        for (intent, body) in entries(intents, file, "intents")? {
            let Some(data) = body.get("data") else {
                continue;
            };
            for block in items(data, file, "data")? {
                let mut d = DataBlock {
                    intent: intent.clone(),
                    slots: json_map(block.get("slots")),
                    requires_context: json_map(block.get("requires_context")),
                    excludes_context: json_map(block.get("excludes_context")),
                    metadata: json_map(block.get("metadata")),
                    ..DataBlock::default()
                };
                let mut fuzzy = BTreeSet::new();
                parse_lists(block.get("lists"), file, &mut d.lists, &mut fuzzy)?;
                self.fuzzy_lists.extend(fuzzy);
                parse_rules(block.get("expansion_rules"), file, &mut d.rules)?;
                let Some(sentences) = block.get("sentences") else {
                    continue;
                };
                for s in items(sentences, file, "sentences")? {
                    let Some(text) = s.as_text() else {
                        return Err(NluError::schema(loc(file, s), "sentence must be a string"));
                    };
                    d.sentences.push(Source { text, at: loc(file, s) });
                }
                self.data.push(d);
            }
        }
        Ok(())
    }

    /// Loads and merges YAML files.
    pub fn load_files(paths: &[PathBuf]) -> Result<Grammar, NluError> {
        let mut g = Grammar::default();
        for p in paths {
            g.add_file(p)?;
        }
        Ok(g)
    }

    /// Loads one YAML file into the grammar.
    pub fn add_file(&mut self, path: &Path) -> Result<(), NluError> {
        let root = yaml::parse_file(path)?;
        self.add_document(&root, path)
    }

    /// Loads every `*.yaml`/`*.yml` file of a directory tree (sorted, so merges are stable).
    pub fn load_dir(dir: &Path) -> Result<Grammar, NluError> {
        let mut files = Vec::new();
        collect_yaml(dir, &mut files)?;
        if files.is_empty() {
            return Err(NluError::NoGrammar(dir.to_path_buf()));
        }
        files.sort();
        Grammar::load_files(&files)
    }

    /// Loads only the `lists:` section of a YAML file (e.g. `--lists FILE`), overriding lists.
    pub fn add_lists_file(&mut self, path: &Path) -> Result<(), NluError> {
        let root = yaml::parse_file(path)?;
        parse_lists(root.get("lists"), path, &mut self.lists, &mut self.fuzzy_lists)
    }
}

/// Recursively collects YAML files below `dir`.
pub fn collect_yaml(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), NluError> {
    let io = |source| NluError::Io { path: dir.to_path_buf(), source };
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        if path.is_dir() {
            collect_yaml(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
    Ok(())
}
