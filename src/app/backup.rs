//! Backups and restores of the configured database.
//!
//! A backup is one tar file: `manifest.json` (format, backend, when, the ids of the keys
//! the sealed fields need, and every table's row count) and the database itself, a
//! consistent SQLite copy (`VACUUM INTO`) or a `pg_dump` custom-format dump. Keys are
//! never in a backup; a restore refuses when a key it needs is not configured, restores
//! only into a database that holds no data, and checks every table's row count after.

use super::{AppError, keys};
use crate::config::Config;
use crate::store::{Backend, Store};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const FORMAT: &str = "holomesh-backup";
const VERSION: u32 = 1;
const MANIFEST: &str = "manifest.json";
const SQLITE_FILE: &str = "database.sqlite";
const PG_FILE: &str = "database.pgdump";

/// What a backup holds, written beside the data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub version: u32,
    pub backend: String,
    pub created_at: String,
    /// Ids of the field keys (encryption at rest) the data may be sealed with.
    pub field_key_ids: Vec<String>,
    /// Rows per table when the copy was taken.
    pub rows: BTreeMap<String, i64>,
}

fn fail(what: impl std::fmt::Display) -> AppError {
    AppError::User(what.to_string())
}

async fn open(config: &Config) -> Result<Store, AppError> {
    let url = config.database_url();
    Store::open(url.expose(), 2).await.map_err(|source| AppError::Database { url: url.to_string(), source })
}

/// Writes a backup of the configured database to `out` (replaced only once the
/// backup is complete).
pub async fn backup(config: &Config, out: &Path) -> Result<Manifest, AppError> {
    let store = open(config).await?;
    let work = tempfile::tempdir_in(out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")))
        .map_err(|e| fail(format!("cannot write beside {}: {e}", out.display())))?;
    let rows = store.table_counts().await.map_err(fail)?;
    let (backend, data_name) = match store.backend() {
        Backend::Sqlite => {
            store.copy_sqlite_to(&work.path().join(SQLITE_FILE)).await.map_err(fail)?;
            ("sqlite", SQLITE_FILE)
        }
        Backend::Postgres => {
            let target = work.path().join(PG_FILE);
            let url = config.database_url();
            run("pg_dump", &["--format=custom", "--no-owner", "--no-privileges", "--file"], &target, url.expose())?;
            ("postgres", PG_FILE)
        }
    };
    store.close().await;
    let cipher = keys::load(config)?.field;
    let manifest = Manifest {
        format: FORMAT.into(),
        version: VERSION,
        backend: backend.into(),
        created_at: time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        field_key_ids: cipher.key_ids().into_iter().map(str::to_owned).collect(),
        rows,
    };
    let tmp = work.path().join("backup.tar");
    write_tar(&tmp, &manifest, &work.path().join(data_name), data_name)?;
    std::fs::rename(&tmp, out).map_err(|e| fail(format!("cannot write {}: {e}", out.display())))?;
    Ok(manifest)
}

/// Restores `file` into the configured database, which must hold no data.
pub async fn restore(config: &Config, file: &Path) -> Result<Manifest, AppError> {
    let work = tempfile::tempdir().map_err(fail)?;
    let manifest = read_tar(file, work.path())?;
    let cipher = keys::load(config)?.field;
    let have = cipher.key_ids();
    let missing: Vec<&String> = manifest.field_key_ids.iter().filter(|k| !have.contains(&k.as_str())).collect();
    if !missing.is_empty() {
        return Err(fail(format!(
            "the backup's encrypted fields need the field keys {missing:?}; configure them in security.field_keys \
             (or restore the data directory's field.key) and try again"
        )));
    }
    let store = open(config).await?;
    if !store.holds_no_data().await.map_err(fail)? {
        return Err(fail("the database already holds data; restore into an empty database"));
    }
    match (store.backend(), manifest.backend.as_str()) {
        (Backend::Sqlite, "sqlite") => {
            store.close().await;
            let url = config.database_url();
            let path = sqlite_path(url.expose())?;
            for suffix in ["-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
            std::fs::copy(work.path().join(SQLITE_FILE), &path)
                .map_err(|e| fail(format!("cannot write {}: {e}", path.display())))?;
        }
        (Backend::Postgres, "postgres") => {
            store.clear_empty_postgres().await.map_err(fail)?;
            store.close().await;
            let url = config.database_url();
            let dump = work.path().join(PG_FILE);
            let args = ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"];
            run("pg_restore", &args, &dump, url.expose())?;
        }
        (_, other) => {
            return Err(fail(format!("this is a {other} backup; configure a {other} database to restore it")));
        }
    }
    let restored = open(config).await?;
    let rows = restored.table_counts().await.map_err(fail)?;
    restored.close().await;
    if rows != manifest.rows {
        return Err(fail(format!("the restored tables do not match the backup: {rows:?} against {:?}", manifest.rows)));
    }
    Ok(manifest)
}

/// Runs `pg_dump`/`pg_restore` with `args`, a file and the database URL.
fn run(program: &str, args: &[&str], file: &Path, url: &str) -> Result<(), AppError> {
    let mut cmd = std::process::Command::new(program);
    cmd.args(args);
    if program == "pg_dump" {
        cmd.arg(file).arg(format!("--dbname={url}"));
    } else {
        cmd.arg(format!("--dbname={url}")).arg(file);
    }
    let out =
        cmd.output().map_err(|e| fail(format!("cannot run {program} (install PostgreSQL's client tools): {e}")))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(fail(format!("{program} failed: {}", err.trim())));
    }
    Ok(())
}

fn sqlite_path(url: &str) -> Result<PathBuf, AppError> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url);
    let path = rest.split('?').next().unwrap_or(rest);
    if path.is_empty() || path == ":memory:" {
        return Err(fail("an in-memory SQLite database cannot be restored into"));
    }
    Ok(PathBuf::from(path))
}

