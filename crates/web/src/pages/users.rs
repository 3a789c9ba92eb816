//! Accounts and roles (admins), and the audit log.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query};
use axum::response::Response;
use base64::Engine;
use dxplan_app::audit::{AuditEvent, AuditSearch};
use dxplan_app::users::{GrantRow, User};
use dxplan_domain::auth::{Action, Role, Target};
use serde::Deserialize;

use super::{Ctx, FormErrors, Page};
use crate::error::{AppError, WebError, WebResult};
use crate::format;
use crate::http::audit_query::AuditQuery;
use crate::middleware::urlencode;
use dxplan_app::AppResult;
use dxplan_app::{self as service, NewUserInput, UserPatch};

pub struct UserRow {
    pub user: User,
    pub unit: String,
    pub roles: Vec<String>,
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    page: Page,
    rows: Vec<UserRow>,
    q: String,
    next: Option<String>,
    can_create: bool,
}

#[derive(Deserialize)]
pub struct ListQuery {
    q: Option<String>,
    after: Option<String>,
}

fn cursor_encode(key: &str, id: i64) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{id}:{key}"))
}

fn cursor_decode(s: &str) -> Option<(String, i64)> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s)
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (id, key) = text.split_once(':')?;
    Some((key.to_string(), id.parse().ok()?))
}

fn role_label(ctx: &Ctx, g: &GrantRow) -> String {
    let scope = g
        .unit_name
        .clone()
        .unwrap_or_else(|| ctx.lang().pick("toàn hệ thống", "whole system").to_string());
    format!("{} — {scope}", g.role.label(ctx.lang()))
}

pub async fn list(ctx: Ctx, Query(q): Query<ListQuery>) -> WebResult<Response> {
    let user = ctx.user()?;
    let page = service::users::list_users(
        &ctx.state,
        user,
        q.q.clone(),
        q.after.as_deref().and_then(cursor_decode),
        25,
    )
    .await?;
    let rows = page
        .users
        .iter()
        .map(|u| UserRow {
            unit: page.unit_name(&u.user).unwrap_or_default().to_string(),
            roles: u.grants.iter().map(|g| role_label(&ctx, g)).collect(),
            user: u.user.clone(),
        })
        .collect();
    let next = page.next.map(|(k, id)| {
        format!(
            "/users?q={}&after={}",
            urlencode(q.q.as_deref().unwrap_or_default()),
            cursor_encode(&k, id)
        )
    });
    ctx.render(&UsersPage {
        page: ctx.page("Người dùng", "Users"),
        rows,
        q: q.q.unwrap_or_default(),
        next,
        can_create: user.is_system_admin(),
    })
}

#[derive(Template)]
#[template(path = "user_new.html")]
struct NewUserPage {
    page: Page,
    form: NewUserForm,
    roles: Vec<(&'static str, &'static str)>,
    errors: FormErrors,
    /// The units the unit fields offer, by name.
    unit_choices: Vec<String>,
}

/// The units an administrator's unit fields offer: every unit standing today, by name.
async fn unit_names(ctx: &Ctx) -> WebResult<Vec<String>> {
    let user = ctx.user()?;
    (dxplan_app::pickers::unit_choices(&ctx.state, user, Action::ManageUsers, ctx.state.today())
        .await)
        .map_err(WebError::from)
}

#[derive(Default, Deserialize)]
pub struct NewUserForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    unit_code: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    role_unit_code: String,
}

fn roles(ctx: &Ctx) -> Vec<(&'static str, &'static str)> {
    Role::ALL
        .iter()
        .map(|r| (r.as_str(), r.label(ctx.lang())))
        .collect()
}

pub async fn new_page(ctx: Ctx) -> WebResult<Response> {
    ctx.user()?.require(Action::ManageUsers, Target::System)?;
    ctx.render(&NewUserPage {
        page: ctx.page("Thêm người dùng", "New user"),
        form: NewUserForm::default(),
        roles: roles(&ctx),
        errors: FormErrors::default(),
        unit_choices: unit_names(&ctx).await?,
    })
}

