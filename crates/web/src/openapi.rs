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
        description = "Plans, tasks, indicators, index assessments and open data of a province's digital transformation programme. Errors share one format (`ErrorBody`); successful JSON reads carry an `ETag` and answer `If-None-Match` with 304; `PUT`, `PATCH` and `DELETE` honour `If-Match` (412 when stale). Any write may carry an `Idempotency-Key` (1 to 100 visible ASCII characters): sent again by the same account within a day, it gets the first answer again (with `Idempotent-Replayed: true`) and changes nothing more; the key used for another request (`idempotency_key_reused`) or while the first runs (`idempotency_key_running`) answers 409. A JSON body's field the operation does not define is refused (400), never silently dropped.",
    ),
    paths(
        crate::api::auth::login,
        crate::api::auth::logout,
        crate::api::auth::me,
        crate::api::auth::change_password,
        crate::api::units::list,
        crate::api::units::create,
        crate::api::units::import,
        crate::api::units::get_one,
        crate::api::units::patch,
        crate::api::issuer::get_issuer,
        crate::api::issuer::put_issuer,
        crate::api::users::list,
        crate::api::users::create,
        crate::api::users::get_one,
        crate::api::users::patch,
        crate::api::users::reset_password,
        crate::api::users::list_grants,
        crate::api::users::add_grant,
        crate::api::users::remove_grant,
        crate::api::audit::list,
        crate::api::reorg::list,
        crate::api::reorg::create,
        crate::api::reorg::get_one,
        crate::api::reorg::apply,
        crate::api::reorg::undo,
        crate::api::tasks::list_plans,
        crate::api::tasks::create_plan,
        crate::api::tasks::get_plan,
        crate::api::tasks::patch_plan,
        crate::api::tasks::list_source_documents,
        crate::api::tasks::list_groups,
        crate::api::tasks::plan_obstacles,
        crate::api::tasks::create_group,
        crate::api::tasks::patch_group,
        crate::api::tasks::list_plan_tasks,
        crate::api::tasks::create_task,
        crate::api::tasks::list_tasks,
        crate::api::tasks::export_csv,
        crate::api::tasks::export_xlsx,
        crate::api::tasks::get_task,
        crate::api::tasks::patch_task,
        crate::api::tasks::transition,
        crate::api::tasks::task_events,
        crate::api::tasks::task_reports,
        crate::api::tasks::file_report,
        crate::api::tasks::task_extensions,
        crate::api::tasks::request_extension,
        crate::api::tasks::decide_extension,
        crate::api::tasks::my_work,
        crate::api::notifications::list_notifications,
        crate::api::notifications::read_all_notifications,
        crate::api::notifications::read_notification,
        crate::api::tasks::task_attachments,
        crate::api::tasks::upload,
        crate::api::tasks::download,
        crate::api::tasks::import_plan,
        crate::api::indicators::list,
        crate::api::indicators::create,
        crate::api::indicators::get_one,
        crate::api::indicators::update,
        crate::api::indicators::rollup,
        crate::api::indicators::unit_dashboard,
        crate::api::indicators::list_forms,
        crate::api::indicators::create_form,
        crate::api::indicators::set_targets,
        crate::api::indicators::list_targets,
        crate::api::indicators::copy_targets,
        crate::api::indicators::split_target,
        crate::api::indicators::unit_values,
        crate::api::indicators::pending_values,
        crate::api::indicators::form_completeness,
        crate::api::indicators::remind_late,
        crate::api::indicators::save_values,
        crate::api::indicators::export,
        crate::api::indicators::import,
        crate::api::indicators::review,
        crate::api::indicators::history,
        crate::api::indicators::value_files,
        crate::api::indicators::upload_value_file,
        crate::api::indicators::download_value_file,
        crate::api::dashboard::dashboard,
        crate::api::evaluation::figures,
        crate::api::urging::plan_urging,
        crate::api::urging::draft_letter,
        crate::api::urging::letter_document,
        crate::api::urging::mark_sent,
        crate::api::briefings::list,
        crate::api::briefings::create,
        crate::api::briefings::one,
        crate::api::briefings::update,
        crate::api::briefings::add_recipient,
        crate::api::briefings::remove_recipient,
        crate::api::briefings::send_now,
        crate::api::briefings::file,
        crate::api::steering::plan_sessions,
        crate::api::steering::create_session,
        crate::api::steering::session,
        crate::api::steering::edit_session,
        crate::api::steering::add_conclusion,
        crate::api::steering::edit_conclusion,
        crate::api::steering::assign_task,
        crate::api::steering::close_conclusion,
        crate::api::steering::issue_notice,
        crate::api::steering::notice_document,
        crate::api::steering::briefing_document,
        crate::api::explanations::list,
        crate::api::explanations::tally,
        crate::api::explanations::create,
        crate::api::explanations::one,
        crate::api::explanations::answer,
        crate::api::explanations::accept,
        crate::api::explanations::ask_again,
        crate::api::explanations::withdraw,
        crate::api::explanations::upload,
        crate::api::explanations::download,
        crate::api::evaluation::exempt_delay,
        crate::api::evaluation::set_officer,
        crate::api::dashboard::start_export,
        crate::api::dashboard::export_status,
        crate::api::dashboard::export_file,
        crate::api::dashboard::doc_dashboard_xlsx,
        crate::api::dashboard::doc_dashboard_docx,
        crate::api::dashboard::doc_dashboard_pdf,
        crate::api::dashboard::doc_briefing_pdf,
        crate::api::notifications::set_email_pref,
        crate::api::tokens::list,
        crate::api::tokens::create,
        crate::api::tokens::revoke,
        crate::api::webhooks::list,
        crate::api::webhooks::register,
        crate::api::webhooks::remove,
        crate::api::webhooks::deliveries,
        crate::api::dhis2::export,
        crate::api::dhis2::import,
        crate::api::dhis2::mappings,
        crate::api::dhis2::set_mappings,
        crate::api::index::list,
        crate::api::index::create,
        crate::api::index::import,
        crate::api::index::get_one,
        crate::api::index::replace,
        crate::api::index::export,
        crate::api::index::copy,
        crate::api::index::export_xlsx,
        crate::api::index::list_rounds,
        crate::api::index::open_round,
        crate::api::index::get_round,
        crate::api::index::publish,
        crate::api::index::results,
        crate::api::index::get_assessment,
        crate::api::index::save_scores,
        crate::api::index::add_link,
        crate::api::index::act,
        crate::api::index::verify,
        crate::api::index::respond,
        crate::api::index::correct,
        crate::api::index::task_criteria,
        crate::api::index::set_task_criteria,
        crate::api::index::upload_evidence,
        crate::api::index::download_evidence,
        crate::api::index::results_xlsx,
        crate::api::index::results_pdf,
        crate::pages::open::catalog,
        crate::pages::open::dataset,
    ),
    components(schemas(
        ErrorBody,
        ErrorDetail,
        FieldProblem,
        dxplan_app::tokens::TokenInput,
        dxplan_domain::issuer::IssuerInput,
        dxplan_domain::issuer::IssuerSettings,
        dxplan_domain::issuer::IssuerBlock,
        dxplan_app::issuer::IssuerView,
        dxplan_app::webhooks::WebhookInput,
        dxplan_app::dhis2::MappingInput,
        dxplan_app::index::FrameworkInput,
        dxplan_app::index::CriterionInput,
        dxplan_app::index::CopyInput,
        dxplan_app::assessment::RoundInput,
        dxplan_app::assessment::AnswerInput,
        dxplan_app::assessment::ActInput,
        dxplan_app::assessment::VerifyInput,
        dxplan_app::assessment::ResponseInput,
        dxplan_app::assessment::CorrectionInput,
        dxplan_app::assessment::CriterionRef,
    )),
    modifiers(&Security),
    tags(
        (name = "accounts", description = "Logging in, units, users, grants and the audit log"),
        (name = "tasks", description = "Plans, task groups, tasks, their workflow, reports, extensions and evidence"),
        (name = "indicators", description = "Indicators, forms, targets, figures, review and roll-ups"),
        (name = "dashboard", description = "The operations centre's data and its reports"),
        (name = "evaluation", description = "Decree 335/2025/NĐ-CP figures of units and officers, for the evaluation software"),
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
    pub token: dxplan_app::tokens::Token,
    pub secret: String,
}

/// A new webhook endpoint and its signing secret, shown this once.
#[derive(Serialize, ToSchema)]
pub struct WebhookCreated {
    pub webhook: dxplan_app::webhooks::Webhook,
    pub secret: String,
}

/// An endpoint's delivery log, newest first.
#[derive(Serialize, ToSchema)]
pub struct DeliveryLog {
    pub webhook: dxplan_app::webhooks::Webhook,
    pub items: Vec<dxplan_app::webhooks::Delivery>,
    pub next_cursor: Option<String>,
}

/// Every DHIS2 identifier mapping.
#[derive(Serialize, ToSchema)]
pub struct MappingList {
    pub items: Vec<dxplan_app::dhis2::Mapping>,
}
