//! Connection, migrations and transactions for both backends.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Postgres, Sqlite, Transaction};

use crate::{Result, StoreError};

/// Runs `$body` with `$c` bound to the transaction's connection, for whichever backend it is.
/// The body is compiled once per backend, so portable SQL is written once.
macro_rules! on_conn {
    ($tx:expr, $c:ident => $body:expr) => {
        match &mut $tx.inner {
            $crate::db::TxInner::Sqlite(t) => {
                let $c: &mut sqlx::SqliteConnection = &mut **t;
                $body
            }
            $crate::db::TxInner::Pg(t) => {
                let $c: &mut sqlx::PgConnection = &mut **t;
                $body
            }
        }
    };
}

/// Which database engine a store runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone, Debug)]
enum Pools {
    Sqlite {
        /// One connection: SQLite has one writer; serialising writers here avoids
        /// `SQLITE_BUSY` on lock upgrades.
        writer: SqlitePool,
        reader: SqlitePool,
    },
    Pg(PgPool),
}

/// The database of an encaisse installation.
#[derive(Clone, Debug)]
pub struct Store {
    pools: Pools,
}

pub(crate) enum TxInner {
    Sqlite(Transaction<'static, Sqlite>),
    Pg(Transaction<'static, Postgres>),
}

/// A transaction on either backend. Dropped without [`Tx::commit`], it rolls back.
pub struct Tx {
    pub(crate) inner: TxInner,
}

impl Tx {
    pub async fn commit(self) -> Result<()> {
        match self.inner {
            TxInner::Sqlite(t) => t.commit().await?,
            TxInner::Pg(t) => t.commit().await?,
        }
        Ok(())
    }

    pub async fn rollback(self) -> Result<()> {
        match self.inner {
            TxInner::Sqlite(t) => t.rollback().await?,
            TxInner::Pg(t) => t.rollback().await?,
        }
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        match self.inner {
            TxInner::Sqlite(_) => Backend::Sqlite,
            TxInner::Pg(_) => Backend::Postgres,
        }
    }
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static PG_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl Store {
    /// Opens `url`: `sqlite://PATH` (created if missing) or `postgres://…`. Does not migrate.
    pub async fn connect(url: &str) -> Result<Store> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let opts = PgConnectOptions::from_str(url)?;
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(30))
                .connect_with(opts)
                .await?;
            Ok(Store {
                pools: Pools::Pg(pool),
            })
        } else if let Some(path) = url.strip_prefix("sqlite://") {
            Store::open_sqlite(Path::new(path)).await
        } else {
            Err(StoreError::UnsupportedUrl(url.to_owned()))
        }
    }

    /// Opens (and creates) a SQLite database file in WAL mode.
    pub async fn open_sqlite(path: &Path) -> Result<Store> {
        let base = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(30))
            // 32 MiB of page cache per connection (the default is 2 MiB): batch writes such
            // as drafting a month of hours touch many pages in one transaction.
            .pragma("cache_size", "-32768");
        // The one writer may hold up to 256 MiB of pages (allocated only as used): a large
        // transaction then writes each dirty page to the WAL once, at commit, instead of
        // spilling and rewriting it (drafting a month of a million entries: 2× faster).
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(60))
            .connect_with(base.clone().pragma("cache_size", "-262144"))
            .await?;
        let reader = SqlitePoolOptions::new()
            .max_connections(4)
            .acquire_timeout(Duration::from_secs(60))
            .connect_with(base.read_only(true))
            .await?;
        Ok(Store {
            pools: Pools::Sqlite { writer, reader },
        })
    }

    /// Applies pending migrations, one transaction per step.
    pub async fn migrate(&self) -> Result<()> {
        match &self.pools {
            Pools::Sqlite { writer, .. } => SQLITE_MIGRATIONS.run(writer).await?,
            Pools::Pg(pool) => PG_MIGRATIONS.run(pool).await?,
        }
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        match self.pools {
            Pools::Sqlite { .. } => Backend::Sqlite,
            Pools::Pg(_) => Backend::Postgres,
        }
    }

    /// A transaction that may write. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so it never fails half-way on a lock upgrade.
    pub async fn write(&self) -> Result<Tx> {
        let inner = match &self.pools {
            Pools::Sqlite { writer, .. } => {
                TxInner::Sqlite(writer.begin_with("BEGIN IMMEDIATE").await?)
            }
            Pools::Pg(pool) => TxInner::Pg(pool.begin().await?),
        };
        Ok(Tx { inner })
    }

    /// A transaction for reading (a consistent snapshot).
    pub async fn read(&self) -> Result<Tx> {
        let inner = match &self.pools {
            Pools::Sqlite { reader, .. } => TxInner::Sqlite(reader.begin().await?),
            Pools::Pg(pool) => TxInner::Pg(pool.begin().await?),
        };
        Ok(Tx { inner })
    }

    /// Checks the database answers (for `/readyz`).
    pub async fn ping(&self) -> Result<()> {
        match &self.pools {
            Pools::Sqlite { reader, .. } => {
                sqlx::query("SELECT 1").execute(reader).await?;
            }
            Pools::Pg(pool) => {
                sqlx::query("SELECT 1").execute(pool).await?;
            }
        }
        Ok(())
    }

    /// Lists `(table, column)` pairs of the schema, sorted: used to prove both backends'
    /// migration histories end in the same shape.
    pub async fn schema_columns(&self) -> Result<Vec<(String, String)>> {
        let mut cols: Vec<(String, String)> = match &self.pools {
            Pools::Sqlite { reader, .. } => {
                sqlx::query_as(
                    "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p \
                     WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%'",
                )
                .fetch_all(reader)
                .await?
            }
            Pools::Pg(pool) => {
                sqlx::query_as(
                    "SELECT table_name::text, column_name::text FROM information_schema.columns \
                     WHERE table_schema = current_schema() AND table_name NOT LIKE '_sqlx%'",
                )
                .fetch_all(pool)
                .await?
            }
        };
        cols.sort();
        Ok(cols)
    }

    /// Closes the pools (waits for connections to be returned).
    pub async fn close(&self) {
        match &self.pools {
            Pools::Sqlite { writer, reader } => {
                writer.close().await;
                reader.close().await;
            }
            Pools::Pg(pool) => pool.close().await,
        }
    }

    /// Runs raw SQL (tests tamper with rows through this; never used by the application).
    #[doc(hidden)]
    pub async fn execute_raw(&self, sql: &str) -> Result<u64> {
        let sql = sqlx::AssertSqlSafe(sql.to_owned());
        let n = match &self.pools {
            Pools::Sqlite { writer, .. } => sqlx::query(sql).execute(writer).await?.rows_affected(),
            Pools::Pg(pool) => sqlx::query(sql).execute(pool).await?.rows_affected(),
        };
        Ok(n)
    }
}

/// The upper bound of a keyset page: the cursor's id, or a string above every id. Binding a
/// value instead of writing `($n IS NULL OR id < $n)` keeps the index range usable.
pub(crate) fn keyset_before(cursor: Option<uuid::Uuid>) -> String {
    // UUIDs print as lowercase hex and dashes; '~' sorts after all of them.
    cursor
        .map(|c| c.to_string())
        .unwrap_or_else(|| "~".to_owned())
}
