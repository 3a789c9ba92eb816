//! Scale data for benchmarks and `dxplan demo --scale`: many monthly indicators with
//! figures for every commune over five years, for the demo province (`province`) or
//! for 34 provinces under the ministry (`national`, PostgreSQL only); and for
//! `dxplan demo --tasks`, a plan of many tasks, as a comparison with a tracker loads.

use dxplan_domain::indicator::{IndicatorInput, validate_indicator};
use dxplan_domain::period::Period;
use dxplan_domain::task::{AcquisitionMode, PlanStatus, TaskFields, TaskStatus};
use dxplan_domain::unit::{UnitFields, UnitKind};
use dxplan_store::indicators::{self, ScaleShape};
use dxplan_store::tasks::{self, TaskWrite};
use dxplan_store::{Backend, plans, units};
use time::Duration;

use crate::App;
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Copy)]
pub struct ScaleReport {
    pub indicators: usize,
    pub units: usize,
    pub values: u64,
}

/// The 33 provinces and cities besides Gia Lai after the 2025 merger, by GSO code.
const OTHER_PROVINCES: [(&str, &str); 33] = [
    ("01", "Thành phố Hà Nội"),
    ("04", "Tỉnh Cao Bằng"),
    ("08", "Tỉnh Tuyên Quang"),
    ("11", "Tỉnh Điện Biên"),
    ("12", "Tỉnh Lai Châu"),
    ("14", "Tỉnh Sơn La"),
    ("15", "Tỉnh Lào Cai"),
    ("19", "Tỉnh Thái Nguyên"),
    ("20", "Tỉnh Lạng Sơn"),
    ("22", "Tỉnh Quảng Ninh"),
    ("24", "Tỉnh Bắc Ninh"),
    ("25", "Tỉnh Phú Thọ"),
    ("31", "Thành phố Hải Phòng"),
    ("33", "Tỉnh Hưng Yên"),
    ("37", "Tỉnh Ninh Bình"),
    ("38", "Tỉnh Thanh Hóa"),
    ("40", "Tỉnh Nghệ An"),
    ("42", "Tỉnh Hà Tĩnh"),
    ("44", "Tỉnh Quảng Trị"),
    ("46", "Thành phố Huế"),
    ("48", "Thành phố Đà Nẵng"),
    ("51", "Tỉnh Quảng Ngãi"),
    ("56", "Tỉnh Khánh Hòa"),
    ("66", "Tỉnh Đắk Lắk"),
    ("68", "Tỉnh Lâm Đồng"),
    ("75", "Tỉnh Đồng Nai"),
    ("79", "Thành phố Hồ Chí Minh"),
    ("80", "Tỉnh Tây Ninh"),
    ("82", "Tỉnh Đồng Tháp"),
    ("86", "Tỉnh Vĩnh Long"),
    ("91", "Tỉnh An Giang"),
    ("92", "Thành phố Cần Thơ"),
    ("96", "Tỉnh Cà Mau"),
];

/// The words of the tasks `seed_tasks` writes. Two in six mention "chuyển": a search for
/// it matches a third of the plan.
const TASK_WORDS: [&str; 6] = [
    "chuyển đổi số",
    "dữ liệu",
    "hạ tầng",
    "chuyển giao chữ ký số",
    "dịch vụ công",
    "an toàn thông tin",
];

/// The title of task `i` of `seed_tasks`, led by `unit`.
fn task_title(i: usize, unit: &str) -> String {
    format!(
        "Nhiệm vụ {} số {i} của {unit}",
        TASK_WORDS[i % TASK_WORDS.len()]
    )
}

