//! The OpenAPI 3.1 document, generated from the `#[utoipa::path]` annotations on the
//! handlers themselves (never written beside them), and the reference page dxplan serves
//! from it with no external assets.

use axum::Json;
use serde::Serialize;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

/// Every error answer: a stable code, a message in the reader's language, and for
/// refused input the fields at fault.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// `validation_failed`, `unauthorized`, `invalid_token`, `token_expired`, `token_revoked`,
    /// `forbidden`, `not_found`, `version_conflict`, `too_many_requests`, or a conflict's own code.
    pub code: String,
    pub message: String,
    pub details: Vec<FieldProblem>,
}

#[derive(Serialize, ToSchema)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An API token made in the profile (`dxp_…`), sent as `Authorization: Bearer …`.",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "dxplan_session",
                "The browser's session cookie; changes also need the `X-CSRF-Token` header.",
            ))),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "dxplan API",
        description = "Plans, tasks, indicators, index assessments and open data of a province's digital transformation programme. Errors share one format (`ErrorBody`); successful JSON reads carry an `ETag` and answer `If-None-Match` with 304; `PUT`, `PATCH` and `DELETE` honour `If-Match` (412 when stale). A JSON body's field the operation does not define is refused (400), never silently dropped.",
    ),
    paths(
        super::login,
        super::logout,
        super::me,
        super::change_password,
        super::list_units,
        super::create_unit,
        super::import_units,
        super::get_unit,
        super::patch_unit,
        super::issuer::get_issuer,
        super::issuer::put_issuer,
        super::list_users,
        super::create_user,
        super::get_user,
        super::patch_user,
        super::reset_password,
        super::list_grants,
        super::add_grant,
        super::remove_grant,
        super::list_audit,
        super::reorg::list,
        super::reorg::create,
        super::reorg::get_one,
        super::reorg::apply,
        super::reorg::undo,
        super::tasks::list_plans,
        super::tasks::create_plan,
        super::tasks::get_plan,
        super::tasks::patch_plan,
        super::tasks::list_groups,
        super::tasks::plan_obstacles,
        super::tasks::create_group,
        super::tasks::patch_group,
        super::tasks::list_plan_tasks,
        super::tasks::create_task,
        super::tasks::list_tasks,
        super::tasks::export_csv,
        super::tasks::export_xlsx,
        super::tasks::get_task,
        super::tasks::patch_task,
        super::tasks::transition,
        super::tasks::task_events,
        super::tasks::task_reports,
        super::tasks::file_report,
        super::tasks::task_extensions,
        super::tasks::request_extension,
        super::tasks::decide_extension,
        super::tasks::my_work,
        super::tasks::list_notifications,
        super::tasks::read_all_notifications,
        super::tasks::read_notification,
        super::tasks::task_attachments,
        super::tasks::upload,
        super::tasks::download,
        super::tasks::import_plan,
        super::indicators::list,
        super::indicators::create,
        super::indicators::get_one,
        super::indicators::update,
        super::indicators::rollup,
        super::indicators::unit_dashboard,
        super::indicators::list_forms,
        super::indicators::create_form,
        super::indicators::set_targets,
        super::indicators::list_targets,
        super::indicators::copy_targets,
        super::indicators::split_target,
        super::indicators::unit_values,
        super::indicators::pending_values,
        super::indicators::form_completeness,
        super::indicators::remind_late,
        super::indicators::save_values,
        super::indicators::export,
        super::indicators::import,
        super::indicators::review,
        super::indicators::history,
        super::indicators::value_files,
        super::indicators::upload_value_file,
        super::indicators::download_value_file,
        super::dashboard::dashboard,
        super::dashboard::start_export,
        super::dashboard::export_status,
        super::dashboard::export_file,
        super::dashboard::doc_dashboard_xlsx,
        super::dashboard::doc_dashboard_docx,
        super::dashboard::doc_dashboard_pdf,
        super::dashboard::doc_briefing_pdf,
        super::tasks::set_email_pref,
        super::tokens::list,
        super::tokens::create,
        super::tokens::revoke,
        super::webhooks::list,
        super::webhooks::register,
        super::webhooks::remove,
        super::webhooks::deliveries,
        super::dhis2::export,
        super::dhis2::import,
        super::dhis2::mappings,
        super::dhis2::set_mappings,
        super::index::list,
        super::index::create,
        super::index::import,
        super::index::get_one,
        super::index::replace,
        super::index::export,
        super::index::copy,
        super::index::export_xlsx,
        super::index::list_rounds,
        super::index::open_round,
        super::index::get_round,
        super::index::publish,
        super::index::results,
        super::index::get_assessment,
        super::index::save_scores,
        super::index::add_link,
        super::index::act,
        super::index::verify,
        super::index::respond,
        super::index::correct,
        super::index::task_criteria,
        super::index::set_task_criteria,
        super::index::upload_evidence,
        super::index::download_evidence,
        super::index::results_xlsx,
        super::index::results_pdf,
        crate::pages::open::catalog,
        crate::pages::open::dataset,
    ),
    components(schemas(
        ErrorBody,
        ErrorDetail,
        FieldProblem,
        crate::service::tokens::TokenInput,
        dxplan_domain::issuer::IssuerInput,
        dxplan_domain::issuer::IssuerSettings,
        dxplan_domain::issuer::IssuerBlock,
        crate::service::issuer::IssuerView,
        crate::service::webhooks::WebhookInput,
        crate::service::dhis2::MappingInput,
        crate::service::index::FrameworkInput,
        crate::service::index::CriterionInput,
        crate::service::index::CopyInput,
        crate::service::assessment::RoundInput,
        crate::service::assessment::AnswerInput,
        crate::service::assessment::ActInput,
        crate::service::assessment::VerifyInput,
        crate::service::assessment::ResponseInput,
        crate::service::assessment::CorrectionInput,
        crate::service::assessment::CriterionRef,
    )),
    modifiers(&Security),
    tags(
        (name = "accounts", description = "Logging in, units, users, grants and the audit log"),
        (name = "tasks", description = "Plans, task groups, tasks, their workflow, reports, extensions and evidence"),
        (name = "indicators", description = "Indicators, forms, targets, figures, review and roll-ups"),
        (name = "dashboard", description = "The operations centre's data and its reports"),
        (name = "index", description = "Index frameworks and assessment rounds"),
        (name = "assessments", description = "A unit's assessment: answers, evidence, verification, response, corrections"),
        (name = "tokens", description = "API tokens for machine clients"),
        (name = "webhooks", description = "Event delivery to other systems (administrators)"),
        (name = "dhis2", description = "Exchange with DHIS2 in the dataValueSets layout"),
        (name = "open", description = "Open data, no account needed"),
    )
)]
pub struct ApiDoc;

