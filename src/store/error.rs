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
    /// A limited chip has no editions left.
    #[error("sold out")]
    SoldOut,
    /// The chip exists but cannot be bought (draft or retired).
    #[error("not for sale: {0}")]
    NotForSale(String),
    /// The chip costs more than the limit the buyer set.
    #[error("price {price_minor} is above the limit {limit_minor}")]
    PriceAboveLimit { price_minor: i64, limit_minor: i64 },
    /// The same idempotency key is being used by a request that has not finished.
    #[error("a request with this idempotency key is still in progress")]
    IdempotencyInProgress,
    /// The idempotency key was used before for a different request.
    #[error("this idempotency key was used for a different request")]
    IdempotencyKeyReused,
    /// The rules do not allow this actor to do this.
    #[error("not allowed: {0}")]
    Forbidden(String),
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
