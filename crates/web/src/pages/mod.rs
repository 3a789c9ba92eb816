//! Server-rendered pages. Handlers are thin: read the request, call the service layer,
//! hand a ready-made view to a template.

mod assessment;
pub mod assets;
mod auth;
mod briefings;
mod dashboard;
mod displays;
mod evaluation;
mod explanations;
mod indicators;
mod notifications;
pub(crate) mod open;
mod reorg;
mod steering;
mod tasks;
mod tokens;
mod units;
mod urging;
mod users;
mod webhooks;

use askama::Template;
use axum::Router;
use axum::extract::{FromRequestParts, Path, Query};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use dxplan_domain::auth::{Action, Target};
use dxplan_domain::{FieldError, Lang};

use crate::error::{AppError, WebError, WebResult};
use crate::middleware::{html, urlencode};
use crate::session::{CurrentUser, RequestMeta, cookie_value, set_cookie};
use crate::state::AppState;
use dxplan_app::Caller;
use dxplan_app::dashboard::DashboardQuery;
use dxplan_app::exports::ExportKind;

pub const FLASH_COOKIE: &str = "dxplan_flash";

/// The review right, for templates deciding what to offer.
pub const REVIEW: Action = Action::ReviewWork;

/// The pages; `upload_limit` bounds the body of evidence uploads.
pub fn routes(upload_limit: usize) -> Router<AppState> {
    // Workbooks (plan appendices, frameworks, figures forms) have their own, smaller cap.
    let workbook_limit = crate::upload::with_framing(crate::upload::WORKBOOK_BYTES);
    Router::new()
        .route("/", get(home))
        .route("/login", get(auth::login_page).post(auth::login_submit))
        .route("/logout", post(auth::logout))
        .route("/lang/{code}", get(auth::switch_lang))
        .route(
            "/account/password",
            get(auth::password_page).post(auth::password_submit),
        )
        .route("/account/tokens", get(tokens::list).post(tokens::create))
        .route("/account/tokens/{id}/revoke", post(tokens::revoke))
        .route("/units", get(units::tree))
        .route("/units/new", get(units::new_page).post(units::create))
        .route(
            "/units/import",
            get(units::import_page).post(units::import_submit),
        )
        .route("/units.csv", get(units::export_csv))
        .route("/units/{id}", get(units::show))
        .route(
            "/units/{id}/edit",
            get(units::edit_page).post(units::update),
        )
        .route("/units/{id}/retire", post(units::retire))
        .route(
            "/units/{id}/documents",
            get(units::documents).post(units::save_documents),
        )
        .route("/users", get(users::list))
        .route("/users/new", get(users::new_page).post(users::create))
        .route("/users/{id}", get(users::show).post(users::update))
        .route("/users/{id}/password", post(users::reset_password))
        .route("/users/{id}/grants", post(users::grant))
        .route("/users/{id}/grants/{grant_id}/revoke", post(users::revoke))
        .route("/audit", get(users::audit))
        .route(
            "/admin/webhooks",
            get(webhooks::list).post(webhooks::register),
        )
        .route(
            "/admin/displays",
            get(displays::list).post(displays::create),
        )
        .route("/admin/displays/{id}/revoke", post(displays::revoke))
        .route("/wall/{secret}", get(dashboard::display))
        .route("/admin/webhooks/{id}", get(webhooks::show))
        .route("/admin/webhooks/{id}/remove", post(webhooks::remove))
        .route(
            "/admin/reorganisations",
            get(reorg::list)
                .post(reorg::create)
                .layer(axum::extract::DefaultBodyLimit::max(upload_limit)),
        )
        .route("/admin/reorganisations/{id}", get(reorg::show))
        .route("/admin/reorganisations/{id}/apply", post(reorg::apply))
        .route("/admin/reorganisations/{id}/undo", post(reorg::undo))
        .route("/my-work", get(tasks::my_work))
        .route("/notifications", get(notifications::notifications))
        .route("/notifications/read-all", post(notifications::read_all))
        .route(
            "/notifications/preference",
            post(notifications::email_preference),
        )
        .route(
            "/notifications/{id}/open",
            post(notifications::open_notification),
        )
        .route("/plans", get(tasks::plans).post(tasks::create_plan))
        .route("/plans/{id}", get(tasks::plan))
        .route("/plans/{id}/groups", post(tasks::save_group))
        .route("/plans/{id}/obstacles", get(tasks::obstacles))
        .route(
            "/plans/{id}/import",
            get(tasks::import_page)
                .post(tasks::import_preview)
                .layer(axum::extract::DefaultBodyLimit::max(workbook_limit)),
        )
        .route("/plans/{id}/import/confirm", post(tasks::import_confirm))
        .route(
            "/plans/{id}/import/template.xlsx",
            get(tasks::import_template),
        )
        .route("/plans/{id}/tasks", post(tasks::create_task))
        .route("/tasks", get(tasks::list))
        .route("/tasks.csv", get(tasks::export_csv))
        .route("/tasks.xlsx", get(tasks::export_xlsx))
        .route("/tasks/new", get(tasks::new_task))
        .route("/tasks/{id}", get(tasks::show))
        .route(
            "/tasks/{id}/edit",
            get(tasks::edit_task).post(tasks::update_task),
        )
        .route("/tasks/{id}/transitions", post(tasks::transition))
        .route("/tasks/{id}/officer", post(tasks::set_officer))
        .route("/tasks/{id}/delay-exemption", post(tasks::exempt_delay))
        .route(
            "/tasks/{id}/attachments",
            post(tasks::upload).layer(axum::extract::DefaultBodyLimit::max(upload_limit)),
        )
        .route("/attachments/{id}", get(tasks::download_attachment))
        .route("/tasks/{id}/reports", post(tasks::report))
        .route("/tasks/{id}/criteria", post(tasks::set_criteria))
        .route("/tasks/{id}/extensions", post(tasks::request_extension))
        .route(
            "/tasks/{id}/extensions/{ext_id}/decision",
            post(tasks::decide_extension),
        )
        .route(
            "/indicators",
            get(indicators::list).post(indicators::create),
        )
        .route("/indicators/{code}", get(indicators::show))
        .route("/data/review", get(indicators::review_queue))
        .route("/data/values/{id}/review", post(indicators::review))
        .route(
            "/data/{unit}",
            get(indicators::entry).post(indicators::save),
        )
        .route("/data/{unit}/form.xlsx", get(indicators::form_xlsx))
        .route(
            "/data/{unit}/values/{id}/files",
            post(indicators::upload_evidence)
                .layer(axum::extract::DefaultBodyLimit::max(upload_limit)),
        )
        .route(
            "/data/{unit}/files/{id}",
            get(indicators::download_evidence),
        )
        .route(
            "/data/{unit}/upload",
            post(indicators::upload).layer(axum::extract::DefaultBodyLimit::max(workbook_limit)),
        )
        .route(
            "/targets",
            get(indicators::targets).post(indicators::save_targets),
        )
        .route("/targets/copy", post(indicators::copy_targets))
        .route("/targets/split", post(indicators::split_targets))
        .route("/forms/{id}/completeness", get(indicators::completeness))
        .route("/forms/{id}/remind", post(indicators::remind))
        .route("/assessments", get(assessment::home))
        .route("/assessments/rounds", post(assessment::open_round))
        .route("/assessments/rounds/{id}", get(assessment::round))
        .route(
            "/assessments/rounds/{id}/publish",
            post(assessment::publish),
        )
        .route("/assessments/rounds/{id}/results", get(assessment::results))
        .route(
            "/assessments/rounds/{id}/results.xlsx",
            get(|ctx: Ctx, id: Path<i64>, Query(q): Query<_>| {
                assessment::results_file(ctx, id, q, "xlsx", false)
            }),
        )
        .route(
            "/assessments/rounds/{id}/results.pdf",
            get(|ctx: Ctx, id: Path<i64>, Query(q): Query<_>| {
                assessment::results_file(ctx, id, q, "pdf", false)
            }),
        )
        .route(
            "/assessments/frameworks/import",
            post(assessment::import_framework)
                .layer(axum::extract::DefaultBodyLimit::max(workbook_limit)),
        )
        .route("/assessments/frameworks/{id}", get(assessment::framework))
        .route(
            "/assessments/frameworks/{id}/copy",
            post(assessment::copy_framework),
        )
        .route(
            "/assessments/frameworks/{id}/replace",
            post(assessment::replace_framework)
                .layer(axum::extract::DefaultBodyLimit::max(workbook_limit)),
        )
        .route(
            "/assessments/frameworks/{id}/export.json",
            get(|ctx: Ctx, id: Path<i64>| assessment::export_framework(ctx, id, "json")),
        )
        .route(
            "/assessments/frameworks/{id}/export.xlsx",
            get(|ctx: Ctx, id: Path<i64>| assessment::export_framework(ctx, id, "xlsx")),
        )
        .route("/assessments/evidence/{id}", get(assessment::evidence_file))
        .route("/assessments/{id}", get(assessment::show))
        .route("/assessments/{id}/scores", post(assessment::save))
        .route("/assessments/{id}/links", post(assessment::add_link))
        .route(
            "/assessments/{id}/files",
            post(assessment::upload).layer(axum::extract::DefaultBodyLimit::max(upload_limit)),
        )
        .route("/assessments/{id}/actions", post(assessment::act))
        .route("/assessments/{id}/verify", post(assessment::verify))
        .route("/assessments/{id}/respond", post(assessment::respond))
        .route("/assessments/{id}/correct", post(assessment::correct))
        .route("/api/openapi.json", get(crate::openapi::document))
        .route("/api/docs", get(open::api_docs))
        .route("/open", get(open::home))
        .route("/open/catalog.json", get(open::catalog))
        .route("/open/datasets/{file}", get(open::dataset))
        .route("/public/index", get(assessment::public_list))
        .route("/public/index/{id}", get(assessment::public_results))
        .route(
            "/public/index/{id}/results.xlsx",
            get(|ctx: Ctx, id: Path<i64>, Query(q): Query<_>| {
                assessment::results_file(ctx, id, q, "xlsx", true)
            }),
        )
        .route(
            "/public/index/{id}/results.pdf",
            get(|ctx: Ctx, id: Path<i64>, Query(q): Query<_>| {
                assessment::results_file(ctx, id, q, "pdf", true)
            }),
        )
        .route("/dashboard", get(dashboard::home))
        .route("/evaluation", get(evaluation::page))
        .route("/briefings", get(briefings::list).post(briefings::create))
        .route("/briefings/new", get(briefings::new))
        .route("/briefings/{id}", get(briefings::show))
        .route("/briefings/{id}/edit", post(briefings::edit))
        .route("/briefings/{id}/active", post(briefings::set_active))
        .route("/briefings/{id}/send", post(briefings::send_now))
        .route("/briefings/{id}/recipients", post(briefings::add_recipient))
        .route(
            "/briefings/{id}/recipients/{user_id}/remove",
            post(briefings::remove_recipient),
        )
        .route("/briefing-sends/{id}", get(briefings::file))
        .route("/plans/{id}/urging", get(urging::page))
        .route("/plans/{id}/urging-letters", post(urging::draft))
        .route("/urging-letters/{id}/document.docx", get(urging::document))
        .route("/urging-letters/{id}/sent", post(urging::sent))
        .route(
            "/plans/{id}/steering",
            get(steering::plan).post(steering::create),
        )
        .route(
            "/plans/{id}/steering-briefing.docx",
            get(steering::briefing_document),
        )
        .route(
            "/explanations",
            get(explanations::list).post(explanations::create),
        )
        .route("/explanations/new", get(explanations::new))
        .route("/explanations/{id}", get(explanations::show))
        .route("/explanations/{id}/answer", post(explanations::answer))
        .route("/explanations/{id}/accept", post(explanations::accept))
        .route(
            "/explanations/{id}/ask-again",
            post(explanations::ask_again),
        )
        .route("/explanations/{id}/withdraw", post(explanations::withdraw))
        .route(
            "/explanations/{id}/files",
            post(explanations::upload).layer(axum::extract::DefaultBodyLimit::max(upload_limit)),
        )
        .route("/explanation-files/{id}", get(explanations::download))
        .route("/steering/{id}", get(steering::session))
        .route("/steering/{id}/conclusions", post(steering::add_conclusion))
        .route("/steering/{id}/edit", post(steering::edit_session))
        .route("/steering/{id}/notice", post(steering::issue_notice))
        .route("/steering/{id}/notice.docx", get(steering::notice_document))
        .route("/steering-conclusions/{id}/assign", get(steering::assign))
        .route(
            "/steering-conclusions/{id}/tasks",
            post(steering::assign_task),
        )
        .route(
            "/steering-conclusions/{id}/close",
            post(steering::close_conclusion),
        )
        .route(
            "/steering-conclusions/{id}/text",
            post(steering::edit_conclusion),
        )
        .route("/evaluation.xlsx", get(evaluation::workbook))
        .route("/dashboard.xlsx", direct_download(ExportKind::Workbook))
        .route("/dashboard.docx", direct_download(ExportKind::Word))
        .route("/dashboard.pdf", direct_download(ExportKind::Pdf))
        .route(
            "/dashboard/briefing.pdf",
            direct_download(ExportKind::Briefing),
        )
        .route("/exports", post(dashboard::start_export))
        .route("/exports/{id}", get(dashboard::export_status))
        .route("/exports/{id}/file", get(dashboard::export_file))
}

