//! Index frameworks: their tree with maxima and rules, import, replace, copy, export.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path};
use axum::response::{IntoResponse, Response};

use super::super::{Ctx, FormErrors, Page};
use super::{home_page, may_manage_frameworks, num};
use crate::error::{AppError, WebError, WebResult};
use dxplan_app::index as frameworks;

// ---------------------------------------------------------------- frameworks

#[derive(Template)]
#[template(path = "framework.html")]
struct FrameworkPage {
    page: Page,
    v: frameworks::FrameworkView,
    rows: Vec<(usize, frameworks::CriterionView, String, String)>,
    total: String,
    may_manage: bool,
    in_use: bool,
}

/// `GET /assessments/frameworks/{id}`: the tree with computed maxima and each rule.
pub async fn framework(ctx: Ctx, Path(id): Path<i64>) -> WebResult<Response> {
    let user = ctx.user()?;
    let v = frameworks::framework(&ctx.state, user, id).await?;
    let depth = |code: &str| {
        let mut d = 0;
        let mut at = v.criteria.iter().find(|c| c.code == code);
        while let Some(p) = at.and_then(|c| c.parent.as_deref()) {
            d += 1;
            at = v.criteria.iter().find(|c| c.code == p);
            if d > v.criteria.len() {
                break;
            }
        }
        d
    };
    let rows = v
        .criteria
        .iter()
        .map(|c| {
            (
                depth(&c.code),
                c.clone(),
                num(c.max_points),
                c.rule
                    .as_ref()
                    .map(|r| r.describe(c.max_points))
                    .unwrap_or_default(),
            )
        })
        .collect();
    let mut page = ctx.page("Bộ chỉ số", "Framework");
    page.title = v.framework.name.clone();
    let in_use = frameworks::framework_in_use(&ctx.state, user, id).await?;
    ctx.render(&FrameworkPage {
        in_use,
        page,
        total: num(v.max_points),
        rows,
        may_manage: may_manage_frameworks(&ctx).await?,
        v,
    })
}

/// `POST /assessments/frameworks/import`: a framework from its JSON or annex workbook.
pub async fn import_framework(ctx: Ctx, multipart: Multipart) -> WebResult<Response> {
    let caller = ctx.caller()?;
    frameworks::require_frameworks(&ctx.state, &caller).await?;
    let result = match read_import(multipart).await {
        Ok((name, bytes, meta)) => {
            frameworks::import_framework(&ctx.state, &caller, &name, &bytes, &meta).await
        }
        Err(e) => Err(e.0),
    };
    match result {
        Ok(view) => Ok(ctx.done(
            &format!("/assessments/frameworks/{}", view.framework.id),
            &ctx.lang().pick(
                format!("Đã nhập bộ chỉ số “{}”.", view.framework.name),
                format!("Framework “{}” imported.", view.framework.name),
            ),
        )),
        Err(e) => {
            let errors = match e {
                AppError::Validation(fields) => FormErrors::from_fields(ctx.lang(), &fields),
                other => FormErrors::from_error(ctx.lang(), other)?,
            };
            let view = home_page(&ctx, errors, HashMap::new()).await?;
            ctx.render_invalid(&view)
        }
    }
}

