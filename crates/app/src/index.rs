//! Index assessment frameworks: the coordinator defines the tree of pillars and criteria
//! with their maxima and scoring rules; totals are computed by `domain::scoring`.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::json;

use dxplan_domain::auth::Action;
use dxplan_domain::scoring::{Criterion, Rule, check_framework, maxima};
use dxplan_domain::unit::UnitKind;
use dxplan_domain::validation::{optional_text, required_text};
use dxplan_domain::{FieldError, Invalid};
use dxplan_store::StoreError;
use dxplan_store::audit::NewEvent;
use dxplan_store::index_frameworks::{self, CriterionWrite, FrameworkWrite};

pub use dxplan_store::index_frameworks::Framework;
use dxplan_store::{indicators, units};

use super::Caller;
use crate::App;
use crate::error::{AppError, AppResult};
use crate::principal::CurrentUser;

/// Unit kinds a framework may assess.
const ASSESSED_KINDS: [UnitKind; 3] = [UnitKind::Department, UnitKind::District, UnitKind::Commune];

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CriterionInput {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub parent: Option<String>,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub max_points: f64,
    /// A leaf's scoring rule (`{"rule": "manual" | "yes_no" | "ratio" | "linear" | "steps" |
    /// "choice" | "target_share", …}`); none on a group.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub rule: Option<Rule>,
    #[serde(default)]
    pub guidance: Option<String>,
    #[serde(default)]
    pub evidence: Option<String>,
    /// Code of the sector department that verifies the criterion.
    #[serde(default)]
    pub verifier: Option<String>,
    /// Code of an indicator that feeds the criterion's value.
    #[serde(default)]
    pub indicator: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FrameworkInput {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub year: i64,
    #[serde(default)]
    pub unit_kinds: Vec<String>,
    #[serde(default)]
    pub criteria: Vec<CriterionInput>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CriterionView {
    pub code: String,
    pub parent: Option<String>,
    pub name: String,
    /// A leaf's own maximum; a group's, the sum of its children's.
    pub max_points: f64,
    pub rule: Option<Rule>,
    pub guidance: Option<String>,
    pub evidence: Option<String>,
    pub verifier_unit_id: Option<i64>,
    pub indicator_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FrameworkView {
    pub framework: Framework,
    pub criteria: Vec<CriterionView>,
    /// The whole framework's maximum (its top-level criteria added up).
    pub max_points: f64,
    /// What the check noticed but accepted (a group whose stated maximum differs).
    pub warnings: Vec<String>,
}

fn domain_criteria(input: &[CriterionInput]) -> Vec<Criterion> {
    input
        .iter()
        .map(|c| Criterion {
            code: c.code.trim().to_string(),
            parent: c
                .parent
                .as_deref()
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(str::to_string),
            name: c.name.trim().to_string(),
            max_points: c.max_points,
            rule: c.rule.clone(),
        })
        .collect()
}

/// Creates a framework with its criteria, all or nothing. Refuses a broken tree with
/// every reason; accepts (and returns) warnings such as a group whose stated maximum is
/// not what its criteria add up to.
pub async fn create_framework(
    app: &App,
    caller: &Caller<'_>,
    input: &FrameworkInput,
) -> AppResult<FrameworkView> {
    create_from(app, caller, input, None).await
}

/// Creates a framework remembering the one it was copied from.
pub(crate) async fn create_from(
    app: &App,
    caller: &Caller<'_>,
    input: &FrameworkInput,
    copied_from: Option<i64>,
) -> AppResult<FrameworkView> {
    save(app, caller, input, Save::New { copied_from }).await
}

/// Where a checked framework goes: a new one, or over an existing one not yet in use.
enum Save {
    New { copied_from: Option<i64> },
    Replace { id: i64, version: Option<i64> },
}

/// Changes a framework that no round uses yet (a round's scores name its criteria): the
/// same checks as a new one; criteria keep their links to tasks by code.
pub async fn replace_framework(
    app: &App,
    caller: &Caller<'_>,
    id: i64,
    input: &FrameworkInput,
    version: Option<i64>,
) -> AppResult<FrameworkView> {
    save(app, caller, input, Save::Replace { id, version }).await
}

/// Frameworks are the whole province's (a district's own round uses one of them): made,
/// copied, imported and replaced only with a grant at the top of today's tree. Checked
/// before a framework file is read.
pub async fn require_frameworks(app: &App, caller: &Caller<'_>) -> AppResult<()> {
    caller.require_somewhere(Action::ManagePlans)?;
    let mut c = app.db.read().await?;
    caller
        .require_province(&mut c, app, Action::ManagePlans)
        .await
}

async fn save(
    app: &App,
    caller: &Caller<'_>,
    input: &FrameworkInput,
    target: Save,
) -> AppResult<FrameworkView> {
    require_frameworks(app, caller).await?;
    let mut errors: Vec<FieldError> = Vec::new();
    let code = required_text("code", &input.code, 40, &mut errors);
    let name = required_text("name", &input.name, 300, &mut errors);
    if !(2000..=2100).contains(&input.year) {
        errors.push(FieldError::new(
            "year",
            Invalid::OutOfRange {
                min: 2000,
                max: 2100,
            },
        ));
    }
    let mut kinds = Vec::new();
    for k in &input.unit_kinds {
        match UnitKind::parse(k.trim()).filter(|k| ASSESSED_KINDS.contains(k)) {
            Some(kind) => kinds.push(kind.as_str()),
            None => errors.push(FieldError::new("unit_kinds", Invalid::UnknownKind)),
        }
    }
    if input.unit_kinds.is_empty() {
        errors.push(FieldError::new("unit_kinds", Invalid::Required));
    }
    if input.criteria.is_empty() {
        errors.push(FieldError::new("criteria", Invalid::Required));
    }
    let criteria = domain_criteria(&input.criteria);
    for (i, c) in input.criteria.iter().enumerate() {
        required_text(&format!("criteria.{i}.code"), &c.code, 40, &mut errors);
        required_text(&format!("criteria.{i}.name"), &c.name, 500, &mut errors);
        optional_text(
            &format!("criteria.{i}.guidance"),
            c.guidance.as_deref(),
            4000,
            &mut errors,
        );
        optional_text(
            &format!("criteria.{i}.evidence"),
            c.evidence.as_deref(),
            4000,
            &mut errors,
        );
    }
    let check = check_framework(&criteria);
    errors.extend(check.errors.into_iter().map(|e| FieldError {
        field: format!("criteria.{}", e.field),
        ..e
    }));

    let mut c = app.write(caller).await?;
    // Verifiers and feeding indicators are named by code; resolve them once each.
    let today = app.today();
    let mut verifiers: HashMap<String, i64> = HashMap::new();
    let mut feeds: HashMap<String, i64> = HashMap::new();
    for k in &input.criteria {
        if let Some(v) = k
            .verifier
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            && !verifiers.contains_key(v)
        {
            match units::by_code(&mut c, v, today).await? {
                Some(u) => {
                    verifiers.insert(v.to_string(), u.id);
                }
                None => errors.push(FieldError::new(
                    format!("criteria.{}.verifier", k.code.trim()),
                    Invalid::UnknownUnit,
                )),
            }
        }
        if let Some(code) = k
            .indicator
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            && !feeds.contains_key(code)
        {
            match indicators::by_code(&mut c, code).await? {
                Some(i) => {
                    feeds.insert(code.to_string(), i.id);
                }
                None => errors.push(FieldError::new(
                    format!("criteria.{}.indicator", k.code.trim()),
                    Invalid::BadFormat,
                )),
            }
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let rules: Vec<Option<String>> = criteria
        .iter()
        .map(|k| k.rule.as_ref().map(|r| json!(r).to_string()))
        .collect();
    let writes: Vec<CriterionWrite<'_>> = criteria
        .iter()
        .zip(&input.criteria)
        .zip(&rules)
        .map(|((k, raw), rule)| CriterionWrite {
            code: &k.code,
            parent_code: k.parent.as_deref(),
            name: &k.name,
            max_points: k.max_points,
            rule: rule.as_deref(),
            guidance: raw
                .guidance
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty()),
            evidence: raw
                .evidence
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty()),
            verifier_unit_id: raw
                .verifier
                .as_deref()
                .and_then(|v| verifiers.get(v.trim()).copied()),
            indicator_id: raw
                .indicator
                .as_deref()
                .and_then(|i| feeds.get(i.trim()).copied()),
        })
        .collect();
    let unit_kinds = kinds.join(",");
    let write = FrameworkWrite {
        code: &code,
        name: &name,
        year: input.year,
        unit_kinds: &unit_kinds,
        copied_from: match target {
            Save::New { copied_from } => copied_from,
            Save::Replace { .. } => None,
        },
    };
    let (id, before) = match target {
        Save::New { .. } => (
            index_frameworks::insert(&mut c, &write, &writes, app.now()).await,
            None,
        ),
        Save::Replace { id, version } => {
            let before = view_of(&mut c, id).await?;
            if index_frameworks::rounds_using(&mut c, id).await? > 0 {
                return Err(AppError::conflict(
                    "framework_in_use",
                    "Bộ chỉ số đã được dùng cho một vòng đánh giá nên không sửa được; hãy sao chép thành bộ mới.",
                    "A round already uses this framework, so it cannot change; copy it instead.",
                ));
            }
            (
                index_frameworks::replace(&mut c, id, &write, &writes, version, app.now())
                    .await
                    .map(|()| id),
                Some(before),
            )
        }
    };
    let id = match id {
        Err(StoreError::Duplicate) => return Err(AppError::field("code", Invalid::Taken)),
        other => other?,
    };
    let mut view = view_of(&mut c, id).await?;
    view.warnings = check.warnings;
    c.commit(NewEvent {
        action: if before.is_some() {
            "index_framework.update"
        } else {
            "index_framework.create"
        },
        entity_type: "index_framework",
        entity_id: Some(id.to_string()),
        summary: format!("{code} {name} ({} tiêu chí)", view.criteria.len()),
        before: before.map(|b| json!(b)),
        after: Some(json!(view)),
    })
    .await?;
    Ok(view)
}

pub(crate) async fn view_of(c: &mut dxplan_store::Conn, id: i64) -> AppResult<FrameworkView> {
    let framework = index_frameworks::get(c, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let rows = index_frameworks::criteria(c, id).await?;
    let domain: Vec<Criterion> = rows
        .iter()
        .map(|r| Criterion {
            code: r.code.clone(),
            parent: r.parent_code.clone(),
            name: r.name.clone(),
            max_points: r.max_points,
            rule: r.rule.as_deref().and_then(|j| serde_json::from_str(j).ok()),
        })
        .collect();
    let computed = maxima(&domain);
    let max_points = domain
        .iter()
        .filter(|k| k.parent.is_none())
        .map(|k| computed.get(k.code.as_str()).copied().unwrap_or_default())
        .sum();
    let criteria = rows
        .iter()
        .zip(&domain)
        .map(|(r, k)| CriterionView {
            code: r.code.clone(),
            parent: r.parent_code.clone(),
            name: r.name.clone(),
            max_points: computed
                .get(r.code.as_str())
                .copied()
                .unwrap_or(r.max_points),
            rule: k.rule.clone(),
            guidance: r.guidance.clone(),
            evidence: r.evidence.clone(),
            verifier_unit_id: r.verifier_unit_id,
            indicator_id: r.indicator_id,
        })
        .collect();
    Ok(FrameworkView {
        framework,
        criteria,
        max_points,
        warnings: Vec::new(),
    })
}

/// A framework with its criteria and computed maxima, for anyone who reads work.
pub async fn framework(app: &App, user: &CurrentUser, id: i64) -> AppResult<FrameworkView> {
    // Frameworks are read by every member alike (a unit reads what it is scored on).
    user.require_somewhere(Action::ViewWork)?;
    let mut c = app.db.read().await?;
    view_of(&mut c, id).await
}

/// Whether a round scores units on the framework: then its criteria are no longer edited.
pub async fn framework_in_use(app: &App, user: &CurrentUser, id: i64) -> AppResult<bool> {
    user.require_somewhere(Action::ViewWork)?;
    let mut c = app.db.read().await?;
    Ok(index_frameworks::rounds_using(&mut c, id).await? > 0)
}

pub async fn frameworks(app: &App, user: &CurrentUser) -> AppResult<Vec<Framework>> {
    user.require_somewhere(Action::ViewWork)?;
    let mut c = app.db.read().await?;
    Ok(index_frameworks::list(&mut c).await?)
}

/// A framework in the shape `create_framework` reads (units and indicators by code): its
/// JSON export, which imports back as it is.
pub async fn export_framework(
    app: &App,
    user: &CurrentUser,
    id: i64,
) -> AppResult<serde_json::Value> {
    user.require_somewhere(Action::ViewWork)?;
    let mut c = app.db.read().await?;
    let framework = index_frameworks::get(&mut c, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let rows = index_frameworks::criteria(&mut c, id).await?;
    let mut unit_codes: HashMap<i64, String> = HashMap::new();
    let mut indicator_codes: HashMap<i64, String> = HashMap::new();
    for r in &rows {
        if let Some(u) = r.verifier_unit_id
            && !unit_codes.contains_key(&u)
        {
            unit_codes.insert(u, units::get(&mut c, u).await?.code);
        }
        if let Some(i) = r.indicator_id
            && !indicator_codes.contains_key(&i)
        {
            indicator_codes.insert(i, indicators::get(&mut c, i).await?.code);
        }
    }
    let criteria: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| {
            json!({
                "code": r.code,
                "parent": r.parent_code,
                "name": r.name,
                "max_points": r.max_points,
                "rule": r.rule.as_deref().and_then(|j| serde_json::from_str::<Rule>(j).ok()),
                "guidance": r.guidance,
                "evidence": r.evidence,
                "verifier": r.verifier_unit_id.and_then(|u| unit_codes.get(&u)),
                "indicator": r.indicator_id.and_then(|i| indicator_codes.get(&i)),
            })
        })
        .collect();
    Ok(json!({
        "code": framework.code,
        "name": framework.name,
        "year": framework.year,
        "unit_kinds": framework.unit_kinds.split(',').collect::<Vec<_>>(),
        "criteria": criteria,
    }))
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CopyInput {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub year: i64,
}

/// Last year's framework as the start of this year's: the same tree under a new code,
/// name and year, remembering where it came from.
pub async fn copy_framework(
    app: &App,
    caller: &Caller<'_>,
    from: i64,
    input: &CopyInput,
) -> AppResult<FrameworkView> {
    let user = caller.user.ok_or(AppError::Unauthorized)?;
    require_frameworks(app, caller).await?;
    let exported = export_framework(app, user, from).await?;
    let mut copy: FrameworkInput =
        serde_json::from_value(exported).map_err(|e| AppError::internal(e.to_string()))?;
    copy.code = input.code.clone();
    copy.name = input.name.clone();
    copy.year = input.year;
    create_from(app, caller, &copy, Some(from)).await
}

/// The framework as the annex workbook provinces publish, with computed maxima and each
/// rule described in words.
pub async fn framework_xlsx(
    app: &App,
    user: &CurrentUser,
    id: i64,
) -> AppResult<(String, Vec<u8>)> {
    let view = framework(app, user, id).await?;
    let exported = export_framework(app, user, id).await?;
    let parent_of: HashMap<&str, &str> = view
        .criteria
        .iter()
        .filter_map(|c| Some((c.code.as_str(), c.parent.as_deref()?)))
        .collect();
    let depth_of = |code: &str| {
        let mut depth = 0;
        let mut at = code;
        while let Some(parent) = parent_of.get(at) {
            depth += 1;
            at = parent;
            if depth > view.criteria.len() {
                break;
            }
        }
        depth
    };
    let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
    let rows: Vec<dxplan_report::framework_xlsx::FrameworkRow> = view
        .criteria
        .iter()
        .zip(exported["criteria"].as_array().into_iter().flatten())
        .map(|(c, e)| dxplan_report::framework_xlsx::FrameworkRow {
            depth: depth_of(&c.code),
            code: c.code.clone(),
            name: c.name.clone(),
            max_points: c.max_points,
            scoring: c
                .rule
                .as_ref()
                .map(|r| r.describe(c.max_points))
                .unwrap_or_default(),
            evidence: c.evidence.clone().unwrap_or_default(),
            verifier: text(&e["verifier"]),
            indicator: text(&e["indicator"]),
            rule_json: c
                .rule
                .as_ref()
                .map(|r| json!(r).to_string())
                .unwrap_or_default(),
        })
        .collect();
    let title = format!(
        "{} (tổng {} điểm)",
        view.framework.name,
        dxplan_domain::text::format_number(view.max_points, 2)
    );
    let filename = format!("{}.xlsx", view.framework.name);
    let bytes = tokio::task::spawn_blocking(move || {
        dxplan_report::framework_xlsx::framework_xlsx(&title, &rows).map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| AppError::internal(e.to_string()))?
    .map_err(AppError::internal)?;
    Ok((filename, bytes))
}

/// What an import names beside the workbook's rows (a JSON file carries its own).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ImportMeta {
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub year: Option<i64>,
    #[serde(default)]
    pub unit_kinds: Option<String>,
}

/// A framework from its JSON export or its annex workbook (.xlsx, read by its headings);
/// `meta` names or overrides the code, name, year and unit kinds. All or nothing, with the
/// same checks as [`create_framework`].
pub async fn import_framework(
    app: &App,
    caller: &Caller<'_>,
    filename: &str,
    bytes: &[u8],
    meta: &ImportMeta,
) -> AppResult<FrameworkView> {
    require_frameworks(app, caller).await?;
    let input = read_file(filename, bytes, meta).await?;
    create_framework(app, caller, &input).await
}

/// Changes a framework not yet in use from an edited copy of its workbook or JSON; what
/// the file and `meta` leave out (code, name, year, kinds) stays as it was.
pub async fn replace_from_file(
    app: &App,
    caller: &Caller<'_>,
    id: i64,
    filename: &str,
    bytes: &[u8],
    meta: &ImportMeta,
) -> AppResult<FrameworkView> {
    require_frameworks(app, caller).await?;
    let current = {
        let mut c = app.db.read().await?;
        index_frameworks::get(&mut c, id)
            .await?
            .ok_or(AppError::NotFound)?
    };
    let mut input = read_file(filename, bytes, meta).await?;
    if input.code.trim().is_empty() {
        input.code = current.code;
    }
    if input.name.trim().is_empty() {
        input.name = current.name;
    }
    if input.year == 0 {
        input.year = current.year;
    }
    if input.unit_kinds.is_empty() {
        input.unit_kinds = current.unit_kinds.split(',').map(str::to_string).collect();
    }
    replace_framework(app, caller, id, &input, None).await
}

/// A framework as a JSON export or an annex workbook says it, with `meta` over it.
async fn read_file(filename: &str, bytes: &[u8], meta: &ImportMeta) -> AppResult<FrameworkInput> {
    let is_json = filename.to_lowercase().ends_with(".json")
        || bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    let mut input: FrameworkInput = if is_json {
        serde_json::from_slice(bytes).map_err(|e| AppError::BadRequest(format!("JSON: {e}")))?
    } else {
        let rows = super::with_workbook(bytes.to_vec(), |grid, _| {
            dxplan_domain::framework_import::read_framework(grid)
        })
        .await?
        .map_err(|e| {
            // Which limit, or why the file does not read, in the user's words.
            AppError::Validation(vec![FieldError::new(
                "file",
                Invalid::UnreadableFile {
                    vi: e.message(dxplan_domain::Lang::Vi),
                    en: e.message(dxplan_domain::Lang::En),
                },
            )])
        })?
        .map_err(AppError::Validation)?;

        FrameworkInput {
            criteria: rows
                .into_iter()
                .map(|r| CriterionInput {
                    code: r.code,
                    parent: r.parent,
                    name: r.name,
                    max_points: r.max_points,
                    rule: r.rule,
                    guidance: None,
                    evidence: r.evidence,
                    verifier: r.verifier,
                    indicator: r.indicator,
                })
                .collect(),
            ..FrameworkInput::default()
        }
    };
    if let Some(code) = meta.code.as_deref().filter(|s| !s.trim().is_empty()) {
        input.code = code.to_string();
    }
    if let Some(name) = meta.name.as_deref().filter(|s| !s.trim().is_empty()) {
        input.name = name.to_string();
    }
    if let Some(year) = meta.year {
        input.year = year;
    }
    if let Some(kinds) = meta.unit_kinds.as_deref().filter(|s| !s.trim().is_empty()) {
        input.unit_kinds = kinds
            .split([',', ' '])
            .filter(|k| !k.is_empty())
            .map(str::to_string)
            .collect();
    }
    Ok(input)
}