/// The route of one document made while the reader waits.
fn direct_download(kind: ExportKind) -> axum::routing::MethodRouter<AppState> {
    get(move |ctx: Ctx, Query(q): Query<DashboardQuery>| dashboard::download(ctx, q, kind))
}

/// A link in the main navigation.
pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

/// What every page's layout needs.
pub struct Page {
    pub lang: Lang,
    pub title: String,
    pub user: Option<CurrentUser>,
    pub nav: Vec<NavItem>,
    pub flash: Option<String>,
    pub path: String,
    /// Unread notifications of the logged-in user.
    pub unread: i64,
}

impl Page {
    /// Picks the Vietnamese or the English text.
    pub fn tr<'a>(&self, vi: &'a str, en: &'a str) -> &'a str {
        self.lang.pick(vi, en)
    }

    pub fn csrf(&self) -> &str {
        self.user.as_ref().map(|u| u.csrf.as_str()).unwrap_or("")
    }

    pub fn lang_code(&self) -> &'static str {
        self.lang.code()
    }

    /// The link that switches to the other language and comes back here.
    pub fn other_lang_href(&self) -> String {
        let other = self.lang.pick("en", "vi");
        format!("/lang/{other}?next={}", urlencode(&self.path))
    }

    pub fn other_lang_label(&self) -> &'static str {
        self.lang.pick("English", "Tiếng Việt")
    }

    pub fn may(&self, action: Action) -> bool {
        self.user.as_ref().is_some_and(|u| u.holds(action))
    }

    pub fn can_manage_units(&self) -> bool {
        self.may(Action::ManageUnits)
    }

    pub fn is_admin(&self) -> bool {
        self.user.as_ref().is_some_and(|u| u.is_system_admin())
    }
}

