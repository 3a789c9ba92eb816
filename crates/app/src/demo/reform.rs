//! The full demo's administrative reorganisation of 2025, built from the shared data and
//! applied through the reorganisation feature (`service::reorg`) like an administrator
//! would: on 1 January 2025 four Quy Nhơn wards end and three communes are renamed; on
//! 1 July 2025 Bình Định becomes part of the new Gia Lai (code 52 kept), its 155 communes
//! become 58 and the district level ends.

use dxplan_domain::period::Period;
use dxplan_domain::task::{ReportFields, TaskStatus};
use dxplan_store::audit::Actor;
use dxplan_store::tasks::{self, NewTaskEvent, ReportWrite, TaskFilter};
use dxplan_store::{plans, reorg, units};
use time::{Date, Month};

use crate::App;
use crate::Caller;
use crate::error::{AppError, AppResult};
use crate::reorg::{ChangeInput, apply, create};

const COMMUNES_CSV: &str = include_str!("../../../../data/gia-lai-2025-communes.csv");
const LINEAGE_CSV: &str = include_str!("../../../../data/binh-dinh-2025-lineage.csv");
const WEIGHTS_CSV: &str = include_str!("../../../../data/binh-dinh-2025-split-weights.csv");

/// The day the new communes and the new Gia Lai start.
pub fn july_2025() -> Date {
    Date::from_calendar_date(2025, Month::July, 1).unwrap_or(Date::MIN)
}

/// Where each district's work goes on 1 July 2025: the new commune or ward that continues
/// the district's seat — its township (thị trấn huyện lỵ) or, for the city and the two
/// towns, the ward of its People's Committee (Hoài Nhơn's in Bồng Sơn, An Nhơn's in Bình
/// Định) — checked against `gia-lai-2025-communes.csv` when the change is built. The
/// reform abolished the district level without a successor; carrying a district's open
/// tasks, accounts and figures to its seat is the demo's choice, so that its history stays
/// readable "as it is now".
pub const DISTRICT_SEATS: &[(&str, &str, &str)] = &[
    ("540", "21583", "Phường Quy Nhơn"),
    ("542", "21609", "Xã An Lão"),
    ("543", "21640", "Phường Bồng Sơn"),
    ("544", "21688", "Xã Hoài Ân"),
    ("545", "21730", "Xã Phù Mỹ"),
    ("546", "21786", "Xã Vĩnh Thạnh"),
    ("547", "21808", "Xã Tây Sơn"),
    ("548", "21853", "Xã Phù Cát"),
    ("549", "21907", "Phường Bình Định"),
    ("550", "21952", "Xã Tuy Phước"),
    ("551", "21994", "Xã Vân Canh"),
];

fn bad(e: impl std::fmt::Display) -> AppError {
    AppError::internal(format!("demo reorganisation data: {e}"))
}

/// The changes of 1 January 2025 that `SOURCES.md` records (Quy Nhơn's wards 21568,
/// 21571, 21574 and 21586 ended; 21580 became Phường Trần Phú, 21583 Phường Thị Nại and
/// 21862 Thị trấn Cát Khánh). The shared data does not say where the four wards went, so
/// they end without a successor (they have no figures or work in the demo); a rename is a
/// new unit that keeps the code.
fn january_change() -> ChangeInput {
    ChangeInput {
        name: "Sắp xếp đơn vị hành chính cấp xã thành phố Quy Nhơn, huyện Phù Cát (01/01/2025)"
            .into(),
        effective_on: "01/01/2025".into(),
        new_units_csv: "code,name,level,parent_code\n\
            21580,Phường Trần Phú,commune,540\n\
            21583,Phường Thị Nại,commune,540\n\
            21862,Thị trấn Cát Khánh,commune,548\n"
            .as_bytes()
            .to_vec(),
        lineage_csv: "old_code,old_name,new_code,new_name\n\
            21568,Phường Thị Nại,,\n\
            21571,Phường Lê Hồng Phong,,\n\
            21574,Phường Trần Hưng Đạo,,\n\
            21586,Phường Trần Phú,,\n\
            21580,Phường Lý Thường Kiệt,21580,Phường Trần Phú\n\
            21583,Phường Lê Lợi,21583,Phường Thị Nại\n\
            21862,Xã Cát Khánh,21862,Thị trấn Cát Khánh\n"
            .as_bytes()
            .to_vec(),
    }
}

