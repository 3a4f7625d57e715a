//! Store errors say what happened to the data, never a business outcome: a row was
//! not there, a constraint refused a write, the database was busy.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A uniqueness rule (or a conditional write) refused the change; carries the
    /// constraint's name.
    #[error("conflict: {0}")]
    Conflict(String),
    /// A check, foreign-key or not-null rule was violated, or the input was malformed.
    #[error("invalid: {0}")]
    Invalid(String),
    /// The database asked to try again (serialization failure, deadlock, busy file).
    #[error("the database is busy: {0}")]
    Busy(String),
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
                let busy = matches!(db.code().as_deref(), Some("40001" | "40P01" | "5" | "6" | "517"))
                    || db.message().contains("database is locked");
                match db.kind() {
                    _ if busy => StoreError::Busy(db.message().to_owned()),
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

    /// Whether trying the same unit of work again may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, StoreError::Busy(_))
    }

    /// Whether the database could not be reached at all (pool timeout, I/O, closed).
    pub fn is_unavailable(&self) -> bool {
        matches!(self, StoreError::Backend(sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed))
    }
}
