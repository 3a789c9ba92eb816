//! The open data area, for anyone: the dataset list, downloads and the catalogue.

use askama::Template;
use axum::Json;
use axum::extract::Path;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};

use super::{Ctx, Page};
use crate::error::{AppError, WebResult};
use dxplan_app::open_data::{self as svc, Dataset};

struct Entry {
    id: &'static str,
    title: &'static str,
    description: &'static str,
    modified: String,
}

#[derive(Template)]
#[template(path = "open.html")]
struct OpenPage {
    page: Page,
    datasets: Vec<Entry>,
    licence: &'static str,
}

/// Where links in the catalogue point: the configured public address, else this host.
fn base(ctx: &Ctx, headers: &HeaderMap) -> String {
    if let Some(url) = &ctx.state.settings.public_url {
        return url.trim_end_matches('/').to_string();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        })
        .unwrap_or("localhost");
    let scheme = if ctx.state.config.secure_cookies {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}")
}

/// `GET /open`: what can be downloaded, in plain words.
pub async fn home(ctx: Ctx, headers: HeaderMap) -> WebResult<Response> {
    let lang = ctx.lang();
    let catalog = svc::catalog(&ctx.state, &base(&ctx, &headers), lang).await?;
    let datasets = Dataset::ALL
        .into_iter()
        .zip(catalog.dataset)
        .map(|(d, entry)| Entry {
            id: d.id(),
            title: d.title(lang),
            description: d.description(lang),
            // The catalogue's stamp is RFC 3339 for machines; people read dd/mm/yyyy.
            modified: entry
                .modified
                .as_deref()
                .and_then(|m| m.get(..10))
                .and_then(dxplan_domain::text::parse_date)
                .map_or_else(|| "–".to_string(), dxplan_domain::text::format_date),
        })
        .collect();
    ctx.render(&OpenPage {
        page: ctx.page("Dữ liệu mở", "Open data"),
        datasets,
        licence: svc::LICENSE,
    })
}

#[utoipa::path(get, path = "/open/catalog.json", tag = "open",
    responses((status = 200, description = "The DCAT-style catalogue of the open datasets", body = svc::Catalog)))]
/// `GET /open/catalog.json`: the DCAT-style catalogue.
pub async fn catalog(ctx: Ctx, headers: HeaderMap) -> WebResult<Response> {
    let value = svc::catalog(&ctx.state, &base(&ctx, &headers), ctx.lang()).await?;
    Ok(Json(value).into_response())
}

#[utoipa::path(get, path = "/open/datasets/{file}", tag = "open",
    params(("file" = String, Path, description = "`plan-progress`, `indicator-values` or `index-results`, then `.csv` or `.json`")),
    responses((status = 200, description = "The dataset (indicator figures stream page by page)", content((String = "text/csv"), (Object = "application/json"))),
        (status = 404, description = "No such dataset or format", body = crate::openapi::ErrorBody)))]
/// `GET /open/datasets/{id}.{csv|json}`.
pub async fn dataset(ctx: Ctx, Path(file): Path<String>) -> WebResult<Response> {
    let (id, format) = file.rsplit_once('.').ok_or(AppError::NotFound)?;
    let dataset = Dataset::parse(id).ok_or(AppError::NotFound)?;
    let disposition = format!("inline; filename=\"{id}.{format}\"");
    match dataset {
        Dataset::IndicatorValues => {
            let (content_type, chunks) = svc::indicator_values_body(ctx.state.app.clone(), format)?;
            let body = axum::body::Body::from_stream(chunks);
            Ok((
                [
                    (header::CONTENT_TYPE, content_type.to_string()),
                    (header::CONTENT_DISPOSITION, disposition),
                ],
                body,
            )
                .into_response())
        }
        _ => {
            let (content_type, bytes) = svc::small_dataset(&ctx.state, dataset, format).await?;
            Ok((
                [
                    (header::CONTENT_TYPE, content_type.to_string()),
                    (header::CONTENT_DISPOSITION, disposition),
                ],
                bytes,
            )
                .into_response())
        }
    }
}

#[derive(Template)]
#[template(path = "api_docs.html")]
struct ApiDocsPage {
    page: Page,
    groups: Vec<(String, String, Vec<crate::openapi::Operation>)>,
}

/// `GET /api/docs`: the API reference, rendered here from the OpenAPI document.
pub async fn api_docs(ctx: Ctx) -> WebResult<Response> {
    ctx.render(&ApiDocsPage {
        page: ctx.page("Tài liệu API", "API reference"),
        groups: crate::openapi::reference(),
    })
}