pub async fn create(ctx: Ctx, Form(form): Form<NewUserForm>) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let opt = |s: &str| Some(s.to_string()).filter(|s| !s.trim().is_empty());
    let input = NewUserInput {
        username: form.username.clone(),
        display_name: form.display_name.clone(),
        email: opt(&form.email),
        unit_code: opt(&form.unit_code),
        password: form.password.clone(),
        role: opt(&form.role),
        role_unit_code: opt(&form.role_unit_code),
    };
    match service::create_user(&ctx.state, &caller, &input).await {
        Ok(user) => Ok(ctx.done(
            &format!("/users/{}", user.id),
            &ctx.lang().pick(
                format!("Đã tạo tài khoản {}.", user.username),
                format!("Account {} created.", user.username),
            ),
        )),
        Err(e) => {
            let errors = FormErrors::from_error(ctx.lang(), e)?;
            let form = NewUserForm {
                password: String::new(),
                ..form
            };
            ctx.render_invalid(&NewUserPage {
                page: ctx.page("Thêm người dùng", "New user"),
                form,
                roles: roles(&ctx),
                errors,
                unit_choices: unit_names(&ctx).await?,
            })
        }
    }
}

#[derive(Template)]
#[template(path = "user.html")]
struct UserPage {
    page: Page,
    account: User,
    unit_code: String,
    unit_name: String,
    grants: Vec<(GrantRow, String)>,
    roles: Vec<(&'static str, &'static str)>,
    can_manage: bool,
    errors: FormErrors,
    created: String,
    unit_choices: Vec<String>,
}

async fn user_page(ctx: &Ctx, id: i64, errors: FormErrors) -> WebResult<UserPage> {
    let viewer = ctx.user()?;
    let service::users::Account {
        user: account,
        grants,
        unit,
    } = service::users::visible_user(&ctx.state, viewer, id).await?;
    let unit_choices = if viewer.holds(Action::ManageUsers) {
        unit_names(ctx).await?
    } else {
        Vec::new()
    };
    Ok(UserPage {
        unit_choices,
        page: ctx.page(&account.display_name, &account.display_name),
        unit_code: unit.as_ref().map(|u| u.code.clone()).unwrap_or_default(),
        unit_name: unit.map(|u| u.name).unwrap_or_default(),
        grants: grants
            .into_iter()
            .map(|g| {
                let label = role_label(ctx, &g);
                (g, label)
            })
            .collect(),
        roles: roles(ctx),
        can_manage: viewer.is_system_admin(),
        errors,
        created: format::datetime(&account.created_at),
        account,
    })
}

pub async fn show(ctx: Ctx, Path(id): Path<i64>) -> WebResult<Response> {
    let view = user_page(&ctx, id, FormErrors::default()).await?;
    ctx.render(&view)
}

#[derive(Deserialize)]
pub struct ProfileForm {
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    unit_code: String,
    #[serde(default)]
    active: Option<String>,
    version: Option<i64>,
}

pub async fn update(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<ProfileForm>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let patch = UserPatch {
        display_name: Some(form.display_name),
        email: Some(form.email),
        phone: Some(form.phone),
        unit_code: Some(form.unit_code),
        active: Some(form.active.is_some()),
        version: form.version,
    };
    redirect_or_errors(
        &ctx,
        id,
        service::update_user(&ctx.state, &caller, id, &patch)
            .await
            .map(|_| ()),
        ("Đã lưu tài khoản.", "Account saved."),
    )
    .await
}

async fn redirect_or_errors(
    ctx: &Ctx,
    id: i64,
    result: AppResult<()>,
    message: (&str, &str),
) -> WebResult<Response> {
    match result {
        Ok(()) => Ok(ctx.done(
            &format!("/users/{id}"),
            ctx.lang().pick(message.0, message.1),
        )),
        Err(e) => {
            let errors = FormErrors::from_error(ctx.lang(), e)?;
            let view = user_page(ctx, id, errors).await?;
            ctx.render_invalid(&view)
        }
    }
}

#[derive(Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    password: String,
}

