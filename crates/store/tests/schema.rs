//! The two engines' migrations build the same schema: the same tables, the same columns with
//! the same types (as far as SQLite has types) and nullability, the same named indexes. The
//! file names matching (see `db.rs`) says nothing of what the files create; this does.
//!
//! It needs both engines, so it runs where `DXPLAN_TEST_DATABASE_URL` names a PostgreSQL
//! server (`.ci/run`'s PostgreSQL stage) and says it was skipped elsewhere.

use std::collections::{BTreeMap, BTreeSet};

use dxplan_store::{Db, DbOptions, TestDb};
use sqlx::Row;

/// A column as both engines can say it: name, type family, nullable.
type Columns = BTreeSet<(String, &'static str, bool)>;

struct Schema {
    tables: BTreeMap<String, Columns>,
    /// (index, table).
    indexes: BTreeSet<(String, String)>,
}

/// SQLite has no time type (times are stored as text) and PostgreSQL's integer widths do
/// not matter here: the families a value can be read back as.
fn family(declared: &str) -> &'static str {
    match declared.trim().to_ascii_lowercase().as_str() {
        "integer" | "bigint" | "smallint" => "int",
        "text" | "timestamp with time zone" | "timestamptz" | "character varying" => "text",
        "date" => "date",
        "boolean" => "bool",
        "double precision" | "real" => "real",
        "blob" | "bytea" => "bytes",
        other => panic!("a column type the test does not know: {other}"),
    }
}

const SKIP: &str = "_sqlx_migrations";

async fn sqlite_schema(db: &Db) -> Schema {
    let Db::Sqlite(pool) = db else {
        unreachable!("an SQLite database")
    };
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let mut tables = BTreeMap::new();
    for table in names.into_iter().filter(|t| t != SKIP) {
        let rows = sqlx::query("SELECT name, type, \"notnull\", pk FROM pragma_table_info(?)")
            .bind(&table)
            .fetch_all(pool)
            .await
            .unwrap();
        let columns = rows
            .iter()
            .map(|r| {
                let declared: String = r.get("type");
                // An INTEGER PRIMARY KEY is the rowid: never null, though not declared so.
                let not_null = r.get::<i64, _>("notnull") == 1 || r.get::<i64, _>("pk") > 0;
                (r.get::<String, _>("name"), family(&declared), !not_null)
            })
            .collect();
        tables.insert(table, columns);
    }
    let indexes = sqlx::query(
        "SELECT name, tbl_name FROM sqlite_master
         WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex_%'",
    )
    .fetch_all(pool)
    .await
    .unwrap()
    .iter()
    .map(|r| (r.get("name"), r.get("tbl_name")))
    .collect();
    Schema { tables, indexes }
}

async fn postgres_schema(db: &Db) -> Schema {
    let Db::Postgres { pool, .. } = db else {
        unreachable!("a PostgreSQL database")
    };
    let rows = sqlx::query(
        "SELECT table_name::text AS t, column_name::text AS c, data_type::text AS d,
                is_nullable::text AS n
         FROM information_schema.columns WHERE table_schema = current_schema()",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let mut tables: BTreeMap<String, Columns> = BTreeMap::new();
    for r in &rows {
        let table: String = r.get("t");
        if table == SKIP {
            continue;
        }
        let declared: String = r.get("d");
        tables.entry(table).or_default().insert((
            r.get("c"),
            family(&declared),
            r.get::<String, _>("n") == "YES",
        ));
    }
    // Indexes created by name, not those behind a primary key or a UNIQUE constraint
    // (SQLite names those itself).
    let indexes = sqlx::query(
        "SELECT indexname::text AS i, tablename::text AS t FROM pg_indexes
         WHERE schemaname = current_schema()
           AND indexname NOT IN (SELECT conname::text FROM pg_constraint)",
    )
    .fetch_all(pool)
    .await
    .unwrap()
    .iter()
    .map(|r| (r.get::<String, _>("i"), r.get::<String, _>("t")))
    .filter(|(_, t)| t != SKIP)
    .collect();
    Schema { tables, indexes }
}

#[tokio::test]
async fn both_engines_migrate_to_the_same_schema() {
    if std::env::var("DXPLAN_TEST_DATABASE_URL").is_err() {
        eprintln!("schema comparison skipped: DXPLAN_TEST_DATABASE_URL names no PostgreSQL server");
        return;
    }
    let postgres = TestDb::new().await.expect("a PostgreSQL schema");
    let file = std::env::temp_dir().join(format!("dxplan-schema-{}.db", std::process::id()));
    let sqlite = Db::connect(&DbOptions::new(format!("sqlite://{}", file.display())))
        .await
        .expect("an SQLite file");
    let s = sqlite_schema(&sqlite).await;
    let p = postgres_schema(&postgres.db).await;
    let _ = std::fs::remove_file(&file);

    let names = |x: &Schema| x.tables.keys().cloned().collect::<BTreeSet<_>>();
    assert_eq!(names(&s), names(&p), "the same tables");
    assert!(s.tables.len() > 20, "{} tables", s.tables.len());
    for (table, columns) in &s.tables {
        assert_eq!(
            columns, &p.tables[table],
            "{table}: the same columns, types and nullability (SQLite left, PostgreSQL right)"
        );
    }
    // The one index each engine builds its own way: SQLite adds the folded words to the
    // newest-plan index, which PostgreSQL's bounded index entries cannot hold (0019).
    let sqlite_indexes: BTreeSet<(String, String)> = s
        .indexes
        .iter()
        .map(|(i, t)| match i.as_str() {
            "tasks_newest_plan_code_search" => ("tasks_newest_plan_code".to_string(), t.clone()),
            _ => (i.clone(), t.clone()),
        })
        .collect();
    assert_eq!(sqlite_indexes, p.indexes, "the same named indexes");
}
