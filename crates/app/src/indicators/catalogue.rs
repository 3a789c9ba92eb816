//! The indicator catalogue and its reporting forms: the province's own objects.

use dxplan_domain::Invalid;
use dxplan_domain::auth::Action;
use dxplan_domain::indicator::{IndicatorInput, PeriodType, validate_indicator};
use dxplan_store::audit::NewEvent;
use dxplan_store::indicators::{self, Indicator};
use dxplan_store::{StoreError, units};
use serde::Serialize;
use serde_json::json;

use super::{Form, Pillar};
use crate::App;
use crate::Caller;
use crate::error::{AppError, AppResult};
use crate::principal::CurrentUser;

/// The indicator catalogue, its forms and province-wide targets belong to the whole
/// province: managed only with a grant at the top of today's tree.
pub(super) async fn require_catalogue(
    c: &mut dxplan_store::Conn,
    app: &App,
    caller: &Caller<'_>,
) -> AppResult<()> {
    caller.require_province(c, app, Action::ManagePlans).await
}

async fn owner_id(
    c: &mut dxplan_store::Conn,
    app: &App,
    code: Option<&str>,
) -> AppResult<Option<i64>> {
    match code {
        None => Ok(None),
        Some(code) => Ok(Some(
            units::by_code(c, code, app.today())
                .await?
                .ok_or_else(|| AppError::field("owner_unit_code", Invalid::UnknownUnit))?
                .id,
        )),
    }
}

pub async fn create_indicator(
    app: &App,
    caller: &Caller<'_>,
    input: &IndicatorInput,
) -> AppResult<Indicator> {
    let mut c = app.write(caller).await?;
    require_catalogue(&mut c, app, caller).await?;
    let fields = validate_indicator(input).map_err(AppError::Validation)?;
    let owner = owner_id(&mut c, app, fields.owner_unit_code.as_deref()).await?;
    let id = match indicators::insert(&mut c, &fields, owner, app.now()).await {
        Err(StoreError::Duplicate) => return Err(AppError::field("code", Invalid::Taken)),
        other => other?,
    };
    let indicator = indicators::get(&mut c, id).await?;
    c.commit(NewEvent {
        action: "indicator.create",
        entity_type: "indicator",
        entity_id: Some(id.to_string()),
        summary: format!("{} {}", indicator.code, indicator.name),
        before: None,
        after: Some(json!(indicator)),
    })
    .await?;
    Ok(indicator)
}

/// Rewrites an indicator of the catalogue (`version`: refuse if someone changed it since).
pub async fn update_indicator(
    app: &App,
    caller: &Caller<'_>,
    code: &str,
    input: &IndicatorInput,
    version: Option<i64>,
) -> AppResult<Indicator> {
    let mut c = app.write(caller).await?;
    require_catalogue(&mut c, app, caller).await?;
    let fields = validate_indicator(input).map_err(AppError::Validation)?;
    let before = indicators::by_code(&mut c, code)
        .await?
        .ok_or(AppError::NotFound)?;
    let owner = owner_id(&mut c, app, fields.owner_unit_code.as_deref()).await?;
    match indicators::update(&mut c, before.id, &fields, owner, version, app.now()).await {
        Err(StoreError::Duplicate) => return Err(AppError::field("code", Invalid::Taken)),
        other => other?,
    }
    let after = indicators::get(&mut c, before.id).await?;
    c.commit(NewEvent {
        action: "indicator.update",
        entity_type: "indicator",
        entity_id: Some(before.id.to_string()),
        summary: format!("{} {}", after.code, after.name),
        before: Some(json!(before)),
        after: Some(json!(after)),
    })
    .await?;
    Ok(after)
}

/// The input of a new reporting form.
#[derive(Debug, Clone)]
pub struct FormInput<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub period_type: &'a str,
    pub deadline_days: Option<i64>,
    pub indicators: &'a [String],
    pub unit_kinds: &'a [String],
}

