//! The demo province: the real units and departments of Bình Định, and demo accounts.

use dxplan_domain::auth::Role;
use dxplan_domain::unit::UnitKind;
use dxplan_domain::user::NewUser;
use dxplan_store::audit::{self, Actor, NewEvent};
use dxplan_store::{Db, units, users};
use dxplan_web::service::{self, Caller};
use dxplan_web::{AppState, password};

pub const UNITS_CSV: &[u8] = include_bytes!("../../../data/binh-dinh-units.csv");
pub const DEPARTMENTS_CSV: &[u8] = include_bytes!("../../../data/binh-dinh-departments.csv");
pub const DEMO_PASSWORD: &str = "demo";

/// One demo account, as printed on the console.
pub struct DemoAccount {
    pub username: String,
    pub role: Role,
    pub unit: String,
}

/// Loads the province and creates the demo accounts. Returns the accounts.
pub async fn seed(state: &AppState) -> anyhow::Result<Vec<DemoAccount>> {
    let caller = Caller {
        user: None,
        actor: Actor::system("demo"),
    };
    service::import_units(state, &caller, UNITS_CSV, "binh-dinh-units.csv").await?;
    service::import_units(state, &caller, DEPARTMENTS_CSV, "binh-dinh-departments.csv").await?;
    // All demo accounts share one hash of "demo": hashing it once keeps start-up fast.
    let hash = password::hash(state.config.password_cost, DEMO_PASSWORD.into()).await?;
    let db: &Db = &state.db;
    let now = state.now();
    let today = state.today();
    let mut c = db.begin().await?;
    let province = units::by_code(&mut c, "52", today).await?.ok_or_else(|| anyhow::anyhow!("province 52 missing"))?;
    let stttt = units::all_with_code(&mut c, "52-STTTT").await?.into_iter().next();

    let mut plan: Vec<(String, String, Option<i64>, Role, Option<i64>, String)> = vec![
        ("admin".into(), "Quản trị hệ thống".into(), None, Role::Admin, None, "—".into()),
        (
            "coordinator".into(),
            "Chuyên viên Sở Thông tin và Truyền thông".into(),
            stttt.as_ref().map(|u| u.id),
            Role::Coordinator,
            Some(province.id),
            province.name.clone(),
        ),
        ("viewer".into(), "Thành viên Ban Chỉ đạo".into(), None, Role::Viewer, Some(province.id), province.name.clone()),
    ];
    let mut list = units::valid_on(&mut c, today).await?;
    list.retain(|u| matches!(u.kind, UnitKind::Department | UnitKind::District) || u.code == "52-STTTT");
    if let Some(old) = &stttt
        && !list.iter().any(|u| u.id == old.id)
    {
        // Sở TT&TT was merged in 2025, but the coordinator's office still plans in its name.
        list.push(old.clone());
    }
    for unit in &list {
        let slug = unit.code.trim_start_matches("52-").to_lowercase();
        for (prefix, role, title) in [
            ("editor", Role::UnitEditor, "Cán bộ"),
            ("approver", Role::UnitApprover, "Lãnh đạo"),
        ] {
            plan.push((
                format!("{prefix}-{slug}"),
                format!("{title} {}", unit.name),
                Some(unit.id),
                role,
                Some(unit.id),
                unit.name.clone(),
            ));
        }
    }
    let mut accounts = Vec::new();
    for (username, display_name, unit_id, role, grant_on, scope) in plan {
        let new = NewUser {
            username: username.clone(),
            display_name,
            email: None,
        };
        let id = users::insert(&mut c, &new, unit_id, &hash, now).await?;
        users::add_grant(&mut c, id, role, grant_on, now).await?;
        audit::record(
            &mut c,
            &caller.actor,
            NewEvent {
                action: "user.create",
                entity_type: "user",
                entity_id: Some(id.to_string()),
                summary: format!("{username} ({} @ {scope})", role.as_str()),
                before: None,
                after: None,
            },
            now,
        )
        .await?;
        accounts.push(DemoAccount { username, role, unit: scope });
    }
    c.commit().await?;
    Ok(accounts)
}
