//! `holomesh backup` and `holomesh restore`.

use super::{EXIT_USAGE, ExitCode};
use crate::config::Config;
use std::path::Path;

pub async fn backup(config: &Config, out: &Path) -> anyhow::Result<ExitCode> {
    match crate::app::backup::backup(config, out).await {
        Ok(m) => {
            let rows: i64 = m.rows.values().sum();
            println!("backup of {} tables ({rows} rows) written to {}", m.rows.len(), out.display());
            Ok(0)
        }
        Err(e) => {
            eprintln!("holomesh backup: {e}");
            Ok(1)
        }
    }
}

pub async fn restore(config: &Config, file: &Path) -> anyhow::Result<ExitCode> {
    if !file.is_file() {
        eprintln!("holomesh restore: {} is not a file", file.display());
        return Ok(EXIT_USAGE);
    }
    match crate::app::backup::restore(config, file).await {
        Ok(m) => {
            let rows: i64 = m.rows.values().sum();
            println!("restored {} tables ({rows} rows) from {} (taken {})", m.rows.len(), file.display(), m.created_at);
            Ok(0)
        }
        Err(e) => {
            eprintln!("holomesh restore: {e}");
            Ok(1)
        }
    }
}