/// Creates a reporting form of the catalogue (a province-wide object).
pub async fn create_form(
    app: &App,
    caller: &Caller<'_>,
    input: &FormInput<'_>,
) -> AppResult<indicators::Form> {
    let mut c = app.write(caller).await?;
    require_catalogue(&mut c, app, caller).await?;
    let period_type = PeriodType::parse(input.period_type)
        .ok_or_else(|| AppError::field("period_type", Invalid::BadFormat))?;
    let mut ids = Vec::new();
    for code in input.indicators {
        let ind = indicators::by_code(&mut c, code)
            .await?
            .ok_or_else(|| AppError::field("indicators", Invalid::UnknownIndicator))?;
        if ind.period_type != period_type {
            return Err(AppError::field("indicators", Invalid::BadPeriod));
        }
        ids.push(ind.id);
    }
    if input
        .unit_kinds
        .iter()
        .any(|k| dxplan_domain::unit::UnitKind::parse(k).is_none())
    {
        return Err(AppError::field("unit_kinds", Invalid::UnknownKind));
    }
    let id = indicators::insert_form(
        &mut c,
        &indicators::FormWrite {
            code: input.code.trim(),
            name: input.name.trim(),
            period_type,
            deadline_days: input.deadline_days.unwrap_or(10).clamp(0, 365),
            indicator_ids: &ids,
            unit_kinds: input.unit_kinds,
        },
        app.now(),
    )
    .await
    .map_err(|e| match e {
        StoreError::Duplicate => AppError::field("code", Invalid::Taken),
        other => other.into(),
    })?;
    let form = indicators::form(&mut c, id).await?;
    c.commit(NewEvent {
        action: "form.create",
        entity_type: "form",
        entity_id: Some(id.to_string()),
        summary: format!("{} {}", form.code, form.name),
        before: None,
        after: Some(json!(form)),
    })
    .await?;
    Ok(form)
}

// ---------------------------------------------------------------- reading the catalogue

/// The catalogue, matching folded `search` and a pillar: read alike by every member.
pub async fn catalogue(
    app: &App,
    user: &CurrentUser,
    search: Option<&str>,
    pillar: Option<&str>,
) -> AppResult<Vec<Indicator>> {
    user.require_somewhere(Action::ViewWork)?;
    let mut c = app.db.read().await?;
    Ok(indicators::list(&mut c, search, pillar).await?)
}

/// One indicator of the catalogue by its code.
pub async fn indicator(app: &App, user: &CurrentUser, code: &str) -> AppResult<Indicator> {
    user.require_somewhere(Action::ViewWork)?;
    let mut c = app.db.read().await?;
    indicators::by_code(&mut c, code)
        .await?
        .ok_or(AppError::NotFound)
}

/// The catalogue page: the indicators, the pillars they belong to, the reader's own unit
/// when they enter its figures, and whether they may change the catalogue.
pub struct CataloguePage {
    pub indicators: Vec<Indicator>,
    pub pillars: Vec<Pillar>,
    pub my_unit: Option<units::Unit>,
    pub can_manage: bool,
}

pub async fn catalogue_page(
    app: &App,
    user: &CurrentUser,
    search: Option<&str>,
) -> AppResult<CataloguePage> {
    user.require_somewhere(Action::ViewWork)?;
    let mut c = app.db.read().await?;
    let list = indicators::list(&mut c, search, None).await?;
    let pillars = dxplan_store::plans::pillars(&mut c).await?;
    let my_unit = match user.unit_id {
        Some(u) if crate::rights::may_on(&mut c, user, Action::EditUnitWork, u).await? => {
            Some(units::get(&mut c, u).await?)
        }
        _ => None,
    };
    let can_manage = crate::rights::Province::today(&mut c, app)
        .await?
        .allows(user, Action::ManagePlans);
    Ok(CataloguePage {
        indicators: list,
        pillars,
        my_unit,
        can_manage,
    })
}

/// A reporting form with the codes of its indicators and the kinds of unit that fill it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FormSummary {
    #[serde(flatten)]
    pub form: Form,
    pub indicators: Vec<String>,
    pub unit_kinds: Vec<String>,
}

/// Every reporting form, in three reads whatever their number.
pub async fn forms(app: &App, user: &CurrentUser) -> AppResult<Vec<FormSummary>> {
    user.require_somewhere(Action::ViewWork)?;
    let mut c = app.db.read().await?;
    let mut codes = indicators::indicator_codes_by_form(&mut c).await?;
    let mut kinds = indicators::kinds_by_form(&mut c).await?;
    Ok(indicators::forms(&mut c)
        .await?
        .into_iter()
        .map(|form| FormSummary {
            indicators: codes.remove(&form.id).unwrap_or_default(),
            unit_kinds: kinds.remove(&form.id).unwrap_or_default(),
            form,
        })
        .collect())
}

/// The assessment criteria an indicator's figures feed, for its page.
pub async fn criteria_fed_by(
    app: &App,
    user: &CurrentUser,
    indicator_id: i64,
) -> AppResult<Vec<dxplan_store::index_rounds::CriterionChoice>> {
    user.require_somewhere(Action::ViewWork)?;
    let mut c = app.db.read().await?;
    Ok(dxplan_store::index_rounds::criteria_fed_by(&mut c, indicator_id).await?)
}
