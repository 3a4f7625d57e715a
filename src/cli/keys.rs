//! `holomesh keys rotate`: every encrypted field sealed again with the active key.

use super::ExitCode;
use crate::config::Config;

pub async fn rotate(config: &Config, dry_run: bool) -> anyhow::Result<ExitCode> {
    let r = match crate::app::rotate::rotate(config, dry_run).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("holomesh keys rotate: {e}");
            return Ok(1);
        }
    };
    let verb = if r.dry_run { "would be sealed again" } else { "sealed again" };
    println!("active field key: {}", r.active);
    for c in &r.columns {
        let mut line = format!("{}: {} values, {} {verb}", c.column, c.values, c.resealed);
        if c.changed_meanwhile > 0 {
            line.push_str(&format!(", {} changed meanwhile (run again)", c.changed_meanwhile));
        }
        println!("{line}");
        for (row, why) in &c.failed {
            eprintln!("  row {row}: cannot be opened: {why}");
        }
    }
    let keys: Vec<String> = r.by_key.iter().map(|(k, n)| format!("{k}: {n}")).collect();
    println!(
        "values per key{}: {}",
        if r.dry_run { "" } else { " now" },
        if keys.is_empty() { "none".into() } else { keys.join(", ") }
    );
    for k in &r.retired {
        println!("no value is sealed with {k:?} any more: it may be removed from security.field_keys");
    }
    Ok(if r.complete() { 0 } else { 1 })
}
