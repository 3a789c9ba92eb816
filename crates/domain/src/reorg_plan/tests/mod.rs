//! The tests of planning a change set, against the real files of the July 2025 change
//! (`data/`, see `data/SOURCES.md`). The shared fixtures are here; the tests are grouped
//! by what they show.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use time::macros::date;

use super::sheets::row_problem;
use super::*;
use crate::indicator::{Aggregation, Figure};
use crate::reorg::{check_lineage, map_forward};
use crate::unit_import::RowProblem;

mod preview;
mod refusals;
mod sheets;

const UNITS: &str = include_str!("../../../../../data/binh-dinh-units.csv");
const LINEAGE: &str = include_str!("../../../../../data/binh-dinh-2025-lineage.csv");
const WEIGHTS: &str = include_str!("../../../../../data/binh-dinh-2025-split-weights.csv");
const COMMUNES: &str = include_str!("../../../../../data/gia-lai-2025-communes.csv");
const JULY: Date = date!(2025 - 07 - 01);
/// Planned ahead of the change, so no record can postdate it.
const BEFORE: Date = date!(2025 - 06 - 15);
const NO_WORK: BTreeMap<i64, WorkCounts> = BTreeMap::new();

/// The stored units as they stood on 30 June 2025: the 2024 file (ids by row) with the
/// changes of 1 January 2025 from SOURCES.md applied — four Quy Nhơn wards ended,
/// three units renamed (kept as one row each: planning only looks at the names).
fn existing() -> Vec<StoredUnit> {
    let mut reader = csv::Reader::from_reader(UNITS.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let id_of: HashMap<String, i64> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r[0].to_string(), i as i64 + 1))
        .collect();
    rows.iter()
        .enumerate()
        .map(|(i, r)| {
            let code = &r[0];
            let valid_to = ["21568", "21571", "21574", "21586"]
                .contains(&code)
                .then_some(date!(2024 - 12 - 31));
            let name = match code {
                "21580" => "Phường Trần Phú",
                "21583" => "Phường Thị Nại",
                "21862" => "Thị trấn Cát Khánh",
                _ => &r[1],
            };
            StoredUnit {
                id: i as i64 + 1,
                code: code.into(),
                name: name.into(),
                kind: UnitKind::parse(&r[2]).unwrap(),
                parent_id: id_of.get(&r[3]).copied(),
                valid_from: None,
                valid_to,
            }
        })
        .collect()
}

fn id(existing: &[StoredUnit], code: &str) -> i64 {
    existing
        .iter()
        .find(|u| u.code == code && u.valid_to.is_none())
        .unwrap()
        .id
}

/// The 58 new units made from former Bình Định communes (`former_province` = 52).
fn binh_dinh_new_units() -> String {
    COMMUNES
        .lines()
        .enumerate()
        .filter(|(i, l)| *i == 0 || l.ends_with(",52"))
        .map(|(_, l)| format!("{l}\n"))
        .collect()
}

/// The lineage with a `weight` column taken from the (demo) split weights file.
fn with_weights(lineage: &str, weights: &str) -> String {
    let mut w: HashMap<(String, String), String> = HashMap::new();
    for r in csv::Reader::from_reader(weights.as_bytes()).records() {
        let r = r.unwrap();
        w.insert((r[0].to_string(), r[1].to_string()), r[2].to_string());
    }
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(["old_code", "old_name", "new_code", "new_name", "weight"])
        .unwrap();
    for r in csv::Reader::from_reader(lineage.as_bytes()).records() {
        let r = r.unwrap();
        let weight = w
            .get(&(r[0].to_string(), r[2].to_string()))
            .cloned()
            .unwrap_or_default();
        out.write_record([&r[0], &r[1], &r[2], &r[3], &weight])
            .unwrap();
    }
    String::from_utf8(out.into_inner().unwrap()).unwrap()
}

fn plan(
    new_units: &str,
    lineage: &str,
    work: &BTreeMap<i64, WorkCounts>,
    today: Date,
) -> Result<Preview, Vec<ChangeProblem>> {
    prepare_change_set(
        JULY,
        today,
        new_units.as_bytes(),
        lineage.as_bytes(),
        &existing(),
        work,
    )
}

fn real_plan() -> Preview {
    plan(
        &binh_dinh_new_units(),
        &with_weights(LINEAGE, WEIGHTS),
        &NO_WORK,
        BEFORE,
    )
    .unwrap()
}

fn cn(code: &str, name: &str) -> CodeName {
    CodeName::new(code, name)
}