pub async fn reset_password(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<ResetForm>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    match service::reset_password(&ctx.state, &caller, id, &form.password).await {
        Ok(changed) => Ok(ctx.done(&format!("/users/{id}"), &changed.message(ctx.lang()))),
        Err(e) => redirect_or_errors(&ctx, id, Err(e), ("", "")).await,
    }
}

#[derive(Deserialize)]
pub struct GrantForm {
    #[serde(default)]
    role: String,
    #[serde(default)]
    unit_code: String,
}

pub async fn grant(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<GrantForm>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let unit = Some(form.unit_code.as_str()).filter(|c| !c.trim().is_empty());
    let result = service::grant_role(&ctx.state, &caller, id, &form.role, unit)
        .await
        .map(|_| ());
    redirect_or_errors(&ctx, id, result, ("Đã cấp quyền.", "Role granted.")).await
}

pub async fn revoke(ctx: Ctx, Path((id, grant_id)): Path<(i64, i64)>) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let result = service::revoke_role(&ctx.state, &caller, id, grant_id).await;
    redirect_or_errors(&ctx, id, result, ("Đã thu hồi quyền.", "Role revoked.")).await
}

pub struct AuditRow {
    pub event: AuditEvent,
    pub at: String,
    pub action: &'static str,
    pub entity: &'static str,
}

