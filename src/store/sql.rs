//! The one place that knows there are two SQL dialects.
//!
//! Both backends accept the SQL the store writes (`$n` placeholders, `RETURNING`,
//! `ON CONFLICT`), so each query is written once. A [`Query`] binds its values
//! straight into the arguments of the backend it runs on; rows decode into any type
//! that both backends can decode ([`SqlRow`]). What really differs between the
//! dialects is here too: how a write transaction starts ([`Db::begin_write`]) and how
//! an in-flight key is guarded ([`Tx::try_lock`]).

use super::StoreError;
use sqlx::postgres::{PgArguments, PgPool, PgRow};
use sqlx::sqlite::{SqliteArguments, SqlitePool, SqliteRow};
use sqlx::{Arguments, Encode, FromRow, Postgres, SqlSafeStr, SqlStr, Sqlite, Type};

/// Which database a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

/// A value both backends can bind (encoded at once, so it may borrow).
pub trait SqlValue<'q>: Encode<'q, Postgres> + Type<Postgres> + Encode<'q, Sqlite> + Type<Sqlite> + Send {}

impl<'q, T> SqlValue<'q> for T where T: Encode<'q, Postgres> + Type<Postgres> + Encode<'q, Sqlite> + Type<Sqlite> + Send {}

/// A row shape both backends can decode (a `#[derive(sqlx::FromRow)]` struct or a tuple).
pub trait SqlRow: for<'r> FromRow<'r, PgRow> + for<'r> FromRow<'r, SqliteRow> + Send + Unpin {}

impl<T> SqlRow for T where T: for<'r> FromRow<'r, PgRow> + for<'r> FromRow<'r, SqliteRow> + Send + Unpin {}

/// A connection pool on one of the two backends. Cheap to clone.
#[derive(Clone, Debug)]
pub(crate) enum Db {
    Postgres(PgPool),
    Sqlite(SqlitePool),
}

/// A transaction. Dropped without [`Tx::commit`], it rolls back.
#[derive(Debug)]
pub enum Tx {
    Postgres(sqlx::Transaction<'static, Postgres>),
    Sqlite(sqlx::Transaction<'static, Sqlite>),
}

impl Db {
    pub(crate) fn backend(&self) -> Backend {
        match self {
            Db::Postgres(_) => Backend::Postgres,
            Db::Sqlite(_) => Backend::Sqlite,
        }
    }

    /// A statement run on the pool (its own implicit transaction).
    pub(crate) fn query(&self, sql: impl Sql) -> Query<'_> {
        let args = match self {
            Db::Postgres(_) => Args::Postgres(PgArguments::default()),
            Db::Sqlite(_) => Args::Sqlite(SqliteArguments::default()),
        };
        Query { exec: Exec::Pool(self), sql: sql.into_sql(), args, error: None }
    }

    /// A transaction that writes. SQLite runs one writer at a time (`BEGIN
    /// IMMEDIATE`), so read-then-write transactions never deadlock there;
    /// PostgreSQL relies on row locks and constraints.
    pub(crate) async fn begin_write(&self) -> Result<Tx, StoreError> {
        Ok(match self {
            Db::Postgres(p) => Tx::Postgres(p.begin().await?),
            Db::Sqlite(p) => Tx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
        })
    }

    pub(crate) async fn close(&self) {
        match self {
            Db::Postgres(p) => p.close().await,
            Db::Sqlite(p) => p.close().await,
        }
    }
}

impl Tx {
    pub fn backend(&self) -> Backend {
        match self {
            Tx::Postgres(_) => Backend::Postgres,
            Tx::Sqlite(_) => Backend::Sqlite,
        }
    }

    /// A statement inside this transaction.
    pub(crate) fn query(&mut self, sql: impl Sql) -> Query<'_> {
        let args = match self {
            Tx::Postgres(_) => Args::Postgres(PgArguments::default()),
            Tx::Sqlite(_) => Args::Sqlite(SqliteArguments::default()),
        };
        Query { exec: Exec::Tx(self), sql: sql.into_sql(), args, error: None }
    }

