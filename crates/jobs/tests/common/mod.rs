//! What the jobs suites share.

use std::time::Duration;

/// The use cases over the test database, with the public address links in reminders use.
pub fn app_with(db: &dxplan_app::Db, public_url: Option<String>) -> dxplan_app::App {
    dxplan_app::App::new(
        db.clone(),
        dxplan_app::Settings {
            session_idle: Duration::from_secs(7200),
            public_url,
            ..Default::default()
        },
    )
}
