//! The demo province: the real units and departments of Bình Định (the full demo carries
//! them into today's Gia Lai, see `demo_reform`), and demo accounts.

mod briefings;
mod explanations;
pub mod index;
pub mod indicators;
pub mod plan;
pub mod reform;
pub mod scale;
pub mod steering;

use crate::App;
use crate::Caller;
use crate::error::{AppError, AppResult};
use crate::password;
use dxplan_domain::auth::Role;
use dxplan_domain::unit::UnitKind;
use dxplan_domain::user::NewUser;
use dxplan_store::audit::{self, Actor, NewEvent};
use dxplan_store::{units, users};

pub const UNITS_CSV: &[u8] = include_bytes!("../../../../data/binh-dinh-units.csv");
pub const DEPARTMENTS_CSV: &[u8] = include_bytes!("../../../../data/binh-dinh-departments.csv");
pub const DEMO_PASSWORD: &str = "demo";

/// One demo account, as printed on the console.
pub struct DemoAccount {
    pub username: String,
    pub role: Role,
    pub unit: String,
}

/// Loads the province and creates the demo accounts. Returns the accounts.
/// The whole demo: units, accounts, plans, and (with `data`) five years of figures.
pub async fn seed(app: &App) -> Result<Vec<DemoAccount>, AppError> {
    seed_with(app, crate::demo::indicators::DemoData::Full).await
}

pub async fn seed_with(
    app: &App,
    data: crate::demo::indicators::DemoData,
) -> Result<Vec<DemoAccount>, AppError> {
    let caller = Caller {
        user: None,
        actor: Actor::system("demo"),
    };
    crate::import_units(app, &caller, UNITS_CSV, "binh-dinh-units.csv").await?;
    crate::import_units(app, &caller, DEPARTMENTS_CSV, "binh-dinh-departments.csv").await?;
    // All demo accounts share one hash of "demo": hashing it once keeps start-up fast.
    let hash = password::hash(app.settings.password_cost, DEMO_PASSWORD.into()).await?;
    let now = app.now();
    let today = app.today();
    let mut c = app.housekeeping().await?;
    let province = units::by_code(&mut c, "52", today)
        .await?
        .ok_or_else(|| AppError::internal("province 52 missing from the demo data"))?;
    // Since March 2025 digital transformation is the Department of Science and
    // Technology's (Sở TT&TT merged into it): the coordinator works there.
    let skhcn = units::by_code(&mut c, "52-SKHCN2", today).await?;

    let mut plan = vec![
        Planned::new("admin", "Quản trị hệ thống", None, Role::Admin, None),
        Planned::new(
            "coordinator",
            "Chuyên viên Sở Khoa học và Công nghệ",
            skhcn.as_ref().map(|u| u.id),
            Role::Coordinator,
            Some(&province),
        ),
        Planned::new(
            "viewer",
            "Thành viên Ban Chỉ đạo",
            None,
            Role::Viewer,
            Some(&province),
        ),
    ];
    // Quy Nhơn assesses its own communes (the two-tier assessment).
    if let Some(quy_nhon) = units::by_code(&mut c, "540", today).await? {
        plan.push(Planned::new(
            "coordinator-540",
            "Chuyên viên Phòng Văn hoá - Thông tin thành phố Quy Nhơn",
            None,
            Role::Coordinator,
            Some(&quy_nhon),
        ));
    }
    let mut list = units::valid_on(&mut c, today).await?;
    list.retain(|u| matches!(u.kind, UnitKind::Department | UnitKind::District));
    for unit in &list {
        let slug = unit.code.trim_start_matches("52-").to_lowercase();
        for (prefix, role, title) in [
            ("editor", Role::UnitEditor, "Cán bộ"),
            ("approver", Role::UnitApprover, "Lãnh đạo"),
        ] {
            plan.push(Planned::new(
                &format!("{prefix}-{slug}"),
                &format!("{title} {}", unit.name),
                Some(unit.id),
                role,
                Some(unit),
            ));
        }
    }
    let mut accounts = Vec::new();
    let mut granted_on = Vec::new();
    for Planned {
        username,
        display_name,
        works_in,
        role,
        grant_on,
        scope,
    } in plan
    {
        let new = NewUser {
            username: username.clone(),
            display_name,
            email: None,
        };
        let id = users::insert(&mut c, &new, works_in, &hash, now).await?;
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
        accounts.push(DemoAccount {
            username,
            role,
            unit: scope,
        });
        granted_on.push(grant_on);
    }
    c.commit_shown().await?;
    let full = matches!(data, crate::demo::indicators::DemoData::Full);
    // The full demo lives through the 2025 reorganisation (see `demo_reform`): districts
    // work until 30 June 2025, the new communes from 1 July.
    let districts_end = full.then(crate::demo::reform::july_2025);
    // The plan the steering committee asked for, made in January 2025 with the districts;
    // the reorganisation then carries their open tasks and accounts to the new communes.
    crate::demo::plan::seed_plan_with(app, 2025, districts_end).await?;
    if full {
        crate::demo::reform::seed(app).await?;
        // The console names where each account's role is now (carried by the change), and
        // the person's title follows their unit ("Cán bộ Phường Quy Nhơn").
        let mut c = app.housekeeping().await?;
        for (account, unit) in accounts.iter_mut().zip(&granted_on) {
            let Some(unit) = unit else { continue };
            let before = units::get(&mut c, *unit).await?;
            if !before.is_valid_on(today)
                && let [now] = units::successors(&mut c, *unit).await?.as_slice()
            {
                account.unit = now.name.clone();
                if let Some(user) = users::by_username(&mut c, &account.username).await?
                    && let Some(title) = user.display_name.strip_suffix(before.name.as_str())
                    && before.name != now.name
                {
                    let changes = users::UserChanges {
                        display_name: format!("{title}{}", now.name),
                        email: user.email.clone(),
                        phone: user.phone.clone(),
                        unit_id: user.unit_id,
                        active: user.active,
                    };
                    users::update(&mut c, user.id, &changes, None, app.now()).await?;
                }
            }
        }
        c.commit_shown().await?;
    }
    // This year's plan when that is later, made with the units of the year.
    let this_year_plan = if app.today().year() > 2025 {
        let year = app.today().year();
        let plan = crate::demo::plan::seed_plan(app, year).await?;
        crate::demo::steering::seed(app, plan, year).await?;
        Some(plan)
    } else {
        None
    };
    crate::demo::indicators::seed(app, data).await?;
    if full {
        crate::demo::index::seed(app).await?;
        if let Some(plan) = this_year_plan {
            crate::demo::explanations::seed(app, plan).await?;
            crate::demo::briefings::seed(app, plan).await?;
            urge_late_units(app, plan).await?;
        }
    }
    Ok(accounts)
}