    pub async fn commit(self) -> Result<(), StoreError> {
        match self {
            Tx::Postgres(t) => t.commit().await?,
            Tx::Sqlite(t) => t.commit().await?,
        }
        Ok(())
    }

    pub async fn rollback(self) -> Result<(), StoreError> {
        match self {
            Tx::Postgres(t) => t.rollback().await?,
            Tx::Sqlite(t) => t.rollback().await?,
        }
        Ok(())
    }

    /// Marks a point that [`Tx::rollback_to`] can return to, so one step can fail
    /// without losing the rest of the transaction.
    pub async fn savepoint(&mut self, name: Savepoint) -> Result<(), StoreError> {
        self.query(format!("SAVEPOINT {}", name.0)).execute().await.map(drop)
    }

    pub async fn rollback_to(&mut self, name: Savepoint) -> Result<(), StoreError> {
        self.query(format!("ROLLBACK TO SAVEPOINT {}", name.0)).execute().await.map(drop)
    }

    pub async fn release(&mut self, name: Savepoint) -> Result<(), StoreError> {
        self.query(format!("RELEASE SAVEPOINT {}", name.0)).execute().await.map(drop)
    }

    /// Guards `key` for the rest of the transaction; `false` when another
    /// transaction holds it. SQLite runs one writer at a time, so there nobody else
    /// can hold it.
    pub(crate) async fn try_lock(&mut self, key: i64) -> Result<bool, StoreError> {
        match self {
            Tx::Postgres(_) => self.query("SELECT pg_try_advisory_xact_lock($1)").bind(key).scalar().await,
            Tx::Sqlite(_) => Ok(true),
        }
    }
}

/// A savepoint name; a fixed identifier, never user input.
#[derive(Debug, Clone, Copy)]
pub struct Savepoint(pub &'static str);

/// SQL text: a literal, or a `String` the store assembles from its own constant
/// pieces (column lists, placeholders). Never from input: values are always bound.
pub(crate) trait Sql {
    fn into_sql(self) -> SqlStr;
}

impl Sql for &'static str {
    fn into_sql(self) -> SqlStr {
        self.into_sql_str()
    }
}

impl Sql for String {
    fn into_sql(self) -> SqlStr {
        sqlx::AssertSqlSafe(self).into_sql_str()
    }
}

enum Exec<'e> {
    Pool(&'e Db),
    Tx(&'e mut Tx),
}

enum Args {
    Postgres(PgArguments),
    Sqlite(SqliteArguments),
}

/// One statement with its bound values, ready to run.
pub(crate) struct Query<'e> {
    exec: Exec<'e>,
    sql: SqlStr,
    args: Args,
    error: Option<sqlx::error::BoxDynError>,
}

impl<'e> Query<'e> {
    /// Binds the next `$n`.
    pub(crate) fn bind<'t, T: SqlValue<'t>>(mut self, value: T) -> Self {
        let added = match &mut self.args {
            Args::Postgres(a) => a.add(value),
            Args::Sqlite(a) => a.add(value),
        };
        if let Err(e) = added
            && self.error.is_none()
        {
            self.error = Some(e);
        }
        self
    }

    fn parts(self) -> Result<(Exec<'e>, SqlStr, Args), StoreError> {
        match self.error {
            Some(e) => Err(StoreError::Backend(sqlx::Error::Encode(e))),
            None => Ok((self.exec, self.sql, self.args)),
        }
    }

