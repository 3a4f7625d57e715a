//! Turns "low-power RISC-V designs under fifty dollars" into client preferences (said
//! to the voice assistant or typed in `PUT /v1/me/client-profile`).

use crate::domain::{ClientPreferences, Currency};

const CATEGORIES: &[(&[&str], &str)] = &[
    (&["risc-v", "riscv", "risc v", "risk five", "risc five", "risk v"], "risc-v"),
    (&["cpu", "cpus", "processor", "processors", "core", "cores", "microcontroller"], "cpu"),
    (&["dsp", "dsps", "signal processing"], "dsp"),
    (&["gpu", "gpus", "graphics"], "gpu"),
    (&["fpga", "fpgas"], "fpga"),
    (&["ai", "npu", "npus", "neural", "machine learning", "accelerator", "accelerators"], "ai"),
    (&["memory", "memories", "sram", "dram", "cache"], "memory"),
    (&["analog", "analogue", "mixed signal", "mixed-signal"], "analog"),
    (&["rf", "radio", "wireless"], "rf"),
    (&["interface", "interfaces", "usb", "pcie", "ethernet", "serdes", "uart", "spi", "i2c"], "interface"),
    (&["security", "crypto", "cryptography"], "security"),
];

const KEYWORDS: &[(&[&str], &str)] = &[
    (
        &["low-power", "low power", "power efficient", "power-efficient", "energy efficient", "ultra low power"],
        "low-power",
    ),
    (&["high-performance", "high performance", "fast"], "high-performance"),
    (&["open source", "open-source", "open hardware"], "open-source"),
    (&["small", "tiny", "compact", "area efficient"], "small-area"),
];

fn contains_phrase(text: &str, phrase: &str) -> bool {
    let padded = format!(" {text} ");
    padded.contains(&format!(" {phrase} "))
}

/// Reads categories, process nodes, keywords and a price cap from free text, merged
/// over `current` (what is said replaces the same kind of preference).
pub fn parse_preferences(text: &str, current: &ClientPreferences, default_currency: Currency) -> ClientPreferences {
    let lower: String = text
        .to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() || c == '-' || c == '$' || c == '€' || c == '£' || c == '.' { c } else { ' ' })
        .collect();
    let norm = lower.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = current.clone();
    let said = text.trim();
    if !said.is_empty() {
        out.stated = Some(said.chars().take(500).collect());
    }

    let cats: Vec<String> = CATEGORIES
        .iter()
        .filter(|(words, _)| words.iter().any(|w| contains_phrase(&norm, w)))
        .map(|(_, c)| (*c).to_owned())
        .collect();
    if !cats.is_empty() {
        out.categories = cats;
    }
    let keys: Vec<String> = KEYWORDS
        .iter()
        .filter(|(words, _)| words.iter().any(|w| contains_phrase(&norm, w)))
        .map(|(_, k)| (*k).to_owned())
        .collect();
    if !keys.is_empty() {
        out.keywords = keys;
    }
    let words: Vec<&str> = norm.split(' ').collect();
    let mut nodes = Vec::new();
    for (i, w) in words.iter().enumerate() {
        let digits = w.trim_end_matches("nm");
        let is_node = !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) && {
            w.ends_with("nm") || words.get(i + 1).is_some_and(|n| *n == "nm" || *n == "nanometer" || *n == "nanometers")
        };
        if is_node {
            nodes.push(format!("{digits}nm"));
        }
    }
    if !nodes.is_empty() {
        out.process_nodes = nodes;
    }
    let cap_words = ["under", "below", "less", "cheaper", "max", "maximum", "up", "within", "budget"];
    if let Some(start) = words.iter().position(|w| cap_words.contains(w)) {
        // The first amount said after the cap word, e.g. "under fifty dollars".
        let found = (start + 1..words.len())
            .find_map(|i| crate::nlu::money::scan(&words[i..], default_currency).into_iter().next());
        if let Some((_, m)) = found {
            out.max_price = Some(m);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Money;

    #[test]
    fn reads_the_example_sentence() {
        let p = parse_preferences(
            "low-power RISC-V designs under fifty dollars",
            &ClientPreferences::default(),
            Currency::USD,
        );
        assert_eq!(p.categories, vec!["risc-v".to_owned()]);
        assert_eq!(p.keywords, vec!["low-power".to_owned()]);
        assert_eq!(p.max_price, Some(Money::new(5000, Currency::USD)));
    }

    #[test]
    fn reads_nodes_and_keeps_what_was_not_said() {
        let before = ClientPreferences { categories: vec!["dsp".into()], ..Default::default() };
        let p = parse_preferences("28nm or 7 nm designs", &before, Currency::USD);
        assert_eq!(p.process_nodes, vec!["28nm".to_owned(), "7nm".to_owned()]);
        assert_eq!(p.categories, vec!["dsp".to_owned()]);
    }
}