/// The change of 1 July 2025 for the former Bình Định part, from the shared files: the new
/// province (code 52 kept, so the province and its departments continue as Gia Lai), the
/// 58 new communes made from Bình Định ones (`former_province` = 52), the 158 commune
/// edges with the demo split weights, each district into the unit in `DISTRICT_SEATS`, and
/// the departments carried on under the new province.
pub fn july_change() -> AppResult<ChangeInput> {
    let mut units = csv::Writer::from_writer(Vec::new());
    units
        .write_record(["code", "name", "level", "parent_code"])
        .map_err(bad)?;
    units
        .write_record(["52", "Tỉnh Gia Lai", "province", ""])
        .map_err(bad)?;
    let mut names = std::collections::HashMap::new();
    for row in csv::Reader::from_reader(COMMUNES_CSV.as_bytes()).records() {
        let row = row.map_err(bad)?;
        if row.get(4) != Some("52") {
            continue;
        }
        names.insert(row[0].to_string(), row[1].to_string());
        units
            .write_record([&row[0], &row[1], &row[2], &row[3]])
            .map_err(bad)?;
    }
    if names.len() != 58 {
        return Err(bad(format!(
            "{} former Bình Định communes, not 58",
            names.len()
        )));
    }
    let mut weights = std::collections::HashMap::new();
    for row in csv::Reader::from_reader(WEIGHTS_CSV.as_bytes()).records() {
        let row = row.map_err(bad)?;
        weights.insert((row[0].to_string(), row[1].to_string()), row[2].to_string());
    }
    let mut lineage = csv::Writer::from_writer(Vec::new());
    lineage
        .write_record(["old_code", "old_name", "new_code", "new_name", "weight"])
        .map_err(bad)?;
    lineage
        .write_record(["52", "Tỉnh Bình Định", "52", "Tỉnh Gia Lai", ""])
        .map_err(bad)?;
    for row in csv::Reader::from_reader(LINEAGE_CSV.as_bytes()).records() {
        let row = row.map_err(bad)?;
        let weight = weights
            .get(&(row[0].to_string(), row[2].to_string()))
            .map_or("", String::as_str);
        lineage
            .write_record([&row[0], &row[1], &row[2], &row[3], weight])
            .map_err(bad)?;
    }
    // The departments and provincial bodies standing on 30 June 2025 continue under the
    // new province (same code, so links and accounts keep working): its People's Committee
    // issues their documents from now on. The two provincial news bodies merged into one.
    for row in csv::Reader::from_reader(crate::demo::DEPARTMENTS_CSV).records() {
        let row = row.map_err(bad)?;
        let (code, name, kind) = (&row[0], &row[1], &row[3]);
        let ended = !row[6].is_empty();
        if ended {
            continue;
        }
        let (new_code, new_name) = match code {
            "52-BAO" | "52-DPTTH" => ("52-BPTTH", "Báo và Phát thanh, Truyền hình Gia Lai"),
            _ => (code, name),
        };
        if new_code == code {
            units.write_record([code, name, kind, "52"]).map_err(bad)?;
        } else if code == "52-BAO" {
            units
                .write_record([new_code, new_name, kind, "52"])
                .map_err(bad)?;
        }
        lineage
            .write_record([code, name, new_code, new_name, ""])
            .map_err(bad)?;
    }
    let districts = crate::demo::UNITS_CSV;
    for (district, seat, seat_name) in DISTRICT_SEATS {
        if names.get(*seat).map(String::as_str) != Some(*seat_name) {
            return Err(bad(format!("{seat} {seat_name} is not a new commune")));
        }
        let name = csv::Reader::from_reader(districts)
            .records()
            .filter_map(Result::ok)
            .find(|r| &r[0] == *district && &r[2] == "district")
            .map(|r| r[1].to_string())
            .ok_or_else(|| bad(format!("no district {district}")))?;
        lineage
            .write_record([*district, name.as_str(), *seat, *seat_name, ""])
            .map_err(bad)?;
    }
    Ok(ChangeInput {
        name: "Sắp xếp đơn vị hành chính năm 2025: hợp nhất tỉnh Bình Định vào tỉnh Gia Lai, \
               sắp xếp cấp xã, kết thúc cấp huyện (01/07/2025)"
            .into(),
        effective_on: "01/07/2025".into(),
        new_units_csv: units.into_inner().map_err(bad)?,
        lineage_csv: lineage.into_inner().map_err(bad)?,
    })
}