/// Plain words for the recorded actions; unknown ones show their code.
fn action_label(action: &str, lang: dxplan_domain::Lang) -> &'static str {
    let (vi, en) = match action {
        "auth.login" => ("Đăng nhập", "Logged in"),
        "auth.login_failed" => ("Đăng nhập không thành công", "Failed login"),
        "auth.logout" => ("Đăng xuất", "Logged out"),
        "user.create" => ("Tạo tài khoản", "Created an account"),
        "user.update" => ("Sửa tài khoản", "Edited an account"),
        "user.disable" => ("Khoá tài khoản", "Disabled an account"),
        "user.enable" => ("Mở khoá tài khoản", "Enabled an account"),
        "user.password_reset" => ("Đặt lại mật khẩu", "Reset a password"),
        "user.password_change" => ("Đổi mật khẩu", "Changed own password"),
        "user.grant" => ("Cấp vai trò", "Granted a role"),
        "user.revoke" => ("Thu hồi vai trò", "Revoked a role"),
        "unit.create" => ("Thêm đơn vị", "Created a unit"),
        "unit.update" => ("Sửa đơn vị", "Edited a unit"),
        "unit.move" => ("Chuyển đơn vị", "Moved a unit"),
        "unit.retire" => ("Cho đơn vị hết hiệu lực", "Retired a unit"),
        "unit.import" => ("Nhập đơn vị từ tệp", "Imported units"),
        "unit.issuer" => (
            "Sửa thể thức văn bản của đơn vị",
            "Edited a unit's letterhead",
        ),
        "user.email_pref" => ("Đổi cách nhận thư thông báo", "Changed e-mail preference"),
        "token.create" => ("Tạo mã truy cập API", "Created an API token"),
        "token.revoke" => ("Thu hồi mã truy cập API", "Revoked an API token"),
        "display.create" => ("Tạo đường dẫn màn hình", "Made a wall link"),
        "display.revoke" => ("Thu hồi đường dẫn màn hình", "Revoked a wall link"),
        "webhook.create" => ("Thêm kết nối", "Added a webhook"),
        "webhook.remove" => ("Gỡ kết nối", "Removed a webhook"),
        "dhis2.mappings" => ("Sửa ánh xạ DHIS2", "Edited DHIS2 mappings"),
        "plan.create" => ("Tạo kế hoạch", "Created a plan"),
        "plan.update" => ("Sửa kế hoạch", "Edited a plan"),
        "plan.import" => ("Nhập phụ lục kế hoạch", "Imported a plan appendix"),
        "group.create" => ("Thêm nhóm nhiệm vụ", "Added a task group"),
        "group.update" => ("Sửa nhóm nhiệm vụ", "Edited a task group"),
        "task.create" => ("Thêm nhiệm vụ", "Created a task"),
        "task.update" => ("Sửa nhiệm vụ", "Edited a task"),
        "task.criteria" => ("Sửa tiêu chí hoàn thành", "Edited completion criteria"),
        "task.report" => ("Báo cáo tiến độ", "Reported progress"),
        "task.attach" => ("Đính kèm tệp vào nhiệm vụ", "Attached a file to a task"),
        "task.submit" => ("Gửi thẩm định nhiệm vụ", "Submitted a task"),
        "task.approve" => ("Thống nhất nhiệm vụ", "Approved a task"),
        "task.request_changes" => ("Yêu cầu chỉnh sửa nhiệm vụ", "Asked for changes"),
        "task.start" => ("Bắt đầu thực hiện nhiệm vụ", "Started a task"),
        "task.complete" => ("Báo cáo hoàn thành nhiệm vụ", "Completed a task"),
        "task.cancel" => ("Huỷ nhiệm vụ", "Cancelled a task"),
        "task.extension_request" => ("Đề nghị gia hạn", "Asked for more time"),
        "task.extension_approve" => ("Đồng ý gia hạn", "Granted more time"),
        "task.extension_refuse" => ("Không đồng ý gia hạn", "Refused more time"),
        "indicator.create" => ("Thêm chỉ tiêu", "Created an indicator"),
        "indicator.update" => ("Sửa chỉ tiêu", "Edited an indicator"),
        "form.create" => ("Tạo biểu mẫu báo cáo", "Created a reporting form"),
        "target.set" => ("Giao chỉ tiêu", "Set targets"),
        "target.copy" => ("Chép chỉ tiêu năm trước", "Copied last year's targets"),
        "target.split" => ("Phân bổ chỉ tiêu", "Split a target"),
        "data.save" => ("Lưu số liệu", "Saved figures"),
        "data.submit" => ("Gửi số liệu", "Submitted figures"),
        "data.approve" => ("Duyệt số liệu", "Approved figures"),
        "data.reject" => ("Trả lại số liệu", "Returned figures"),
        "data.attach" => (
            "Đính kèm minh chứng số liệu",
            "Attached evidence to a figure",
        ),
        "data.remind" => ("Nhắc báo cáo số liệu", "Sent a reminder"),
        "index_framework.create" => ("Tạo bộ chỉ số", "Created an index framework"),
        "index_framework.update" => ("Sửa bộ chỉ số", "Edited an index framework"),
        "index_round.open" => ("Mở đợt đánh giá", "Opened an assessment round"),
        "index_round.publish" => ("Công bố kết quả đánh giá", "Published results"),
        "assessment.save" => ("Lưu bản tự đánh giá", "Saved a self-assessment"),
        "assessment.evidence" => ("Thêm minh chứng đánh giá", "Added assessment evidence"),
        "assessment.submit" => ("Gửi bản tự đánh giá", "Submitted a self-assessment"),
        "assessment.reopen" => ("Mở lại bản tự đánh giá", "Reopened a self-assessment"),
        "assessment.finalize" => ("Chốt kết quả thẩm định", "Closed verification"),
        "assessment.verify.accepted" => ("Thẩm định: giữ điểm", "Verified: points kept"),
        "assessment.verify.adjusted" => ("Thẩm định: điều chỉnh điểm", "Verified: points adjusted"),
        "assessment.respond" => ("Giải trình kết quả thẩm định", "Responded to verification"),
        "assessment.correct" => ("Đính chính kết quả", "Corrected a result"),
        "reorg.create" => ("Lập phương án sắp xếp", "Prepared a reorganisation"),
        "reorg.apply" => ("Áp dụng phương án sắp xếp", "Applied a reorganisation"),
        "reorg.undo" => ("Hoàn tác phương án sắp xếp", "Undid a reorganisation"),
        _ => ("", ""),
    };
    lang.pick(vi, en)
}

