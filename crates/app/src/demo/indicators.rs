//! The demo's indicator catalogue (about 30 real DX indicators), its reporting forms,
//! targets and five years of deterministic, plausible figures for every unit.

use dxplan_domain::indicator::{IndicatorInput, PeriodType, ValueStatus, validate_indicator};
use dxplan_domain::period::Period;
use dxplan_domain::unit::UnitKind;
use dxplan_store::indicators::{self, FormWrite};
use dxplan_store::units;

use crate::App;
use crate::error::{AppError, AppResult};

/// (code, name, measure, unit of measure, direction, aggregation, period, pillar)
type Def = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

const F: &str = "foundations";
const G: &str = "digital_government";
const E: &str = "digital_economy";
const S: &str = "digital_society";

pub const CATALOGUE: &[Def] = &[
    (
        "HT-01",
        "Tỷ lệ thôn, khu phố được phủ sóng di động 4G",
        "ratio",
        "%",
        "higher",
        "ratio_of_sums",
        "quarter",
        F,
    ),
    (
        "HT-02",
        "Số thôn, làng còn lõm sóng di động",
        "number",
        "thôn",
        "lower",
        "latest",
        "quarter",
        F,
    ),
    (
        "HT-03",
        "Tỷ lệ hộ gia đình có kết nối cáp quang",
        "ratio",
        "%",
        "higher",
        "ratio_of_sums",
        "quarter",
        F,
    ),
    (
        "HT-04",
        "Tỷ lệ người trưởng thành có điện thoại thông minh",
        "ratio",
        "%",
        "higher",
        "ratio_of_sums",
        "quarter",
        F,
    ),
    (
        "NL-01",
        "Số tổ công nghệ số cộng đồng",
        "number",
        "tổ",
        "higher",
        "latest",
        "quarter",
        F,
    ),
    (
        "NL-02",
        "Số thành viên tổ công nghệ số cộng đồng",
        "number",
        "người",
        "higher",
        "latest",
        "quarter",
        F,
    ),
    (
        "NL-03",
        "Số lượt cán bộ được bồi dưỡng kỹ năng số",
        "number",
        "lượt",
        "higher",
        "sum",
        "quarter",
        F,
    ),
    (
        "DL-01",
        "Tỷ lệ kết quả giải quyết thủ tục hành chính được số hoá",
        "ratio",
        "%",
        "higher",
        "ratio_of_sums",
        "quarter",
        F,
    ),
    (
        "AT-01",
        "Số hệ thống thông tin được phê duyệt cấp độ an toàn",
        "number",
        "hệ thống",
        "higher",
        "latest",
        "year",
        F,
    ),
    (
        "AT-02",
        "Tỷ lệ hệ thống thông tin được giám sát theo mô hình 4 lớp",
        "ratio",
        "%",
        "higher",
        "ratio_of_sums",
        "year",
        F,
    ),
    (
        "DL-02",
        "Số cơ sở dữ liệu chuyên ngành đưa vào khai thác",
        "number",
        "cơ sở dữ liệu",
        "higher",
        "latest",
        "year",
        F,
    ),
    (
        "DL-03",
        "Số bộ dữ liệu mở được công bố",
        "number",
        "bộ",
        "higher",
        "latest",
        "year",
        F,
    ),
    (
        "CQ-01",
        "Tỷ lệ thủ tục hành chính cung cấp dịch vụ công trực tuyến toàn trình",
        "ratio",
        "%",
        "higher",
        "ratio_of_sums",
        "quarter",
        G,
    ),
    (
        "CQ-02",
        "Tỷ lệ hồ sơ thủ tục hành chính được xử lý trực tuyến",
        "ratio",
        "%",
        "higher",
        "ratio_of_sums",
        "quarter",
        G,
    ),
    (
        "CQ-03",
        "Tỷ lệ văn bản trao đổi dưới dạng điện tử",
        "ratio",
        "%",
        "higher",
        "ratio_of_sums",
        "quarter",
        G,
    ),
    (
        "CQ-04",
        "Tỷ lệ cán bộ, công chức có chữ ký số",
        "ratio",
        "%",
        "higher",
        "ratio_of_sums",
        "quarter",
        G,
    ),
    (
        "CQ-05",
        "Tỷ lệ hồ sơ giải quyết quá hạn",
        "ratio",
        "%",
        "lower",
        "ratio_of_sums",
        "quarter",
        G,
    ),
    (
        "CQ-06",
        "Số cuộc họp trực tuyến đến cấp xã",
        "number",
        "cuộc",
        "higher",
        "sum",
        "quarter",
        G,
    ),
    (
        "CQ-07",
        "Mức độ hài lòng của người dân với dịch vụ công trực tuyến",
        "percent",
        "%",
        "higher",
        "average",
        "year",
        G,
    ),
    (
        "KT-01",
        "Tỷ trọng kinh tế số trong GRDP",
        "percent",
        "%",
        "higher",
        "max",
        "year",
        E,
    ),
    (
        "KT-02",
        "Số doanh nghiệp công nghệ số đang hoạt động",
        "number",
        "doanh nghiệp",
        "higher",
        "latest",
        "year",
        E,
    ),
    (
        "KT-03",
        "Số hộ sản xuất có gian hàng trên sàn thương mại điện tử",
        "number",
        "hộ",
        "higher",
        "latest",
        "quarter",
        E,
    ),
    (
        "KT-04",
        "Tỷ lệ doanh nghiệp sử dụng hoá đơn điện tử",
        "ratio",
        "%",
        "higher",
        "ratio_of_sums",
        "year",
        E,
    ),
    (
        "KT-05",
        "Doanh thu thương mại điện tử",
        "money",
        "đồng",
        "higher",
        "sum",
        "year",
        E,
    ),
    (
        "KT-06",
        "Tỷ lệ giao dịch thanh toán không dùng tiền mặt",
        "ratio",
        "%",
        "higher",
        "ratio_of_sums",
        "quarter",
        E,
    ),
    (
        "XH-01",
        "Tỷ lệ người trưởng thành có chữ ký số cá nhân",
        "ratio",
        "%",
        "higher",
        "ratio_of_sums",
        "quarter",
        S,
    ),
    (
        "XH-02",
        "Tỷ lệ người trưởng thành có tài khoản thanh toán điện tử",
        "ratio",
        "%",
        "higher",
        "ratio_of_sums",
        "quarter",
        S,
    ),
    (
        "XH-03",
        "Tỷ lệ dân số có hồ sơ sức khoẻ điện tử",
        "ratio",
        "%",
        "higher",
        "ratio_of_sums",
        "quarter",
        S,
    ),
    (
        "XH-04",
        "Tỷ lệ trường phổ thông sử dụng học bạ số",
        "ratio",
        "%",
        "higher",
        "ratio_of_sums",
        "year",
        S,
    ),
    (
        "XH-05",
        "Tỷ lệ người dân có tài khoản định danh điện tử mức 2",
        "ratio",
        "%",
        "higher",
        "ratio_of_sums",
        "quarter",
        S,
    ),
    (
        "XH-06",
        "Có không gian trải nghiệm sản phẩm, dịch vụ số",
        "yes_no",
        "",
        "higher",
        "max",
        "year",
        S,
    ),
];