fn nav_for(lang: Lang, user: Option<&CurrentUser>, path: &str) -> Vec<NavItem> {
    let Some(user) = user else { return Vec::new() };
    let items: [(&'static str, &'static str, &'static str, bool); 12] = [
        (
            "/my-work",
            "Việc của tôi",
            "My work",
            user.holds(Action::ViewWork),
        ),
        ("/plans", "Kế hoạch", "Plans", user.holds(Action::ViewWork)),
        ("/tasks", "Nhiệm vụ", "Tasks", user.holds(Action::ViewWork)),
        (
            "/indicators",
            "Chỉ tiêu",
            "Indicators",
            user.holds(Action::ViewWork),
        ),
        (
            "/assessments",
            "Đánh giá",
            "Assessments",
            user.holds(Action::ViewWork),
        ),
        (
            "/dashboard",
            "Trung tâm điều hành",
            "Operations centre",
            user.holds(Action::ViewWork),
        ),
        (
            "/explanations",
            "Giải trình",
            "Explanations",
            user.holds(Action::RequestExplanation) || user.holds(Action::AnswerExplanation),
        ),
        ("/units", "Đơn vị", "Units", user.holds(Action::ViewUnits)),
        (
            "/users",
            "Người dùng",
            "Users",
            user.holds(Action::ViewUsers),
        ),
        (
            "/audit",
            "Nhật ký",
            "Audit log",
            user.may(Action::ViewAudit, Target::System),
        ),
        (
            "/admin/webhooks",
            "Kết nối",
            "Webhooks",
            user.may(Action::ManageUsers, Target::System),
        ),
        (
            "/admin/reorganisations",
            "Sắp xếp ĐVHC",
            "Reorganisations",
            user.holds(Action::Reorganise),
        ),
    ];
    items
        .into_iter()
        .filter(|(_, _, _, allowed)| *allowed)
        .map(|(href, vi, en, _)| NavItem {
            href,
            label: lang.pick(vi, en),
            current: path == href || path.starts_with(&format!("{href}/")),
        })
        .collect()
}

/// The request as a page handler sees it.
pub struct Ctx {
    pub state: AppState,
    pub meta: RequestMeta,
    pub user: Option<CurrentUser>,
    pub flash: Option<String>,
    pub unread: i64,
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = WebError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> WebResult<Self> {
        let meta = RequestMeta::from_request_parts(parts, state).await?;
        let user = parts
            .extensions
            .get::<Option<CurrentUser>>()
            .cloned()
            .flatten();
        let flash = cookie_value(&parts.headers, FLASH_COOKIE)
            .and_then(|v| {
                serde_urlencoded::from_str::<Vec<(String, String)>>(&format!("m={v}")).ok()
            })
            .and_then(|mut pairs| pairs.pop())
            .map(|(_, m)| m)
            .filter(|m| !m.is_empty());
        let unread = match &user {
            Some(u) => dxplan_app::notifications::unread_count(state, u).await?,
            None => 0,
        };
        Ok(Ctx {
            state: state.clone(),
            meta,
            user,
            flash,
            unread,
        })
    }
}

impl Ctx {
    pub fn lang(&self) -> Lang {
        self.meta.lang
    }

    pub fn page(&self, vi: &str, en: &str) -> Page {
        Page {
            lang: self.meta.lang,
            title: self.meta.lang.pick(vi, en).to_string(),
            nav: nav_for(self.meta.lang, self.user.as_ref(), &self.meta.path),
            user: self.user.clone(),
            flash: self.flash.clone(),
            path: self.meta.path.clone(),
            unread: self.unread,
        }
    }

    /// The logged-in user, or the login page.
    pub fn user(&self) -> WebResult<&CurrentUser> {
        self.user.as_ref().ok_or(WebError(AppError::Unauthorized))
    }

    pub fn caller(&self) -> WebResult<Caller<'_>> {
        let user = self.user()?;
        Ok(Caller {
            user: Some(user),
            actor: user.actor(&self.meta.origin(), "web"),
        })
    }

    /// Renders a page, clearing a flash message once it has been shown.
    pub fn render(&self, template: &impl Template) -> WebResult<Response> {
        let body = template
            .render()
            .map_err(|e| AppError::internal(format!("template: {e}")))?;
        let mut response = html(body);
        if self.flash.is_some() {
            let clear = set_cookie(FLASH_COOKIE, "", Some(0), self.state.config.secure_cookies);
            if let Ok(v) = clear.parse() {
                response.headers_mut().append(header::SET_COOKIE, v);
            }
        }
        Ok(response)
    }

    /// Re-renders a form with its errors, answering 400 so scripts and tests can tell.
    pub fn render_invalid(&self, template: &impl Template) -> WebResult<Response> {
        let mut response = self.render(template)?;
        *response.status_mut() = StatusCode::BAD_REQUEST;
        Ok(response)
    }

    /// Redirects after a successful POST, with a message for the next page.
    pub fn done(&self, to: &str, message: &str) -> Response {
        let cookie = set_cookie(
            FLASH_COOKIE,
            &urlencode(message),
            Some(60),
            self.state.config.secure_cookies,
        );
        (
            [(header::SET_COOKIE, cookie)],
            Redirect::to(&crate::middleware::location(to)),
        )
            .into_response()
    }
}

