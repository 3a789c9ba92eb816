//! Scale data for benchmarks and `dxplan demo --scale province`: many indicators with
//! monthly figures for every commune over five years.

use dxplan_domain::indicator::{IndicatorInput, validate_indicator};
use dxplan_domain::period::Period;
use dxplan_domain::unit::UnitKind;
use dxplan_store::indicators;
use dxplan_store::units;

use crate::error::{AppError, AppResult};
use crate::state::AppState;

#[derive(Debug, Clone, Copy)]
pub struct ScaleReport {
    pub indicators: usize,
    pub units: usize,
    pub values: usize,
}

/// `count` monthly indicators (every aggregation rule in turn) with figures for every
/// commune for the `years` years before this one.
pub async fn seed(state: &AppState, count: usize, years: i32) -> AppResult<ScaleReport> {
    let now = state.now();
    let today = state.today();
    let rules = [
        ("sum", "number"),
        ("ratio_of_sums", "ratio"),
        ("average", "percent"),
        ("latest", "number"),
        ("max", "number"),
        ("min", "number"),
    ];
    let (communes, ids) = {
        let mut c = state.db.begin().await?;
        let all = units::valid_on(&mut c, today).await?;
        let communes: Vec<i64> = all
            .iter()
            .filter(|u| u.kind == UnitKind::Commune)
            .map(|u| u.id)
            .collect();
        let mut ids = Vec::with_capacity(count);
        for i in 0..count {
            let (aggregation, measure) = rules[i % rules.len()];
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
            ids.push((
                indicators::insert(&mut c, &fields, None, now).await?,
                measure,
            ));
        }
        c.commit().await?;
        (communes, ids)
    };
    let months: Vec<Period> = (today.year() - years..today.year())
        .flat_map(|y| (1..=12).map(move |m| Period::Month(y, m)))
        .collect();
    let mut values = 0;
    for (index, (id, measure)) in ids.iter().enumerate() {
        let mut rows = Vec::with_capacity(communes.len() * months.len());
        for (u, unit) in communes.iter().enumerate() {
            for (t, period) in months.iter().enumerate() {
                let base = 10.0 + ((index * 7 + u * 13 + t * 3) % 50) as f64;
                let row = match *measure {
                    "ratio" => {
                        let den = 100.0 + (u % 40) as f64;
                        let num = (den * (0.2 + 0.7 * t as f64 / months.len() as f64)).round();
                        (*id, *unit, *period, num / den * 100.0, Some(num), Some(den))
                    }
                    "percent" => (
                        *id,
                        *unit,
                        *period,
                        (base + t as f64 * 0.5).min(100.0),
                        None,
                        None,
                    ),
                    _ => (*id, *unit, *period, base + t as f64, None, None),
                };
                rows.push(row);
            }
        }
        values += rows.len();
        // One transaction per indicator keeps each commit small and the writer lock short.
        let mut c = state.db.begin().await?;
        indicators::bulk_approved(&mut c, &rows, now).await?;
        c.commit().await?;
    }
    Ok(ScaleReport {
        indicators: ids.len(),
        units: communes.len(),
        values,
    })
}