/// `GET /api/openapi.json`.
pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

/// One operation as the reference page shows it.
pub struct Operation {
    pub method: String,
    pub path: String,
    pub summary: String,
    pub description: String,
    /// (name, where, required, description)
    pub params: Vec<(String, String, bool, String)>,
    pub body: String,
    /// (status, description)
    pub responses: Vec<(String, String)>,
}

/// The document's operations grouped by tag, in the document's tag order.
pub fn reference() -> Vec<(String, String, Vec<Operation>)> {
    let doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
    let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
    let mut groups: Vec<(String, String, Vec<Operation>)> = doc["tags"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| (text(&t["name"]), text(&t["description"]), Vec::new()))
        .collect();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            let tag = op["tags"][0].as_str().unwrap_or_default();
            let schema_name = |content: &serde_json::Value| {
                content
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(ct, c)| {
                        let reference = c["schema"]["$ref"]
                            .as_str()
                            .and_then(|r| r.rsplit('/').next())
                            .unwrap_or("object");
                        format!("{ct}: {reference}")
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let operation = Operation {
                method: method.to_uppercase(),
                path: path.clone(),
                summary: text(&op["summary"]),
                description: text(&op["description"]),
                params: op["parameters"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|p| {
                        (
                            text(&p["name"]),
                            text(&p["in"]),
                            p["required"].as_bool().unwrap_or(false),
                            text(&p["description"]),
                        )
                    })
                    .collect(),
                body: schema_name(&op["requestBody"]["content"]),
                responses: op["responses"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(status, r)| (status.clone(), text(&r["description"])))
                    .collect(),
            };
            match groups.iter_mut().find(|(name, _, _)| name == tag) {
                Some(group) => group.2.push(operation),
                None => groups.push((tag.to_string(), String::new(), vec![operation])),
            }
        }
    }
    groups
}

/// The refusals any operation may answer with besides its own answers; every handler's
/// description lists them by this one name.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum Refusals {
    /// Refused input, field by field; nothing changed.
    #[response(status = 400)]
    BadRequest(ErrorBody),
    /// Not logged in, or the token is unknown, expired or revoked.
    #[response(status = 401)]
    Unauthorized(ErrorBody),
    /// Not allowed for this account or token.
    #[response(status = 403)]
    Forbidden(ErrorBody),
    /// No such record.
    #[response(status = 404)]
    NotFound(ErrorBody),
    /// Not possible in the record's present state, or changed by someone else.
    #[response(status = 409)]
    Conflict(ErrorBody),
}

/// One page of a list: the items, and the cursor of the next page when there is one.
#[derive(Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

/// A file sent as `multipart/form-data`, in the part named `file`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct FileUpload {
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
}

/// A whole list that is never long enough to page (a task's events, a plan's groups…).
#[derive(Serialize, ToSchema)]
pub struct Items<T> {
    pub items: Vec<T>,
}

/// A new API token and its secret, shown this once.
#[derive(Serialize, ToSchema)]
pub struct TokenCreated {
    pub token: dxplan_store::tokens::Token,
    pub secret: String,
}

/// A new webhook endpoint and its signing secret, shown this once.
#[derive(Serialize, ToSchema)]
pub struct WebhookCreated {
    pub webhook: dxplan_store::webhooks::Webhook,
    pub secret: String,
}

/// An endpoint's delivery log, newest first.
#[derive(Serialize, ToSchema)]
pub struct DeliveryLog {
    pub webhook: dxplan_store::webhooks::Webhook,
    pub items: Vec<dxplan_store::webhooks::Delivery>,
    pub next_cursor: Option<String>,
}

/// Every DHIS2 identifier mapping.
#[derive(Serialize, ToSchema)]
pub struct MappingList {
    pub items: Vec<dxplan_store::dhis2::Mapping>,
}