/// The carried work goes on: each task of the 2025 plan still under way that the July
/// change carried to a new commune reports for the quarters since (those ended by today),
/// from where the district left it, in the name of the commune's editor.
async fn report_carried_work(app: &App) -> AppResult<()> {
    let today = app.today();
    let now = app.now();
    let mut c = app.housekeeping().await?;
    let Some(plan) = plans::list(&mut c)
        .await?
        .into_iter()
        .find(|p| p.year == 2025)
    else {
        return Ok(());
    };
    let open = tasks::list(
        &mut c,
        &TaskFilter {
            plan_id: Some(plan.id),
            statuses: vec![TaskStatus::InProgress],
            limit: 10_000,
            ..Default::default()
        },
    )
    .await?
    .tasks;
    for task in open {
        let lead = units::get(&mut c, task.lead_unit_id).await?;
        if lead.valid_from != Some(july_2025()) {
            continue;
        }
        let editor = match DISTRICT_SEATS
            .iter()
            .find(|(_, seat, _)| *seat == lead.code)
        {
            Some((district, _, _)) => format!("editor-{district}"),
            None => continue,
        };
        let mut progress = tasks::reports(&mut c, task.id)
            .await?
            .last()
            .map_or(task.progress, |r| r.progress);
        for quarter in [3, 4] {
            let period = Period::Quarter(2025, quarter);
            if period.end() >= today {
                break;
            }
            progress = (progress + 15).min(90);
            let report = ReportFields {
                period,
                progress,
                done: Some(format!(
                    "{}: tiếp tục triển khai sau sắp xếp đơn vị hành chính, đạt {progress}% khối lượng.",
                    lead.name
                )),
                obstacles: Some(
                    "Đang kiện toàn bộ máy và bàn giao hồ sơ từ cấp huyện sau sắp xếp.".into(),
                ),
                proposals: None,
                disbursed: task.budget_planned * progress / 100,
            };
            tasks::upsert_report(
                &mut c,
                &ReportWrite {
                    task_id: task.id,
                    fields: &report,
                    author_id: None,
                    author_name: &editor,
                    entered_offline_at: None,
                },
                now,
            )
            .await?;
            let comment = format!("{period}: {progress}%");
            tasks::add_event(
                &mut c,
                &NewTaskEvent {
                    task_id: task.id,
                    actor_id: None,
                    actor_name: &editor,
                    action: "report",
                    from_status: None,
                    to_status: None,
                    comment: Some(&comment),
                },
                now,
            )
            .await?;
        }
    }
    c.commit_shown().await?;
    Ok(())
}

/// Plans and applies both changes, open work carried to the proposed successors.
pub async fn seed(app: &App) -> AppResult<()> {
    let caller = Caller {
        user: None,
        actor: Actor::system("demo"),
    };
    for change in [january_change(), july_change()?] {
        let id = create(app, &caller, &change).await?;
        let version = {
            let mut c = app.db.read().await?;
            reorg::get(&mut c, id).await?.version
        };
        apply(app, &caller, id, version, &[]).await?;
    }
    report_carried_work(app).await
}