/// Field errors as a form shows them: next to each field and in a summary on top.
#[derive(Default, Clone)]
pub struct FormErrors {
    pub items: Vec<(String, String)>,
    pub general: Option<String>,
}

impl FormErrors {
    pub fn from_fields(lang: Lang, errors: &[FieldError]) -> Self {
        FormErrors {
            items: errors
                .iter()
                .map(|e| (e.field.clone(), e.invalid.message(lang)))
                .collect(),
            general: None,
        }
    }

    pub fn general(message: String) -> Self {
        FormErrors {
            items: Vec::new(),
            general: Some(message),
        }
    }

    /// Everything wrong in one line, for a form that shows a single message; `label`
    /// names a field in the user's language (or leaves it unnamed).
    pub fn sentence(self, label: impl Fn(&str) -> Option<&'static str>) -> String {
        self.general
            .into_iter()
            .chain(
                self.items
                    .into_iter()
                    .map(|(field, message)| match label(&field) {
                        Some(name) => format!("{name}: {message}"),
                        None => message,
                    }),
            )
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Turns a service error into form errors when the form can show it; other errors
    /// go on to the error page.
    pub fn from_error(lang: Lang, e: AppError) -> WebResult<Self> {
        match e {
            AppError::Validation(fields) => Ok(FormErrors::from_fields(lang, &fields)),
            AppError::VersionConflict
            | AppError::Conflict { .. }
            | AppError::BadRequest(_)
            | AppError::File(_)
            | AppError::PayloadTooLarge(_) => Ok(FormErrors::general(e.message(lang))),
            other => Err(WebError(other)),
        }
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.items
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }

    pub fn any(&self) -> bool {
        !self.items.is_empty() || self.general.is_some()
    }
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    page: Page,
    nothing: bool,
    /// Task lists with something in them: what, how many, where.
    counts: Vec<(&'static str, usize, String)>,
    items: Vec<tasks::WorkLine>,
    roles: Vec<(String, String)>,
    /// The account's unit has ended: what it says (its name, last day, who continues it).
    ended_unit: Option<String>,
}

/// What waits on the user among explanation requests, as the home page and the
/// dashboard list it: what, how many, where.
pub(crate) async fn explanation_counts(ctx: &Ctx) -> WebResult<Vec<(&'static str, usize, String)>> {
    let user = ctx.user()?;
    if !user.holds(Action::RequestExplanation) && !user.holds(Action::AnswerExplanation) {
        return Ok(Vec::new());
    }
    let lang = ctx.lang();
    let t = dxplan_app::explanations::tally(&ctx.state, user).await?;
    let counts = [
        (
            lang.pick(
                "Yêu cầu giải trình đơn vị cần trả lời",
                "Explanation requests to answer",
            ),
            t.to_answer,
            "/explanations?inbox=to_answer&status=awaiting",
        ),
        (
            lang.pick("Giải trình chờ bạn xem xét", "Explanations to read"),
            t.to_read,
            "/explanations?inbox=following&status=answered",
        ),
        (
            lang.pick(
                "Yêu cầu giải trình quá hạn chưa trả lời",
                "Explanation requests overdue",
            ),
            t.overdue,
            "/explanations?inbox=following&overdue=1",
        ),
    ];
    Ok(counts
        .into_iter()
        .filter(|(_, n, _)| *n > 0)
        .map(|(label, n, href)| (label, usize::try_from(n).unwrap_or(0), href.to_string()))
        .collect())
}

async fn home(ctx: Ctx) -> WebResult<Response> {
    let user = ctx.user()?;
    // A leader, who reads and acts on nothing, lands on the dashboard of their scope.
    let acts = [
        Action::EditUnitWork,
        Action::SubmitUnitWork,
        Action::ReviewWork,
        Action::ManagePlans,
        Action::ManageUnits,
        Action::ManageUsers,
        Action::Reorganise,
    ]
    .iter()
    .any(|a| user.holds(*a));
    if !acts && user.holds(Action::ViewWork) {
        return Ok(axum::response::Redirect::to("/dashboard").into_response());
    }
    let lang = ctx.lang();
    let today = ctx.state.today();
    let work = dxplan_app::work::my_work(&ctx.state, user, Default::default()).await?;
    let counts: Vec<(&str, usize, String)> = [
        (
            lang.pick("Nhiệm vụ chờ bạn thẩm định", "Tasks to review"),
            work.to_review.len(),
            "to-review",
        ),
        (
            lang.pick(
                "Đề nghị gia hạn chờ quyết định",
                "Extension requests to decide",
            ),
            work.extensions.len(),
            "extensions",
        ),
        (
            lang.pick("Nhiệm vụ chờ bạn gửi", "Tasks to submit"),
            work.to_submit.len(),
            "to-submit",
        ),
        (
            lang.pick(
                "Nhiệm vụ chưa báo cáo tiến độ",
                "Tasks without this month's report",
            ),
            work.to_report.len(),
            "to-report",
        ),
        (
            lang.pick("Nhiệm vụ quá hạn", "Overdue tasks"),
            work.overdue.len(),
            "overdue",
        ),
        (
            lang.pick("Nhiệm vụ đến hạn trong 14 ngày", "Tasks due within 14 days"),
            work.due_soon.len(),
            "due-soon",
        ),
    ]
    .into_iter()
    .filter(|(_, n, _)| *n > 0)
    .map(|(label, n, anchor)| (label, n, format!("/my-work#{anchor}")))
    .chain(explanation_counts(&ctx).await?)
    .collect();
    let account = dxplan_app::users::my_account(&ctx.state, user).await?;
    let roles = account
        .grants
        .iter()
        .map(|g| {
            let scope = g
                .unit_name
                .clone()
                .unwrap_or_else(|| lang.pick("Toàn hệ thống", "Whole system").to_string());
            (g.role.label(lang).to_string(), scope)
        })
        .collect();
    // An account left on a unit that has ended (one closed without a successor, or one
    // the reorganisation did not carry) acts for nobody: say so, and what to do.
    let ended_unit = account.ended_unit.and_then(|(unit, next)| {
        let end = unit.valid_to?;
        let next = next
            .iter()
            .map(|u| u.name.as_str())
            .collect::<Vec<_>>()
            .join("; ");
        let last = dxplan_domain::text::format_date(end);
        let name = &unit.name;
        Some(if next.is_empty() {
            lang.pick(
                format!("{name} đã kết thúc hoạt động sau ngày {last}. Đề nghị quản trị hệ thống chuyển tài khoản của bạn sang đơn vị mới."),
                format!("{name} ended after {last}. Ask the administrator to move your account to your new unit."),
            )
        } else {
            lang.pick(
                format!("{name} đã kết thúc hoạt động sau ngày {last}; công việc được tiếp tục tại {next}. Đề nghị quản trị hệ thống chuyển tài khoản của bạn sang đơn vị đó."),
                format!("{name} ended after {last}; its work goes on at {next}. Ask the administrator to move your account there."),
            )
        })
    });
    ctx.render(&HomePage {
        ended_unit,
        page: ctx.page("Trang chủ", "Home"),
        nothing: work.is_empty() && counts.is_empty(),
        counts,
        items: work
            .items
            .iter()
            .map(|i| tasks::WorkLine::new(i, lang, today))
            .collect(),
        roles,
    })
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    page: Page,
    status: u16,
    heading: String,
    message: String,
    details: Vec<String>,
}

impl ErrorPage {
    /// The friendly page for an error, in the user's language.
    pub fn render(
        _state: &AppState,
        lang: Lang,
        user: Option<CurrentUser>,
        status: StatusCode,
        error: &AppError,
    ) -> String {
        let heading = match status.as_u16() {
            403 => lang.pick("Không có quyền truy cập", "Access denied"),
            404 => lang.pick("Không tìm thấy trang", "Page not found"),
            429 => lang.pick("Quá nhiều yêu cầu", "Too many requests"),
            s if s >= 500 => lang.pick("Hệ thống đang gặp sự cố", "Something went wrong"),
            _ => lang.pick("Yêu cầu không hợp lệ", "Invalid request"),
        };
        let details = match error {
            AppError::Validation(fields) => fields
                .iter()
                .map(|f| format!("{}: {}", f.field, f.invalid.message(lang)))
                .collect(),
            AppError::ImportRejected(rows) => rows.iter().map(|r| r.message(lang)).collect(),
            AppError::PlanImport(problems) => problems.iter().map(|p| p.message(lang)).collect(),
            _ => Vec::new(),
        };
        let page = Page {
            lang,
            title: heading.to_string(),
            nav: nav_for(lang, user.as_ref(), ""),
            user,
            flash: None,
            path: "/".into(),
            unread: 0,
        };
        let view = ErrorPage {
            page,
            status: status.as_u16(),
            heading: heading.to_string(),
            message: error.message(lang),
            details,
        };
        view.render().unwrap_or_else(|_| error.message(lang))
    }
}