fn write_tar(out: &Path, manifest: &Manifest, data: &Path, data_name: &str) -> Result<(), AppError> {
    let file = std::fs::File::create(out).map_err(|e| fail(format!("cannot write {}: {e}", out.display())))?;
    let mut tar = tar::Builder::new(file);
    let json = serde_json::to_vec_pretty(manifest).map_err(fail)?;
    let mut header = tar::Header::new_gnu();
    header.set_size(json.len() as u64);
    header.set_mode(0o600);
    header.set_cksum();
    tar.append_data(&mut header, MANIFEST, json.as_slice()).map_err(fail)?;
    tar.append_path_with_name(data, data_name).map_err(fail)?;
    tar.into_inner().and_then(|f| f.sync_all()).map_err(fail)
}

fn read_tar(file: &Path, into: &Path) -> Result<Manifest, AppError> {
    let f = std::fs::File::open(file).map_err(|e| fail(format!("cannot read {}: {e}", file.display())))?;
    let mut manifest = None;
    let not_a_backup = |e: std::io::Error| fail(format!("{} is not a HoloMesh backup: {e}", file.display()));
    let mut archive = tar::Archive::new(f);
    for entry in archive.entries().map_err(not_a_backup)? {
        let mut entry = entry.map_err(not_a_backup)?;
        let name = entry.path().map_err(not_a_backup)?.to_string_lossy().into_owned();
        match name.as_str() {
            MANIFEST => {
                let m: Manifest = serde_json::from_reader(&mut entry)
                    .map_err(|e| fail(format!("{}: unreadable manifest: {e}", file.display())))?;
                manifest = Some(m);
            }
            SQLITE_FILE | PG_FILE => {
                entry.unpack(into.join(&name)).map_err(not_a_backup)?;
            }
            _ => {}
        }
    }
    let m = manifest.ok_or_else(|| fail(format!("{} is not a HoloMesh backup (no manifest)", file.display())))?;
    if m.format != FORMAT || m.version != VERSION {
        return Err(fail(format!("{}: unsupported backup format {} v{}", file.display(), m.format, m.version)));
    }
    Ok(m)
}

/// Takes a backup into `dir` every `every` and keeps the newest `keep`, until
/// `shutdown` resolves.
pub async fn scheduled(
    config: Config,
    every: std::time::Duration,
    keep: usize,
    dir: PathBuf,
    shutdown: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => return,
            () = tokio::time::sleep(every) => {}
        }
        let stamp = time::OffsetDateTime::now_utc().unix_timestamp();
        let out = dir.join(format!("holomesh-{stamp}.backup"));
        if let Err(e) = std::fs::create_dir_all(&dir) {
            tracing::warn!(error = %e, dir = %dir.display(), "cannot make the backup directory");
            continue;
        }
        match backup(&config, &out).await {
            Ok(m) => tracing::info!(file = %out.display(), tables = m.rows.len(), "backup written"),
            Err(e) => tracing::warn!(error = %e, "scheduled backup failed"),
        }
        prune(&dir, keep);
    }
}

/// Removes all but the newest `keep` backups in `dir`.
fn prune(dir: &Path, keep: usize) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut backups: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("holomesh-") && n.ends_with(".backup"))
        })
        .collect();
    backups.sort();
    let excess = backups.len().saturating_sub(keep.max(1));
    for old in backups.into_iter().take(excess) {
        if let Err(e) = std::fs::remove_file(&old) {
            tracing::warn!(error = %e, file = %old.display(), "cannot remove an old backup");
        }
    }
}