fn entity_label(entity_type: &str, lang: dxplan_domain::Lang) -> &'static str {
    match entity_type {
        "user" => lang.pick("Tài khoản", "Account"),
        "unit" => lang.pick("Đơn vị", "Unit"),
        "api_token" => lang.pick("Mã truy cập API", "API token"),
        "wall_display" => lang.pick("Màn hình", "Wall screen"),
        "webhook" => lang.pick("Kết nối", "Webhook"),
        "dhis2_mapping" => lang.pick("Ánh xạ DHIS2", "DHIS2 mapping"),
        "plan" => lang.pick("Kế hoạch", "Plan"),
        "task_group" => lang.pick("Nhóm nhiệm vụ", "Task group"),
        "task" => lang.pick("Nhiệm vụ", "Task"),
        "indicator" => lang.pick("Chỉ tiêu", "Indicator"),
        "form" => lang.pick("Biểu mẫu", "Form"),
        "target" => lang.pick("Chỉ tiêu được giao", "Target"),
        "data_value" => lang.pick("Số liệu", "Figure"),
        "index_framework" => lang.pick("Bộ chỉ số", "Index framework"),
        "index_round" => lang.pick("Đợt đánh giá", "Assessment round"),
        "index_assessment" => lang.pick("Bản tự đánh giá", "Self-assessment"),
        "reorg_change" => lang.pick("Phương án sắp xếp", "Reorganisation"),
        _ => "",
    }
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    page: Page,
    rows: Vec<AuditRow>,
    /// (label, code) for the filter.
    actions: Vec<(String, String)>,
    query: AuditQueryView,
    next: Option<String>,
    error: Option<String>,
}

#[derive(Default)]
pub struct AuditQueryView {
    actor: String,
    action: String,
    entity_type: String,
    entity_id: String,
    from: String,
    to: String,
}

pub async fn audit(ctx: Ctx, Query(query): Query<AuditQuery>) -> WebResult<Response> {
    ctx.user()?.require(Action::ViewAudit, Target::System)?;
    let s = |v: &Option<String>| v.clone().unwrap_or_default();
    let view = AuditQueryView {
        actor: s(&query.actor),
        action: s(&query.action),
        entity_type: s(&query.entity_type),
        entity_id: s(&query.entity_id),
        from: s(&query.from),
        to: s(&query.to),
    };
    let user = ctx.user()?;
    let actions = service::audit::actions(&ctx.state, user)
        .await?
        .into_iter()
        .map(|a| {
            let label = action_label(&a, ctx.lang());
            (
                if label.is_empty() {
                    a.clone()
                } else {
                    label.to_string()
                },
                a,
            )
        })
        .collect();
    let found = match query.search() {
        Ok(search) => {
            let search = AuditSearch {
                limit: 50,
                ..search
            };
            service::audit::search(&ctx.state, user, &search).await
        }
        Err(e) => Err(e),
    };
    let (page, error) = match found {
        Ok(page) => (Some(page), None),
        Err(AppError::Validation(fields)) => (
            None,
            fields
                .first()
                .map(|f| format!("{}: {}", f.field, f.invalid.message(ctx.lang()))),
        ),
        Err(e) => return Err(e.into()),
    };
    let (rows, next) = match page {
        Some(page) => {
            let next = page.next_before_id.map(|before| {
                let pairs = [
                    ("actor", view.actor.as_str()),
                    ("action", view.action.as_str()),
                    ("entity_type", view.entity_type.as_str()),
                    ("entity_id", view.entity_id.as_str()),
                    ("from", view.from.as_str()),
                    ("to", view.to.as_str()),
                ];
                let qs = serde_urlencoded::to_string(pairs).unwrap_or_default();
                format!("/audit?{qs}&before={before}")
            });
            let rows = page
                .events
                .into_iter()
                .map(|event| AuditRow {
                    at: format::datetime(&event.at),
                    action: action_label(&event.action, ctx.lang()),
                    entity: entity_label(&event.entity_type, ctx.lang()),
                    event,
                })
                .collect();
            (rows, next)
        }
        None => (Vec::new(), None),
    };
    ctx.render(&AuditPage {
        page: ctx.page("Nhật ký hệ thống", "Audit log"),
        rows,
        actions,
        query: view,
        next,
        error,
    })
}
