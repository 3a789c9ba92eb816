//! Completeness: which units have filled in a form for a period, and reminders to
//! those that are late.

use dxplan_domain::Invalid;
use dxplan_domain::auth::Action;
use dxplan_domain::indicator::PeriodType;
use dxplan_domain::period::Period;
use dxplan_store::audit::NewEvent;
use dxplan_store::indicators::{self};
use serde::Serialize;
use time::Date;

use crate::App;
use crate::Caller;
use crate::error::{AppError, AppResult};
use crate::principal::CurrentUser;

/// Who has reported a form's figures for a period: every unit of the form's kinds with
/// how many of its indicators it has submitted or had approved.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Completeness {
    pub form_id: i64,
    pub form_name: String,
    pub period: Period,
    /// The kind of period the form reports by.
    #[serde(skip)]
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub period_type: dxplan_domain::indicator::PeriodType,
    /// The period's end plus the form's deadline days.
    pub deadline: Date,
    /// How many indicators the form asks for.
    pub indicators: i64,
    pub units: Vec<UnitCompleteness>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitCompleteness {
    pub code: String,
    pub name: String,
    pub reported: i64,
    pub complete: bool,
}

/// The completeness of a form for a period (the current one when none is given).
pub async fn completeness(
    app: &App,
    user: &CurrentUser,
    form_id: i64,
    period: Option<&str>,
) -> AppResult<Completeness> {
    // A reviewer sees the units of their own scope only.
    user.require_somewhere(Action::ReviewWork)?;
    let today = app.today();
    let mut c = app.db.read().await?;
    let in_scope = crate::rights::scope_units(app, &mut c, user, Action::ReviewWork).await?;
    let form = indicators::form(&mut c, form_id).await?;
    let period = match period.map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => Period::read(p).ok_or_else(|| AppError::field("period", Invalid::BadPeriod))?,
        // The period whose figures are owed now.
        None => crate::pickers::last_ended(form.period_type, today),
    };
    let total = indicators::form_indicators(&mut c, form_id).await?.len() as i64;
    let kinds = indicators::form_kinds(&mut c, form_id).await?;
    let units = indicators::completeness(&mut c, form_id, period, &kinds, today)
        .await?
        .into_iter()
        .filter(|(id, ..)| in_scope.as_ref().is_none_or(|s| s.contains(id)))
        .map(|(_, code, name, reported)| UnitCompleteness {
            code,
            name,
            reported,
            complete: reported >= total,
        })
        .collect();
    Ok(Completeness {
        form_id,
        form_name: form.name,
        period,
        period_type: form.period_type,
        deadline: period.end() + time::Duration::days(form.deadline_days),
        indicators: total,
        units,
    })
}

/// Reminds the units that have not sent a form's figures for a period (once a day per
/// unit, whatever the number of clicks). Returns how many units were reminded.
pub async fn remind_late(
    app: &App,
    caller: &Caller<'_>,
    form_id: i64,
    period: Period,
) -> AppResult<usize> {
    use dxplan_domain::auth::Role;
    use dxplan_domain::notification::NotificationKind;
    use dxplan_store::notifications::{self, Notice};
    caller.require_somewhere(Action::ReviewWork)?;
    let today = app.today();
    let mut c = app.write(caller).await?;
    let form = indicators::form(&mut c, form_id).await?;
    if PeriodType::of(period) != form.period_type {
        return Err(AppError::field("period", Invalid::BadPeriod));
    }
    // Reminders reach only the late units the reviewer looks after.
    let in_scope = match caller.user {
        Some(user) => crate::rights::scope_units(app, &mut c, user, Action::ReviewWork).await?,
        None => None,
    };
    let mut late = indicators::late_units(&mut c, form_id, period, today).await?;
    late.retain(|(id, _)| in_scope.as_ref().is_none_or(|s| s.contains(id)));
    let label = period.label(dxplan_domain::Lang::Vi);
    let (vi, en) = NotificationKind::DataDue.titles(&form.code, &form.name, &label);
    let mut reminded = 0;
    let late_ids: Vec<i64> = late.iter().map(|(id, _)| *id).collect();
    let staff =
        notifications::holders_of_units(&mut c, &late_ids, &[Role::UnitEditor, Role::UnitApprover])
            .await?;
    for (unit_id, code) in late {
        let recipients = staff.get(&unit_id).map(Vec::as_slice).unwrap_or_default();
        let key = format!("data-remind:{form_id}:{period}:{unit_id}:{today}");
        let made = notifications::notify(
            &mut c,
            recipients,
            &Notice {
                kind: NotificationKind::DataDue,
                task_id: None,
                path: None,
                title_vi: &vi,
                title_en: &en,
                dedup_key: Some(&key),
                link: None,
                by_phone: false,
            },
            app.now(),
        )
        .await?;
        tracing::debug!(unit = %code, made, "data reminder");
        reminded += 1;
    }
    c.commit(NewEvent {
        action: "data.remind",
        entity_type: "form",
        entity_id: Some(form_id.to_string()),
        summary: format!("{} {period}: {reminded} units", form.code),
        before: None,
        after: None,
    })
    .await?;
    Ok(reminded)
}