/// A plan of this year named `title` with `count` tasks spread over the units standing
/// today, every status in turn, deadlines from 200 days ago to 200 days ahead (so about
/// half the open ones are overdue), a coordinating unit each. One transaction; returns
/// the plan's id.
pub async fn seed_tasks(app: &App, title: &str, count: usize) -> AppResult<i64> {
    let now = app.now();
    let today = app.today();
    let mut c = app.housekeeping().await?;
    let plan_id = plans::insert(
        &mut c,
        &plans::PlanFields {
            year: i64::from(today.year()),
            title: title.into(),
            legal_basis: None,
            decision_number: None,
            decision_date: None,
            status: PlanStatus::Active,
        },
        now,
    )
    .await?;
    let all_units = units::valid_on(&mut c, today).await?;
    if all_units.is_empty() {
        return Err(AppError::BadRequest("no unit stands today".into()));
    }
    for i in 0..count {
        let unit = &all_units[i % all_units.len()];
        let fields = TaskFields {
            code: format!("{}.{}", i % 12 + 1, i / 12 + 1),
            title: task_title(i, &unit.name),
            description: None,
            deliverable: Some("Sản phẩm".into()),
            group_id: None,
            lead_unit_code: unit.code.clone(),
            coordinating_unit_codes: Vec::new(),
            partners: Vec::new(),
            start_date: None,
            due_date: today + Duration::days((i as i64 * 13) % 400 - 200),
            budget_planned: (i as i64 % 50) * 10_000_000,
            funding_source: None,
            acquisition_mode: Some(AcquisitionMode::ALL[i % 3]),
            key_task: i.is_multiple_of(10),
            assigned_doc_number: None,
            assigned_doc_date: None,
            assigned_doc_signer: None,
            assigned_doc_type: None,
            assigned_doc_item: None,
        };
        let coordinating = [all_units[(i * 7) % all_units.len()].id];
        let id = tasks::insert(
            &mut c,
            &TaskWrite {
                fields: &fields,
                plan_id,
                lead_unit_id: unit.id,
                coordinating: &coordinating,
            },
            TaskStatus::Draft,
            None,
            now,
        )
        .await?;
        let status = TaskStatus::ALL[i % TaskStatus::ALL.len()];
        tasks::set_status(&mut c, id, status, None, None, now).await?;
    }
    c.commit_shown().await?;
    Ok(plan_id)
}

/// Code of the national root the provinces report to at national scale.
pub const NATIONAL_ROOT: &str = "BKHCN";

/// `count` monthly indicators (every aggregation rule in turn) with figures for every
/// commune of the demo province for the `years` years before this one.
pub async fn seed(app: &App, count: usize, years: i32) -> AppResult<ScaleReport> {
    let indicators = scale_indicators(app, count).await?;
    generate(app, &indicators, years).await
}

/// National scale: the ministry at the root, the demo province and 33 other provinces of
/// `communes_each` communes each, then `count` indicators for every commune. PostgreSQL
/// only: tens of millions of figures are no job for the embedded database.
pub async fn seed_national(
    app: &App,
    count: usize,
    years: i32,
    communes_each: usize,
) -> AppResult<ScaleReport> {
    if app.db.backend() != Backend::Postgres {
        return Err(AppError::BadRequest(
            "national scale needs PostgreSQL (--database postgres://…)".into(),
        ));
    }
    national_units(app, communes_each).await?;
    national_reader(app).await?;
    let indicators = scale_indicators(app, count).await?;
    generate(app, &indicators, years).await
}

/// Username of the ministry's reader at national scale, a viewer of the whole nation.
pub const NATIONAL_READER: &str = "viewer-bkhcn";

/// The ministry's reader (`viewer-bkhcn`, password `demo`), made when missing: what a
/// national demo is opened as, and whom the national benchmark reads as.
pub async fn national_reader(app: &App) -> AppResult<()> {
    let now = app.now();
    {
        let mut c = app.db.read().await?;
        if dxplan_store::users::by_username(&mut c, NATIONAL_READER)
            .await?
            .is_some()
        {
            return Ok(());
        }
    }
    // Hashed before the write begins: the writer is not held while the hash is made.
    let hash =
        crate::password::hash(app.settings.password_cost, super::DEMO_PASSWORD.into()).await?;
    let mut c = app.housekeeping().await?;
    let root = units::by_code(&mut c, NATIONAL_ROOT, app.today())
        .await?
        .ok_or(AppError::NotFound)?;
    let new = dxplan_domain::user::NewUser {
        username: NATIONAL_READER.into(),
        display_name: "Lãnh đạo Bộ Khoa học và Công nghệ".into(),
        email: None,
    };
    let id = dxplan_store::users::insert(&mut c, &new, Some(root.id), &hash, now).await?;
    dxplan_store::users::add_grant(
        &mut c,
        id,
        dxplan_domain::auth::Role::Viewer,
        Some(root.id),
        now,
    )
    .await?;
    c.commit_shown().await?;
    Ok(())
}

