//! The project's own intent templates (`grammars/en`), compiled into the binary so
//! that `holomesh` understands commands wherever it runs from.

use super::error::NluError;
use super::grammar::Grammar;
use std::path::Path;

/// `(file name, YAML)` of every bundled grammar file, in merge order.
pub const FILES: &[(&str, &str)] = &[
    ("_common.yaml", include_str!("../../grammars/en/_common.yaml")),
    ("browse.yaml", include_str!("../../grammars/en/browse.yaml")),
    ("control.yaml", include_str!("../../grammars/en/control.yaml")),
    ("purchases.yaml", include_str!("../../grammars/en/purchases.yaml")),
    ("subscriptions.yaml", include_str!("../../grammars/en/subscriptions.yaml")),
];

impl Grammar {
    /// The bundled English marketplace grammar.
    pub fn bundled() -> Result<Grammar, NluError> {
        let mut g = Grammar::default();
        for (name, text) in FILES {
            let path = Path::new("grammars/en").join(name);
            let root = super::yaml::parse_str(text, &path)?;
            g.add_document(&root, &path)?;
        }
        Ok(g)
    }

    /// The grammar in `dir`, or the bundled one when `dir` is `None`.
    pub fn from_dir_or_bundled(dir: Option<&Path>) -> Result<Grammar, NluError> {
        match dir {
            Some(d) => Grammar::load_dir(d),
            None => Grammar::bundled(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_grammar_file_is_bundled() -> Result<(), String> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("grammars/en");
        let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
            .map_err(|e| e.to_string())?
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| n.ends_with(".yaml"))
            .collect();
        on_disk.sort();
        let bundled: Vec<String> = FILES.iter().map(|(n, _)| (*n).to_owned()).collect();
        assert_eq!(on_disk, bundled, "add new grammar files to nlu::bundled::FILES");
        Grammar::bundled().map_err(|e| e.to_string())?;
        Ok(())
    }
}