    /// Runs the statement; returns how many rows it changed.
    pub(crate) async fn execute(self) -> Result<u64, StoreError> {
        let (exec, sql, args) = self.parts()?;
        let done = match (exec, args) {
            (Exec::Pool(Db::Postgres(p)), Args::Postgres(a)) => {
                sqlx::query_with(sql, a).execute(p).await?.rows_affected()
            }
            (Exec::Pool(Db::Sqlite(p)), Args::Sqlite(a)) => sqlx::query_with(sql, a).execute(p).await?.rows_affected(),
            (Exec::Tx(Tx::Postgres(t)), Args::Postgres(a)) => {
                sqlx::query_with(sql, a).execute(&mut **t).await?.rows_affected()
            }
            (Exec::Tx(Tx::Sqlite(t)), Args::Sqlite(a)) => {
                sqlx::query_with(sql, a).execute(&mut **t).await?.rows_affected()
            }
            _ => return Err(mismatch()),
        };
        Ok(done)
    }

    /// All rows.
    pub(crate) async fn fetch_all<T: SqlRow>(self) -> Result<Vec<T>, StoreError> {
        let (exec, sql, args) = self.parts()?;
        Ok(match (exec, args) {
            (Exec::Pool(Db::Postgres(p)), Args::Postgres(a)) => sqlx::query_as_with(sql, a).fetch_all(p).await?,
            (Exec::Pool(Db::Sqlite(p)), Args::Sqlite(a)) => sqlx::query_as_with(sql, a).fetch_all(p).await?,
            (Exec::Tx(Tx::Postgres(t)), Args::Postgres(a)) => sqlx::query_as_with(sql, a).fetch_all(&mut **t).await?,
            (Exec::Tx(Tx::Sqlite(t)), Args::Sqlite(a)) => sqlx::query_as_with(sql, a).fetch_all(&mut **t).await?,
            _ => return Err(mismatch()),
        })
    }

    /// The first row, if any.
    pub(crate) async fn fetch_optional<T: SqlRow>(self) -> Result<Option<T>, StoreError> {
        let (exec, sql, args) = self.parts()?;
        Ok(match (exec, args) {
            (Exec::Pool(Db::Postgres(p)), Args::Postgres(a)) => sqlx::query_as_with(sql, a).fetch_optional(p).await?,
            (Exec::Pool(Db::Sqlite(p)), Args::Sqlite(a)) => sqlx::query_as_with(sql, a).fetch_optional(p).await?,
            (Exec::Tx(Tx::Postgres(t)), Args::Postgres(a)) => {
                sqlx::query_as_with(sql, a).fetch_optional(&mut **t).await?
            }
            (Exec::Tx(Tx::Sqlite(t)), Args::Sqlite(a)) => sqlx::query_as_with(sql, a).fetch_optional(&mut **t).await?,
            _ => return Err(mismatch()),
        })
    }

    /// The first row; `NotFound` when there is none.
    pub(crate) async fn fetch_one<T: SqlRow>(self) -> Result<T, StoreError> {
        self.fetch_optional().await?.ok_or(StoreError::NotFound)
    }

    /// The first column of the first row; `NotFound` when there is no row.
    pub(crate) async fn scalar<T>(self) -> Result<T, StoreError>
    where
        (T,): SqlRow,
    {
        Ok(self.fetch_one::<(T,)>().await?.0)
    }

    /// The first column of the first row, if there is a row.
    pub(crate) async fn scalar_optional<T>(self) -> Result<Option<T>, StoreError>
    where
        (T,): SqlRow,
    {
        Ok(self.fetch_optional::<(T,)>().await?.map(|(v,)| v))
    }

    /// The first column of every row.
    pub(crate) async fn scalars<T>(self) -> Result<Vec<T>, StoreError>
    where
        (T,): SqlRow,
    {
        Ok(self.fetch_all::<(T,)>().await?.into_iter().map(|(v,)| v).collect())
    }
}

fn mismatch() -> StoreError {
    StoreError::Corrupt("a query built for one backend ran on the other".into())
}

/// `$first, $first+1, …` placeholders for an `IN (…)` list of `n` values.
pub(crate) fn placeholders(first: usize, n: usize) -> String {
    (first..first + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

pub(crate) use crate::domain::now_micros as now;
