//! `holomesh verify --record R.json FILE`: exit code and text for the command line.

use super::report::VerifyReport;
use super::strict_json::parse_strict;
use super::verify::verify;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

/// Exit code: record and file agree.
pub const EXIT_VALID: i32 = 0;
/// Exit code: the record failed one or more checks.
pub const EXIT_INVALID: i32 = 1;
/// Exit code: the record or file could not be read or parsed.
pub const EXIT_INPUT_ERROR: i32 = 2;

/// Records larger than this are refused before parsing.
pub const MAX_RECORD_BYTES: u64 = 4 * 1024 * 1024;

/// How to print the result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutputFormat {
    #[default]
    Text,
    /// The serialised [`VerifyReport`] (input errors stay plain text).
    Json,
}

/// What the command prints and the code it exits with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliOutcome {
    pub exit_code: i32,
    pub output: String,
    /// The report, when both inputs could be read.
    pub report: Option<VerifyReport>,
}

/// Verifies `file_path` against the record at `record_path`.
pub fn run_verify(record_path: &Path, file_path: &Path, format: OutputFormat) -> CliOutcome {
    let record = match read_record(record_path) {
        Ok(bytes) => bytes,
        Err(msg) => return input_error(msg),
    };
    let record = match parse_strict(&record) {
        Ok(v) => v,
        Err(e) => {
            return input_error(format!("record {} is not valid JSON: {e}", record_path.display()));
        }
    };
    let file = match File::open(file_path) {
        Ok(f) => f,
        Err(e) => return input_error(format!("cannot open file {}: {e}", file_path.display())),
    };
    let report = match verify(&record, BufReader::new(file)) {
        Ok(r) => r,
        Err(e) => return input_error(format!("cannot read file {}: {e}", file_path.display())),
    };
    let exit_code = if report.valid { EXIT_VALID } else { EXIT_INVALID };
    let output = match format {
        OutputFormat::Json => match serde_json::to_string_pretty(&report) {
            Ok(s) => format!("{s}\n"),
            Err(e) => return input_error(format!("cannot serialise report: {e}")),
        },
        OutputFormat::Text if report.valid => {
            format!("OK: {} matches record {}\n{report}", file_path.display(), record_path.display())
        }
        OutputFormat::Text => format!(
            "INVALID: {} does not verify against record {}\n{report}",
            file_path.display(),
            record_path.display()
        ),
    };
    CliOutcome { exit_code, output, report: Some(report) }
}

fn read_record(path: &Path) -> Result<Vec<u8>, String> {
    let file = File::open(path).map_err(|e| format!("cannot open record {}: {e}", path.display()))?;
    let mut bytes = Vec::new();
    file.take(MAX_RECORD_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read record {}: {e}", path.display()))?;
    if bytes.len() as u64 > MAX_RECORD_BYTES {
        return Err(format!(
            "record {} is larger than {} bytes; chip records are small JSON documents",
            path.display(),
            MAX_RECORD_BYTES
        ));
    }
    Ok(bytes)
}

fn input_error(msg: String) -> CliOutcome {
    CliOutcome { exit_code: EXIT_INPUT_ERROR, output: format!("error: {msg}\n"), report: None }
}