async fn national_units(app: &App, communes_each: usize) -> AppResult<()> {
    let now = app.now();
    let today = app.today();
    let mut c = app.housekeeping().await?;
    let unit = |code: String, name: String, kind| UnitFields {
        code,
        name,
        short_name: None,
        kind,
        parent_code: None,
        valid_from: None,
        valid_to: None,
    };
    let root = units::insert(
        &mut c,
        &unit(
            NATIONAL_ROOT.into(),
            "Bộ Khoa học và Công nghệ".into(),
            UnitKind::Ministry,
        ),
        None,
        now,
    )
    .await?;
    let home = units::by_code(&mut c, "52", today)
        .await?
        .ok_or(AppError::NotFound)?;
    let home_fields = UnitFields {
        code: home.code.clone(),
        name: home.name.clone(),
        short_name: home.short_name.clone(),
        kind: home.kind,
        parent_code: Some(NATIONAL_ROOT.into()),
        valid_from: home.valid_from,
        valid_to: home.valid_to,
    };
    units::update(&mut c, home.id, &home_fields, Some(root), None, now).await?;
    for (code, name) in OTHER_PROVINCES {
        let province = units::insert(
            &mut c,
            &unit(code.into(), name.into(), UnitKind::Province),
            Some(root),
            now,
        )
        .await?;
        for n in 1..=communes_each {
            units::insert(
                &mut c,
                &unit(
                    format!("{code}-{n:03}"),
                    format!("Xã số {n}"),
                    UnitKind::Commune,
                ),
                Some(province),
                now,
            )
            .await?;
        }
    }
    c.commit_shown().await?;
    Ok(())
}

/// Creates `count` monthly indicators `SC-001`…, cycling through the aggregation rules.
async fn scale_indicators(app: &App, count: usize) -> AppResult<Vec<(i64, ScaleShape)>> {
    let rules = [
        ("sum", "number", ScaleShape::Count),
        ("ratio_of_sums", "ratio", ScaleShape::Ratio),
        ("average", "percent", ScaleShape::Percent),
        ("latest", "number", ScaleShape::Count),
        ("max", "number", ScaleShape::Count),
        ("min", "number", ScaleShape::Count),
    ];
    let now = app.now();
    let mut c = app.housekeeping().await?;
    let mut ids = Vec::with_capacity(count);
    for i in 0..count {
        let (aggregation, measure, shape) = rules[i % rules.len()];
        let fields = validate_indicator(&IndicatorInput {
            code: format!("SC-{:03}", i + 1),
            name: format!("Chỉ tiêu quy mô số {}", i + 1),
            measure: measure.into(),
            direction: "higher".into(),
            aggregation: aggregation.into(),
            period_type: "month".into(),
            pillar_code: Some("foundations".into()),
            ..Default::default()
        })
        .map_err(AppError::Validation)?;
        ids.push((indicators::insert(&mut c, &fields, None, now).await?, shape));
    }
    c.commit_shown().await?;
    Ok(ids)
}

/// Figures for every commune valid today, every month of the `years` years before this one.
async fn generate(
    app: &App,
    indicators: &[(i64, ScaleShape)],
    years: i32,
) -> AppResult<ScaleReport> {
    let now = app.now();
    let today = app.today();
    let communes: Vec<i64> = {
        let mut c = app.db.read().await?;
        units::valid_on(&mut c, today)
            .await?
            .iter()
            .filter(|u| u.kind == UnitKind::Commune)
            .map(|u| u.id)
            .collect()
    };
    let months: Vec<Period> = (today.year() - years..today.year())
        .flat_map(|y| (1..=12).map(move |m| Period::Month(y, m)))
        .collect();
    let mut values = 0;
    for (seed, (id, shape)) in indicators.iter().enumerate() {
        // One transaction per indicator keeps each commit small and the writer lock short.
        let mut c = app.housekeeping().await?;
        values += indicators::generate_approved(
            &mut c,
            *id,
            *shape,
            seed as i64,
            &communes,
            &months,
            now,
        )
        .await?;
        c.commit_shown().await?;
        if (seed + 1) % 20 == 0 {
            tracing::info!(
                indicators = seed + 1,
                of = indicators.len(),
                values,
                "scale data"
            );
        }
    }
    Ok(ScaleReport {
        indicators: indicators.len(),
        units: communes.len(),
        values,
    })
}
