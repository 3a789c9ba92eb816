//! Exchange with DHIS2 in its `dataValueSets` JSON layout: approved figures out, figures
//! in (saved or submitted for review like any other), identifiers mapped both ways.

use std::collections::HashSet;

use serde::Deserialize;
use serde_json::json;

use dxplan_domain::auth::Action;
use dxplan_domain::dhis2::{CodeMap, DataValue, DataValueSet, from_dhis2_period, to_dhis2_period};
use dxplan_domain::indicator::{ValueInput, ValueStatus};
use dxplan_domain::period::Period;
use dxplan_domain::{FieldError, Invalid};
use dxplan_store::audit::NewEvent;
use dxplan_store::dhis2;

pub use dxplan_store::dhis2::Mapping;
use dxplan_store::{indicators, units};

use super::Caller;
use super::indicators::{ExchangeRow, RowResult, ValueRow, save_many};
use crate::App;
use crate::error::{AppError, AppResult};
use crate::principal::CurrentUser;

const KINDS: [&str; 2] = ["data_element", "org_unit"];

async fn maps(app: &App) -> AppResult<(CodeMap, CodeMap)> {
    let mut c = app.db.read().await?;
    let all = dhis2::all(&mut c).await?;
    let of = |kind: &str| {
        CodeMap::new(
            all.iter()
                .filter(|m| m.kind == kind)
                .map(|m| (m.local_code.clone(), m.dhis2_id.clone())),
        )
    };
    Ok((of("data_element"), of("org_unit")))
}

