//! Key rotation (`holomesh keys rotate`): every value sealed with an older field key is
//! opened and sealed again with the active one, in batches, while the service runs.
//! A value written meanwhile is left alone (it is compared before it is replaced) and
//! counted, so running again finishes the job. Once no value needs an old key, its
//! check is forgotten and the key may be dropped from `security.field_keys`.

use super::{AppError, keys};
use crate::config::Config;
use crate::crypto::{FieldCipher, aad};
use crate::store::{SealedColumn, SealedValue, Store};
use std::collections::BTreeMap;

/// Rows read per batch.
const BATCH: u32 = 500;

/// What happened to one column.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnReport {
    pub column: &'static str,
    /// Sealed values found.
    pub values: u64,
    /// Values sealed again with the active key (or that would be, in a dry run).
    pub resealed: u64,
    /// Values that changed between reading and replacing (run again).
    pub changed_meanwhile: u64,
    /// Rows whose value no configured key opens, with the reason.
    pub failed: Vec<(String, String)>,
}

/// What a rotation did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rotation {
    pub active: String,
    pub dry_run: bool,
    pub columns: Vec<ColumnReport>,
    /// Sealed values per key id afterwards (before, in a dry run).
    pub by_key: BTreeMap<String, u64>,
    /// Older keys nothing is sealed with any more: their checks were forgotten and
    /// they may be removed from `security.field_keys`.
    pub retired: Vec<String>,
}

impl Rotation {
    /// Whether every value could be opened and none changed meanwhile.
    pub fn complete(&self) -> bool {
        self.columns.iter().all(|c| c.failed.is_empty() && c.changed_meanwhile == 0)
    }
}

/// What the value of `column` in its row is bound to.
fn binding(column: SealedColumn, v: &SealedValue) -> Vec<u8> {
    match column {
        SealedColumn::TotpSecret => aad::totp_secret(v.row_id),
        SealedColumn::OauthToken => {
            let (provider, subject) = v.binding.split_once(':').unwrap_or((&v.binding, ""));
            aad::oauth_token(provider, subject)
        }
        SealedColumn::DesignerKey => aad::designer_key(v.row_id),
        SealedColumn::Transcript => aad::transcript(v.row_id),
    }
}

/// Seals every value of the configured database again with the active field key
/// (`dry_run`: counts what would be, changes nothing).
pub async fn rotate(config: &Config, dry_run: bool) -> Result<Rotation, AppError> {
    let url = config.database_url();
    let store =
        Store::open(url.expose(), 2).await.map_err(|source| AppError::Database { url: url.to_string(), source })?;
    let cipher = keys::load(config)?.field;
    keys::check_field_keys(&store, &cipher, config).await?;
    let out = rotate_with(&store, &cipher, dry_run).await;
    store.close().await;
    out
}

/// [`rotate`] on an open store with a loaded cipher.
pub async fn rotate_with(store: &Store, cipher: &FieldCipher, dry_run: bool) -> Result<Rotation, AppError> {
    let db = |e: crate::store::StoreError| AppError::User(format!("database: {e}"));
    let active = cipher.active_key_id().to_owned();
    let mut rotation = Rotation { active: active.clone(), dry_run, ..Rotation::default() };
    for column in SealedColumn::ALL {
        let mut report = ColumnReport { column: column.name(), ..ColumnReport::default() };
        let mut after = None;
        loop {
            let batch = store.sealed_values(column, after, BATCH).await.map_err(db)?;
            after = batch.last().map(|v| v.row_id);
            for v in &batch {
                report.values += 1;
                let key = FieldCipher::key_id_of(&v.sealed).unwrap_or("(unreadable)").to_owned();
                if key == active {
                    *rotation.by_key.entry(key).or_insert(0) += 1;
                    continue;
                }
                let aad = binding(column, v);
                let sealed = cipher.open(&v.sealed, &aad).and_then(|plain| cipher.seal(&plain, &aad));
                let now = match sealed {
                    Err(e) => {
                        report.failed.push((v.row_id.to_string(), e.to_string()));
                        key
                    }
                    Ok(_) if dry_run => {
                        report.resealed += 1;
                        key
                    }
                    Ok(new) if store.replace_sealed(column, v.row_id, &v.sealed, &new).await.map_err(db)? => {
                        report.resealed += 1;
                        active.clone()
                    }
                    Ok(_) => {
                        report.changed_meanwhile += 1;
                        "(changed meanwhile)".to_owned()
                    }
                };
                *rotation.by_key.entry(now).or_insert(0) += 1;
            }
            if batch.len() < BATCH as usize {
                break;
            }
        }
        rotation.columns.push(report);
    }
    // Only when every value is known to be sealed with a key still configured.
    if !dry_run && rotation.complete() {
        for (key_id, _) in store.key_checks().await.map_err(db)? {
            if key_id != active && !rotation.by_key.contains_key(&key_id) {
                store.remove_key_check(&key_id).await.map_err(db)?;
                rotation.retired.push(key_id);
            }
        }
    }
    Ok(rotation)
}