/// The file and the code, name, year and unit kinds typed beside it.
async fn read_import(
    mut multipart: Multipart,
) -> WebResult<(String, Vec<u8>, frameworks::ImportMeta)> {
    let mut meta = frameworks::ImportMeta::default();
    let mut file = None;
    while let Some(mut field) = multipart
        .next_field()
        .await
        .map_err(|e| AppError::BadRequest(e.body_text()))?
    {
        let name = field.name().unwrap_or_default().to_string();
        if field.file_name().is_some() || name == "file" {
            let filename = field.file_name().unwrap_or_default().to_string();
            let mut bytes = Vec::new();
            while let Some(chunk) = field
                .chunk()
                .await
                .map_err(|e| crate::upload::multipart_error(e, crate::upload::WORKBOOK_BYTES))?
            {
                if bytes.len() + chunk.len() > crate::upload::WORKBOOK_BYTES {
                    return Err(WebError(AppError::PayloadTooLarge(Some(
                        crate::upload::WORKBOOK_BYTES as u64,
                    ))));
                }
                bytes.extend_from_slice(&chunk);
            }
            file = Some((filename, bytes));
            continue;
        }
        let value = field
            .text()
            .await
            .map_err(|e| AppError::BadRequest(e.body_text()))?;
        let value = Some(value.trim().to_string()).filter(|v| !v.is_empty());
        match name.as_str() {
            "code" => meta.code = value,
            "name" => meta.name = value,
            "year" => meta.year = value.and_then(|v| v.parse().ok()),
            "unit_kinds" => meta.unit_kinds = value,
            _ => {}
        }
    }
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return Err(WebError(AppError::field(
            "file",
            dxplan_domain::Invalid::Required,
        )));
    };
    Ok((name, bytes, meta))
}

/// `POST /assessments/frameworks/{id}/replace`: the framework changed from an edited copy
/// of its workbook, while no round uses it.
pub async fn replace_framework(
    ctx: Ctx,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    frameworks::require_frameworks(&ctx.state, &caller).await?;
    let result = match read_import(multipart).await {
        Ok((name, bytes, meta)) => {
            frameworks::replace_from_file(&ctx.state, &caller, id, &name, &bytes, &meta).await
        }
        Err(e) => Err(e.0),
    };
    match result {
        Ok(view) => Ok(ctx.done(
            &format!("/assessments/frameworks/{id}"),
            &ctx.lang().pick(
                format!("Đã cập nhật bộ chỉ số ({} tiêu chí).", view.criteria.len()),
                format!("Framework updated ({} criteria).", view.criteria.len()),
            ),
        )),
        Err(e) => {
            let message = FormErrors::from_error(ctx.lang(), e)?.sentence(|_| None);
            Ok(ctx.done(&format!("/assessments/frameworks/{id}"), &message))
        }
    }
}

/// `POST /assessments/frameworks/{id}/copy`.
pub async fn copy_framework(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    let caller = ctx.caller()?;
    let input = frameworks::CopyInput {
        code: form.get("code").cloned().unwrap_or_default(),
        name: form.get("name").cloned().unwrap_or_default(),
        year: form
            .get("year")
            .and_then(|y| y.trim().parse().ok())
            .unwrap_or_default(),
    };
    match frameworks::copy_framework(&ctx.state, &caller, id, &input).await {
        Ok(view) => Ok(ctx.done(
            &format!("/assessments/frameworks/{}", view.framework.id),
            ctx.lang()
                .pick("Đã sao chép bộ chỉ số.", "Framework copied."),
        )),
        Err(e) => {
            let message = FormErrors::from_error(ctx.lang(), e)?.sentence(|_| None);
            Ok(ctx.done(&format!("/assessments/frameworks/{id}"), &message))
        }
    }
}

/// `GET /assessments/frameworks/{id}/export.{json,xlsx}`.
pub async fn export_framework(ctx: Ctx, Path(id): Path<i64>, ext: &str) -> WebResult<Response> {
    let user = ctx.user()?;
    (match ext {
        "json" => {
            let value = frameworks::export_framework(&ctx.state, user, id).await?;
            let name = format!("{}.json", value["code"].as_str().unwrap_or("bo-chi-so"));
            let body =
                serde_json::to_vec_pretty(&value).map_err(|e| AppError::internal(e.to_string()))?;
            Ok(crate::http::download("application/json", &name, body))
        }
        "xlsx" => {
            let (name, bytes) = frameworks::framework_xlsx(&ctx.state, user, id).await?;
            Ok(crate::http::download(
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                &name,
                bytes,
            ))
        }
        _ => Err(AppError::NotFound),
    }
    .map(IntoResponse::into_response))
    .map_err(WebError::from)
}
