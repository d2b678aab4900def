//! Test databases: every test owns one, dropped afterwards.
//!
//! SQLite always; PostgreSQL when `ENCAISSE_TEST_DATABASE_URL` points to a server where the
//! user may create databases (the test command sets it). Each PostgreSQL test database is
//! `encaisse_test_<uuid>`, dropped when the [`TestDb`] is dropped.

use std::path::PathBuf;

use uuid::Uuid;

use crate::{Result, Store};

/// Environment variable naming the PostgreSQL server for tests.
pub const PG_ENV: &str = "ENCAISSE_TEST_DATABASE_URL";

/// A migrated database that disappears with this value.
pub struct TestDb {
    pub store: Store,
    /// `sqlite://…` or `postgres://…` URL of this database (for a spawned binary).
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    File(PathBuf),
    Pg { admin_url: String, name: String },
}

impl TestDb {
    /// A fresh SQLite database in a temporary file.
    pub async fn sqlite() -> Result<TestDb> {
        let path = std::env::temp_dir().join(format!("encaisse-test-{}.db", Uuid::new_v4()));
        let url = format!("sqlite://{}", path.display());
        let store = Store::open_sqlite(&path).await?;
        store.migrate().await?;
        Ok(TestDb {
            store,
            url,
            cleanup: Cleanup::File(path),
        })
    }

    /// A fresh PostgreSQL database, or `None` when no server is configured.
    pub async fn postgres() -> Result<Option<TestDb>> {
        let Ok(admin_url) = std::env::var(PG_ENV) else {
            return Ok(None);
        };
        let name = format!("encaisse_test_{}", Uuid::new_v4().simple());
        let admin = Store::connect(&admin_url).await?;
        admin
            .execute_raw(&format!("CREATE DATABASE {name}"))
            .await?;
        admin.close().await;
        let url = replace_db_name(&admin_url, &name);
        let store = Store::connect(&url).await?;
        store.migrate().await?;
        Ok(Some(TestDb {
            store,
            url,
            cleanup: Cleanup::Pg { admin_url, name },
        }))
    }

    /// SQLite, plus PostgreSQL when configured: run a story once per backend.
    pub async fn all() -> Result<Vec<TestDb>> {
        let mut dbs = vec![TestDb::sqlite().await?];
        if let Some(pg) = TestDb::postgres().await? {
            dbs.push(pg);
        }
        Ok(dbs)
    }
}

/// Swaps the database name of a PostgreSQL URL (keeps user, host, port and parameters).
pub fn replace_db_name(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let path_start = base[scheme_end..].find('/').map(|i| i + scheme_end);
    let host_part = match path_start {
        Some(i) => &base[..i],
        None => base,
    };
    match query {
        Some(q) => format!("{host_part}/{name}?{q}"),
        None => format!("{host_part}/{name}"),
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::File(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let mut p = path.clone().into_os_string();
                    p.push(suffix);
                    let _ = std::fs::remove_file(p);
                }
            }
            Cleanup::Pg { admin_url, name } => {
                let (admin_url, name) = (admin_url.clone(), name.clone());
                // Drop runs inside the test's runtime: use a separate thread and runtime.
                let handle = std::thread::spawn(move || {
                    let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                    else {
                        return;
                    };
                    rt.block_on(async move {
                        if let Ok(admin) = Store::connect(&admin_url).await {
                            let _ = admin
                                .execute_raw(&format!(
                                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                                ))
                                .await;
                            admin.close().await;
                        }
                    });
                });
                let _ = handle.join();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_name_is_replaced() {
        assert_eq!(
            replace_db_name("postgres://u@localhost/test", "x"),
            "postgres://u@localhost/x"
        );
        assert_eq!(
            replace_db_name("postgres://u@h:5432/test?sslmode=disable", "x"),
            "postgres://u@h:5432/x?sslmode=disable"
        );
        assert_eq!(
            replace_db_name("postgres://localhost", "x"),
            "postgres://localhost/x"
        );
    }
}
