use std::time::Duration;

use dxplan_domain::user::NewUser;
use dxplan_jobs::{JobConfig, run_due};
use dxplan_store::sessions::{self, NewSession};
use dxplan_store::{TestDb, users};
use time::macros::datetime;

#[tokio::test]
async fn expired_and_idle_sessions_are_swept_and_live_ones_kept() {
    let test = TestDb::new().await.unwrap();
    let db = &test.db;
    let now = datetime!(2026-11-28 09:00 UTC);
    let mut c = db.begin().await.unwrap();
    let user = NewUser {
        username: "a".repeat(3),
        display_name: "A".into(),
        email: None,
    };
    let id = users::insert(&mut c, &user, None, "hash", now)
        .await
        .unwrap();
    // (hash, created minutes ago, absolute expiry minutes from now)
    for (hash, seen_ago, expires_in) in [("live", 5, 600), ("idle", 180, 600), ("expired", 1, -1)] {
        let seen = now - time::Duration::minutes(seen_ago);
        sessions::create(
            &mut c,
            &NewSession {
                id_hash: hash,
                user_id: id,
                csrf_token: "t",
                now: seen,
                expires_at: now + time::Duration::minutes(expires_in),
                client_addr: None,
                user_agent: None,
            },
        )
        .await
        .unwrap();
    }
    c.commit().await.unwrap();
    let config = JobConfig {
        session_idle: Duration::from_secs(7200),
        every: Duration::from_secs(600),
        public_url: None,
        digest_hour: 7,
        mailer: None,
    };
    assert_eq!(run_due(db, &config, now).await.unwrap().sessions_purged, 2);
    assert_eq!(run_due(db, &config, now).await.unwrap().sessions_purged, 0);
    let mut c = db.read().await.unwrap();
    let idle_since = now - time::Duration::hours(2);
    assert!(
        sessions::find(&mut c, "live", now, idle_since)
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        sessions::find(&mut c, "idle", now, idle_since)
            .await
            .unwrap()
            .is_none()
    );
}