/// Indicators whose figures need an evidence file (an approval decision, a photo of
/// the space) before they are submitted.
pub const EVIDENCE_REQUIRED: &[&str] = &["AT-01", "XH-06"];

/// How much figure data the demo gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemoData {
    /// Five years of figures (the `demo` command).
    Full,
    /// Only the catalogue and forms (the test suite, which makes its own figures).
    CatalogueOnly,
}

/// A deterministic number in [0, 1) from a few integers (no random source).
pub(crate) fn noise(a: i64, b: i64, c: i64) -> f64 {
    let mut x = (a as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ (b as u64).wrapping_mul(0xC2B2_AE3D_27D4_EB4F)
        ^ (c as u64).wrapping_mul(0x1656_67B1_9E37_79F9);
    x ^= x >> 33;
    x = x.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
    x ^= x >> 33;
    (x % 10_000) as f64 / 10_000.0
}

pub async fn seed(app: &App, data: DemoData) -> AppResult<()> {
    let now = app.now();
    let today = app.today();
    let mut c = app.housekeeping().await?;
    let mut ids = Vec::new();
    for (code, name, measure, uom, direction, aggregation, period, pillar) in CATALOGUE {
        let fields = validate_indicator(&IndicatorInput {
            code: code.to_string(),
            name: name.to_string(),
            measure: measure.to_string(),
            unit_of_measure: Some(uom.to_string()),
            direction: direction.to_string(),
            aggregation: aggregation.to_string(),
            period_type: period.to_string(),
            pillar_code: Some(pillar.to_string()),
            evidence_required: EVIDENCE_REQUIRED.contains(code),
            ..Default::default()
        })
        .map_err(AppError::Validation)?;
        ids.push((
            indicators::insert(&mut c, &fields, None, now).await?,
            fields,
        ));
    }
    let quarterly: Vec<i64> = ids
        .iter()
        .filter(|(_, f)| f.period_type == PeriodType::Quarter)
        .map(|(id, _)| *id)
        .collect();
    let yearly: Vec<i64> = ids
        .iter()
        .filter(|(_, f)| f.period_type == PeriodType::Year)
        .map(|(id, _)| *id)
        .collect();
    indicators::insert_form(
        &mut c,
        &FormWrite {
            code: "BC-HUYEN-QUY",
            // The code stays (forms are named once); the name says who reports since July 2025.
            name: if data == DemoData::Full {
                "Báo cáo chỉ tiêu chuyển đổi số cấp huyện, từ 01/7/2025 cấp xã (hằng quý)"
            } else {
                "Báo cáo chỉ tiêu chuyển đổi số cấp huyện (hằng quý)"
            },
            period_type: PeriodType::Quarter,
            deadline_days: 10,
            indicator_ids: &quarterly,
            // The full demo's districts end on 30 June 2025; the new communes report since.
            unit_kinds: &if data == DemoData::Full {
                vec!["district".to_string(), "commune".to_string()]
            } else {
                vec!["district".to_string()]
            },
        },
        now,
    )
    .await?;
    indicators::insert_form(
        &mut c,
        &FormWrite {
            code: "BC-SO-NAM",
            name: "Báo cáo chỉ tiêu chuyển đổi số của sở, ngành (hằng năm)",
            period_type: PeriodType::Year,
            deadline_days: 15,
            indicator_ids: &yearly,
            unit_kinds: &["department".to_string()],
        },
        now,
    )
    .await?;
    if data == DemoData::CatalogueOnly {
        c.commit_shown().await?;
        return Ok(());
    }
    let all = units::valid_on(&mut c, today).await?;
    let province = all
        .iter()
        .find(|u| u.code == "52")
        .ok_or_else(|| AppError::internal("province missing"))?
        .clone();
    // Who reports for a period: the units valid on its last day — districts (quarterly)
    // while they existed, then the communes; departments (yearly).
    let mut on_day: std::collections::BTreeMap<time::Date, Vec<units::Unit>> =
        std::collections::BTreeMap::new();
    let this_quarter = Period::containing(today, true);
    let quarters: Vec<Period> = (2021..=today.year())
        .flat_map(|y| (1..=4).map(move |q| Period::Quarter(y, q)))
        .filter(|p| p.end() < this_quarter.start() || *p == this_quarter)
        .collect();
    let years: Vec<Period> = (2021..today.year()).map(Period::Year).collect();
    for p in quarters.iter().chain(&years) {
        let day = p.end().min(today);
        if let std::collections::btree_map::Entry::Vacant(slot) = on_day.entry(day) {
            slot.insert(units::valid_on(&mut c, day).await?);
        }
    }
    let reporters_of = |period: &Period| -> Vec<&units::Unit> {
        let list = on_day
            .get(&period.end().min(today))
            .map_or(&[][..], Vec::as_slice);
        let of = move |kind: UnitKind| list.iter().filter(move |u| u.kind == kind);
        match period {
            Period::Year(_) => of(UnitKind::Department).collect(),
            _ if of(UnitKind::District).next().is_some() => of(UnitKind::District).collect(),
            _ => of(UnitKind::Commune).collect(),
        }
    };
    // Units reporting today get targets.
    let today_reporters = |quarterly: bool| -> Vec<&units::Unit> {
        let kinds: &[UnitKind] = if quarterly {
            &[UnitKind::District, UnitKind::Commune]
        } else {
            &[UnitKind::Department]
        };
        let of = |k: UnitKind| all.iter().filter(move |u| u.kind == k).collect::<Vec<_>>();
        kinds
            .iter()
            .map(|k| of(*k))
            .find(|l| !l.is_empty())
            .unwrap_or_default()
    };
    let mut seeds = Vec::new();
    for (id, f) in &ids {
        let quarterly = f.period_type == PeriodType::Quarter;
        let periods = if quarterly { &quarters } else { &years };
        // A commune is about a fifth of a district (58 communes for 11 districts).
        let size_of = |unit: &units::Unit| {
            let scale = if unit.kind == UnitKind::Commune {
                0.2
            } else {
                1.0
            };
            (40.0 + 160.0 * noise(*id, unit.id, 1)) * scale
        };
        let total = periods.len().max(1) as f64;
        for (t, period) in periods.iter().enumerate() {
            for (u_index, unit) in reporters_of(period).into_iter().enumerate() {
                // Each unit has its own size and pace.
                let size = size_of(unit);
                let start_share = 0.15 + 0.35 * noise(*id, unit.id, 2);
                let progress = t as f64 / total;
                let jitter = noise(*id, unit.id, t as i64 + 10) - 0.5;
                let share = (start_share + (0.95 - start_share) * progress + 0.03 * jitter)
                    .clamp(0.01, 0.99);
                let share = if f.direction == dxplan_domain::indicator::Direction::LowerIsBetter {
                    1.0 - share
                } else {
                    share
                };
                let figure = match f.measure {
                    dxplan_domain::indicator::Measure::Ratio => {
                        let den = (size * 100.0).round();
                        let num = (den * share).round();
                        (num / den * 100.0, Some(num), Some(den))
                    }
                    // The digital economy's share of GRDP is a few percent, not most of it.
                    dxplan_domain::indicator::Measure::Percent if f.code == "KT-01" => {
                        (((share * 20.0) * 10.0).round() / 10.0, None, None)
                    }
                    dxplan_domain::indicator::Measure::Percent => {
                        (((share * 100.0) * 10.0).round() / 10.0, None, None)
                    }
                    dxplan_domain::indicator::Measure::YesNo => {
                        (if share > 0.5 { 1.0 } else { 0.0 }, None, None)
                    }
                    dxplan_domain::indicator::Measure::Money => {
                        ((size * 1e8 * (0.5 + progress)).round(), None, None)
                    }
                    dxplan_domain::indicator::Measure::Number => {
                        ((size * share).round().max(0.0), None, None)
                    }
                };
                // The quarter under way has not ended: nothing is approved yet, a few units
                // have begun a draft.
                let under_way = period.end() >= today;
                if under_way {
                    if u_index % 4 == 0 {
                        seeds.push(indicators::SeedValue {
                            indicator_id: *id,
                            unit_id: unit.id,
                            period: *period,
                            figure,
                            status: ValueStatus::Draft,
                            review_comment: None,
                        });
                    }
                    continue;
                }
                // The latest period that has ended: a few units late (nothing), a few
                // waiting, one returned.
                let latest = periods.get(t + 1).is_none_or(|next| next.end() >= today);
                let (status, comment) = match (latest, u_index % 6) {
                    (true, 0) => continue,
                    (true, 1) => (ValueStatus::Submitted, None),
                    (true, 2) if *id % 5 == 0 => (
                        ValueStatus::Rejected,
                        Some("Số liệu chưa khớp với báo cáo của ngành; đề nghị rà soát."),
                    ),
                    _ => (ValueStatus::Approved, None),
                };
                seeds.push(indicators::SeedValue {
                    indicator_id: *id,
                    unit_id: unit.id,
                    period: *period,
                    figure,
                    status,
                    review_comment: comment,
                });
            }
        }
        for unit in today_reporters(quarterly) {
            let size = size_of(unit);
            // Targets for this year and next, a little better than the trend.
            let lower = f.direction == dxplan_domain::indicator::Direction::LowerIsBetter;
            for (year, lift) in [(today.year(), 0.05_f64), (today.year() + 1, 0.1)] {
                let target = match f.measure {
                    dxplan_domain::indicator::Measure::Percent if f.code == "KT-01" => {
                        20.0 + 100.0 * lift
                    }
                    dxplan_domain::indicator::Measure::Ratio
                    | dxplan_domain::indicator::Measure::Percent
                        if lower =>
                    {
                        100.0 * (0.1 - lift / 2.0)
                    }
                    dxplan_domain::indicator::Measure::Number if lower => {
                        (size * (0.1 - lift / 2.0)).round().max(0.0)
                    }
                    dxplan_domain::indicator::Measure::Ratio
                    | dxplan_domain::indicator::Measure::Percent => {
                        (100.0 * (0.9 + lift)).min(100.0)
                    }
                    dxplan_domain::indicator::Measure::YesNo => 1.0,
                    dxplan_domain::indicator::Measure::Money => (size * 1e8 * (1.5 + lift)).round(),
                    dxplan_domain::indicator::Measure::Number => (size * (0.95 + lift)).round(),
                };
                indicators::set_target(
                    &mut c,
                    *id,
                    unit.id,
                    Period::Year(year),
                    target,
                    "demo",
                    now,
                )
                .await?;
            }
        }
        let province_target = match f.measure {
            dxplan_domain::indicator::Measure::Ratio
            | dxplan_domain::indicator::Measure::Percent
                if f.direction == dxplan_domain::indicator::Direction::LowerIsBetter =>
            {
                8.0
            }
            dxplan_domain::indicator::Measure::Ratio
            | dxplan_domain::indicator::Measure::Percent => 90.0,
            _ => 0.0,
        };
        if province_target > 0.0 {
            indicators::set_target(
                &mut c,
                *id,
                province.id,
                Period::Year(today.year()),
                province_target,
                "demo",
                now,
            )
            .await?;
        }
    }
    indicators::seed_values(&mut c, &seeds, "demo", now).await?;
    c.commit_shown().await?;
    Ok(())
}