/// One urging letter sent to the units late on this year's plan (overdue tasks, figures
/// not sent), so the urging page shows a letter and the next one drafts as a second reminder.
async fn urge_late_units(app: &App, plan: i64) -> AppResult<()> {
    let caller = Caller::cli();
    match crate::urging::draft_letter(app, &caller, plan).await {
        Ok(letter) => {
            let number = format!("{}/SKHCN-CĐS", 200 + letter.letter.id);
            crate::urging::mark_sent(app, &caller, letter.letter.id, &number, None).await?;
            Ok(())
        }
        // Nobody late on the demo's day: nothing to urge.
        Err(AppError::Conflict {
            code: "nobody_late",
            ..
        }) => Ok(()),
        Err(e) => Err(e),
    }
}

/// A demo account to create: who, where they work, and the role they get where.
struct Planned {
    username: String,
    display_name: String,
    works_in: Option<i64>,
    role: Role,
    grant_on: Option<i64>,
    scope: String,
}

impl Planned {
    fn new(
        username: &str,
        display_name: &str,
        works_in: Option<i64>,
        role: Role,
        grant_on: Option<&units::Unit>,
    ) -> Self {
        Planned {
            username: username.into(),
            display_name: display_name.into(),
            works_in: works_in.or(grant_on.map(|u| u.id)),
            role,
            grant_on: grant_on.map(|u| u.id),
            scope: grant_on.map_or_else(|| "—".to_string(), |u| u.name.clone()),
        }
    }
}
