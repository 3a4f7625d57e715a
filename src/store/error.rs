//! Typed store errors: constraint violations become `Conflict`/`Invalid`, not strings.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A uniqueness rule was violated; carries the constraint (or column) name.
    #[error("conflict: {0}")]
    Conflict(String),
    /// A check, foreign-key or not-null rule was violated, or the input was malformed.
    #[error("invalid: {0}")]
    Invalid(String),
    /// Not enough money in the wallet.
    #[error("insufficient funds")]
    InsufficientFunds,
    /// The stored data disagrees with the domain rules (a bug or a manual edit).
    #[error("corrupt row: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Backend(sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(sqlx::migrate::MigrateError),
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(err: sqlx::migrate::MigrateError) -> Self {
        StoreError::Migrate(err)
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        use sqlx::error::ErrorKind;
        match err {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(db) => {
                let name = db.constraint().map(str::to_owned).unwrap_or_else(|| db.message().to_owned());
                match db.kind() {
                    ErrorKind::UniqueViolation => StoreError::Conflict(name),
                    ErrorKind::ForeignKeyViolation | ErrorKind::CheckViolation | ErrorKind::NotNullViolation => {
                        StoreError::Invalid(name)
                    }
                    _ => StoreError::Backend(sqlx::Error::Database(db)),
                }
            }
            other => StoreError::Backend(other),
        }
    }
}

impl StoreError {
    pub(crate) fn corrupt(what: impl std::fmt::Display) -> Self {
        StoreError::Corrupt(what.to_string())
    }

    /// Whether the database asked us to retry (serialization failure, deadlock, busy).
    pub fn is_retryable(&self) -> bool {
        match self {
            StoreError::Backend(sqlx::Error::Database(db)) => {
                matches!(db.code().as_deref(), Some("40001" | "40P01" | "5" | "6" | "517"))
                    || db.message().contains("database is locked")
            }
            _ => false,
        }
    }
}