pub async fn mappings(app: &App, user: &CurrentUser) -> AppResult<Vec<Mapping>> {
    // Identifier mappings are shared reference data, read by every member alike.
    user.require_somewhere(Action::ViewWork)?;
    let mut c = app.db.read().await?;
    Ok(dhis2::all(&mut c).await?)
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MappingInput {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub dhis2_id: String,
}

/// Replaces the mappings (coordinators): every code must exist, every DHIS2 id be unique.
pub async fn set_mappings(
    app: &App,
    caller: &Caller<'_>,
    input: &[MappingInput],
) -> AppResult<Vec<Mapping>> {
    let mut c = app.write(caller).await?;
    // The mappings serve the whole province's exchange.
    caller
        .require_province(&mut c, app, Action::ManagePlans)
        .await?;
    let mut errors = Vec::new();
    let mut list = Vec::new();
    let mut seen = HashSet::new();
    for (i, m) in input.iter().enumerate() {
        let kind = m.kind.trim();
        let code = m.code.trim();
        let id = m.dhis2_id.trim();
        if !KINDS.contains(&kind) {
            errors.push(FieldError::new(format!("{i}.kind"), Invalid::BadFormat));
            continue;
        }
        let exists = match kind {
            "data_element" => indicators::by_code(&mut c, code).await?.is_some(),
            _ => units::by_code(&mut c, code, app.today()).await?.is_some(),
        };
        if !exists {
            errors.push(FieldError::new(format!("{i}.code"), Invalid::UnknownUnit));
        }
        if id.is_empty() || id.len() > 50 || id.chars().any(char::is_whitespace) {
            errors.push(FieldError::new(format!("{i}.dhis2_id"), Invalid::BadFormat));
        } else if !seen.insert((kind.to_string(), id.to_string()))
            || !seen.insert((format!("{kind}:local"), code.to_string()))
        {
            errors.push(FieldError::new(format!("{i}.dhis2_id"), Invalid::Taken));
        }
        list.push(Mapping {
            kind: kind.to_string(),
            local_code: code.to_string(),
            dhis2_id: id.to_string(),
        });
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let before = dhis2::all(&mut c).await?;
    dhis2::replace(&mut c, &list).await?;
    c.commit(NewEvent {
        action: "dhis2.mappings",
        entity_type: "dhis2_mapping",
        entity_id: None,
        summary: format!("{} mappings", list.len()),
        before: Some(json!(before)),
        after: Some(json!(list)),
    })
    .await?;
    Ok(list)
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct ExportQuery {
    /// DHIS2 (`202508`) or dxplan (`2025-08`) notation.
    #[serde(default)]
    pub period: Option<String>,
    #[serde(default, rename = "orgUnit")]
    pub org_unit: Option<String>,
    #[serde(default, rename = "dataElement")]
    pub data_element: Option<String>,
}

/// Approved figures of a period, in the reader's scope, as a data value set.
pub async fn export(app: &App, user: &CurrentUser, q: &ExportQuery) -> AppResult<DataValueSet> {
    // Within the reader's scope (see `exchange_rows`).
    user.require_somewhere(Action::ViewWork)?;
    let raw = q.period.as_deref().unwrap_or_default();
    let period = from_dhis2_period(raw)
        .or_else(|| Period::parse(raw))
        .ok_or_else(|| AppError::field("period", Invalid::BadPeriod))?;
    let (elements, org_units) = maps(app).await?;
    let element = q
        .data_element
        .as_deref()
        .map(|d| elements.from_dhis2(d).to_string());
    let org_unit = q
        .org_unit
        .as_deref()
        .map(|o| org_units.from_dhis2(o).to_string());
    let rows = super::indicators::exchange_rows(
        app,
        user,
        &super::indicators::ExchangeQuery {
            period,
            indicator: element.as_deref().map(|e| (e, "dataElement")),
            unit: org_unit.as_deref().map(|o| (o, "orgUnit")),
        },
    )
    .await?;
    Ok(DataValueSet {
        data_set: None,
        period: None,
        org_unit: None,
        data_values: rows
            .into_iter()
            .filter(|r| r.status == ValueStatus::Approved)
            .map(|r| DataValue {
                data_element: elements.to_dhis2(&r.indicator_code),
                period: Period::parse(&r.period)
                    .map(to_dhis2_period)
                    .unwrap_or(r.period),
                org_unit: org_units.to_dhis2(&r.unit_code),
                category_option_combo: None,
                value: r.value.to_string(),
                comment: None,
            })
            .collect(),
    })
}

/// Figures from a data value set, all or none, saved as drafts or submitted for review.
pub async fn import(
    app: &App,
    caller: &Caller<'_>,
    set: &DataValueSet,
    submit: bool,
) -> AppResult<Vec<RowResult>> {
    // Whoever enters figures nowhere learns nothing of the rows; each unit is checked
    // when the figures are saved.
    caller.require_somewhere(Action::EditUnitWork)?;
    if set.data_values.is_empty() {
        return Err(AppError::field("dataValues", Invalid::Required));
    }
    let (elements, org_units) = maps(app).await?;
    let mut errors = Vec::new();
    let mut items = Vec::new();
    for (i, v) in set.data_values.iter().enumerate() {
        let raw_period = Some(v.period.as_str())
            .filter(|p| !p.is_empty())
            .or(set.period.as_deref())
            .unwrap_or_default();
        let Some(period) = from_dhis2_period(raw_period) else {
            errors.push(FieldError::new(
                format!("dataValues.{i}.period"),
                Invalid::BadPeriod,
            ));
            continue;
        };
        let org_unit = Some(v.org_unit.as_str())
            .filter(|o| !o.is_empty())
            .or(set.org_unit.as_deref())
            .unwrap_or_default();
        if org_unit.is_empty() {
            errors.push(FieldError::new(
                format!("dataValues.{i}.orgUnit"),
                Invalid::Required,
            ));
            continue;
        }
        items.push(ExchangeRow {
            unit: org_units.from_dhis2(org_unit),
            period: period.to_string(),
            row: ValueRow {
                indicator: elements.from_dhis2(&v.data_element),
                input: ValueInput {
                    value: Some(v.value.clone()),
                    numerator: None,
                    denominator: None,
                },
                comment: v.comment.clone(),
                version: None,
                entered_offline_at: None,
                _others: Default::default(),
            },
        });
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    save_many(app, caller, &items, submit).await
}
