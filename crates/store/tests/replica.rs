//! The read replica (issue #18): reads go to a real PostgreSQL streaming replica once it
//! has replayed this server's commits, and every read sees every commit made before it,
//! the reader's own among them, even while the replica's replay is paused.
//!
//! The replica tests need a standby of the test server: they run where
//! `DXPLAN_TEST_REPLICA_URL` names one (`.ci/run`'s PostgreSQL stage starts it with
//! `scripts/pg-test-replica`) and say they were skipped elsewhere.

use std::time::{Duration, Instant};

use dxplan_store::{Conn, Db, DbOptions, Raw, ReplicaStats, StoreError, TestDb};

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

async fn execute(c: &mut Conn, sql: &str) {
    let Raw::Postgres(pg) = c.raw() else {
        unreachable!("PostgreSQL")
    };
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
        .execute(pg)
        .await
        .expect(sql);
}

/// Commits `sql` as a write does.
async fn write(db: &Db, sql: &str) {
    let mut c = db.begin().await.expect("begin");
    execute(&mut c, sql).await;
    c.commit().await.expect("commit");
}

/// One read: the rows in `probe`, and whether the server that answered is a standby.
async fn read(db: &Db) -> (i64, bool) {
    let mut c = db.read().await.expect("read");
    let Raw::Postgres(pg) = c.raw() else {
        unreachable!("PostgreSQL")
    };
    sqlx::query_as("SELECT (SELECT count(*) FROM probe), pg_is_in_recovery()")
        .fetch_one(pg)
        .await
        .expect("read probe")
}

fn stats(db: &Db) -> ReplicaStats {
    db.pool_stats().replica.expect("a replica")
}

/// Reads until one is answered by the replica (it replays within milliseconds; ten
/// seconds is a broken setup), checking that every read sees `rows`.
async fn until_the_replica_answers(db: &Db, rows: i64) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (seen, on_replica) = read(db).await;
        assert_eq!(seen, rows, "a read saw {seen} of the {rows} committed rows");
        if on_replica {
            return;
        }
        assert!(Instant::now() < deadline, "no read reached the replica");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn reads_go_to_the_replica_and_always_see_what_was_committed() {
    let Some(replica_url) = env("DXPLAN_TEST_REPLICA_URL") else {
        eprintln!("replica test skipped: DXPLAN_TEST_REPLICA_URL names no streaming replica");
        return;
    };
    // The test database reads from the replica the variable names.
    let test = TestDb::new().await.expect("test database");
    let db = &test.db;

    write(db, "CREATE TABLE probe (n integer)").await;
    until_the_replica_answers(db, 0).await;
    // Each write is read back at once: from the primary while the replica replays it,
    // from the replica once it has.
    for n in 1..=30 {
        write(db, &format!("INSERT INTO probe VALUES ({n})")).await;
        let (seen, _) = read(db).await;
        assert_eq!(seen, n, "the read right after commit {n}");
    }
    until_the_replica_answers(db, 30).await;
    let before = stats(db);
    assert!(before.replica_reads > 0, "{before:?}");

    // A replica that stops replaying (a long query on it, a broken link) keeps serving
    // what it had; the reads that must see newer commits go to the primary.
    let replica = sqlx::PgPool::connect(&replica_url).await.expect("replica");
    sqlx::query("SELECT pg_wal_replay_pause()")
        .execute(&replica)
        .await
        .expect("pause the replica's replay (granted by scripts/pg-test-replica)");
    write(db, "INSERT INTO probe VALUES (31)").await;
    for _ in 0..5 {
        assert_eq!(
            read(db).await,
            (31, false),
            "read while the replay is paused"
        );
    }
    assert!(stats(db).primary_reads >= before.primary_reads + 5);
    sqlx::query("SELECT pg_wal_replay_resume()")
        .execute(&replica)
        .await
        .expect("resume");
    until_the_replica_answers(db, 31).await;
}

#[tokio::test]
async fn a_replica_that_is_no_standby_is_refused() {
    let Some(primary_url) = env("DXPLAN_TEST_DATABASE_URL") else {
        eprintln!("replica test skipped: DXPLAN_TEST_DATABASE_URL names no PostgreSQL server");
        return;
    };
    let mut options = DbOptions::new(primary_url.clone());
    options.replica_url = Some(primary_url);
    match Db::open(&options).await {
        Err(StoreError::Config(why)) => assert!(why.contains("no standby"), "{why}"),
        other => panic!("the primary taken for a replica: {:?}", other.map(|_| ())),
    }
}

#[tokio::test]
async fn the_embedded_database_takes_no_replica() {
    let dir = std::env::temp_dir().join(format!("dxplan-replica-{}.db", std::process::id()));
    let mut options = DbOptions::new(format!("sqlite://{}", dir.display()));
    options.replica_url = Some("postgres://nobody@127.0.0.1:1/none".into());
    match Db::open(&options).await {
        Err(StoreError::Config(why)) => assert!(why.contains("PostgreSQL"), "{why}"),
        other => panic!("an SQLite database with a replica: {:?}", other.map(|_| ())),
    }
    assert!(!dir.exists(), "nothing is created for a refused setup");
}
