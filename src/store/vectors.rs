//! Sentence vectors of published chips, with what search filters and matches words
//! on: loaded into each process's search index, newest first by `stamp`.

use super::rows::{CHIP_COLUMNS, ChipRow};
use super::sql::placeholders;
use super::{Store, StoreError};
use crate::domain::{Chip, Id};

/// A chip's vector and the fields search needs beside it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ChipVectorRow {
    pub chip_id: Id,
    pub designer_id: Id,
    pub title: String,
    pub description: String,
    pub category: String,
    pub process_node: String,
    /// A JSON array of tags.
    pub tags: String,
    pub price_minor: i64,
    pub status: String,
    /// `DIM` little-endian f32 values.
    pub vector: Vec<u8>,
    /// When the vector was written (microseconds since the epoch).
    pub stamp: i64,
}

/// The columns of a [`ChipVectorRow`] (`v`: chip_vectors, `c`: chips).
const VECTOR_COLUMNS: &str = "v.chip_id, c.designer_id, c.title, c.description, c.category, c.process_node, \
     CAST(c.tags AS TEXT) AS tags, c.price_minor, c.status, v.vector, v.stamp";

impl Store {
    /// Stores (or replaces) the vector of a chip made by `model`.
    pub async fn put_chip_vector(&self, chip_id: Id, model: &str, vector: &[u8], stamp: i64) -> Result<(), StoreError> {
        self.db
            .query(
                "INSERT INTO chip_vectors (chip_id, model, vector, stamp) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (chip_id) DO UPDATE SET model = excluded.model, vector = excluded.vector, \
                 stamp = excluded.stamp",
            )
            .bind(chip_id)
            .bind(model)
            .bind(vector)
            .bind(stamp)
            .execute()
            .await
            .map(drop)
    }

    /// Vectors made by `model` and written after `stamp`, oldest first, at most `limit`.
    pub async fn chip_vectors_since(
        &self,
        model: &str,
        stamp: i64,
        limit: u32,
    ) -> Result<Vec<ChipVectorRow>, StoreError> {
        self.db
            .query(format!(
                "SELECT {VECTOR_COLUMNS} FROM chip_vectors v JOIN chips c ON c.id = v.chip_id \
                 WHERE v.model = $1 AND v.stamp > $2 ORDER BY v.stamp, v.chip_id LIMIT $3"
            ))
            .bind(model)
            .bind(stamp)
            .bind(i64::from(limit))
            .fetch_all()
            .await
    }

    /// (chip, stamp) of vectors made by `model` written after `stamp`, oldest first, at
    /// most `limit`: what a process checks before loading whole rows.
    pub async fn chip_vector_stamps_since(
        &self,
        model: &str,
        stamp: i64,
        limit: u32,
    ) -> Result<Vec<(Id, i64)>, StoreError> {
        self.db
            .query("SELECT chip_id, stamp FROM chip_vectors WHERE model = $1 AND stamp > $2 ORDER BY stamp, chip_id LIMIT $3")
            .bind(model)
            .bind(stamp)
            .bind(i64::from(limit))
            .fetch_all()
            .await
    }

    /// The vectors by `model` of the chips of `ids`, with their fields.
    pub async fn chip_vectors_of(&self, model: &str, ids: &[Id]) -> Result<Vec<ChipVectorRow>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = self.db.query(format!(
            "SELECT {VECTOR_COLUMNS} FROM chip_vectors v JOIN chips c ON c.id = v.chip_id \
             WHERE v.model = $1 AND v.chip_id IN ({})",
            placeholders(2, ids.len())
        ));
        q = q.bind(model);
        for id in ids {
            q = q.bind(*id);
        }
        q.fetch_all().await
    }

    /// Published chips without a vector by `model` (published before the model was
    /// there, or by another model), at most `limit`.
    pub async fn chips_without_vector(&self, model: &str, limit: u32) -> Result<Vec<Chip>, StoreError> {
        let rows: Vec<ChipRow> = self
            .db
            .query(format!(
                "SELECT {CHIP_COLUMNS} FROM chips WHERE status = 'published' AND NOT EXISTS \
                 (SELECT 1 FROM chip_vectors v WHERE v.chip_id = chips.id AND v.model = $1) ORDER BY id LIMIT $2"
            ))
            .bind(model)
            .bind(i64::from(limit))
            .fetch_all()
            .await?;
        self.attach_contributions(rows).await
    }

    /// The chips of `ids` that exist, in no particular order.
    pub async fn chips_by_ids(&self, ids: &[Id]) -> Result<Vec<Chip>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut q =
            self.db.query(format!("SELECT {CHIP_COLUMNS} FROM chips WHERE id IN ({})", placeholders(1, ids.len())));
        for id in ids {
            q = q.bind(*id);
        }
        let rows: Vec<ChipRow> = q.fetch_all().await?;
        self.attach_contributions(rows).await
    }
}
