//! Open data: the datasets the public may download without an account — plan progress by
//! task group and unit, approved indicator figures with targets, published index results —
//! each as CSV and JSON, and a DCAT-style catalogue describing them. Only approved or
//! published data is ever read (`store::open_data` reads nothing else).

use std::collections::BTreeMap;

use futures_util::Stream;
use serde::Serialize;
use serde_json::{Value, json};
use time::OffsetDateTime;

use dxplan_domain::Lang;
use dxplan_domain::task::{Outcome, TaskStatus};
use dxplan_store::open_data::{self, OpenValue};
use dxplan_store::{index_rounds, units};

use crate::App;
use crate::error::{AppError, AppResult};

/// The datasets, in the order the catalogue lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dataset {
    PlanProgress,
    IndicatorValues,
    IndexResults,
}

impl Dataset {
    pub const ALL: [Dataset; 3] = [
        Dataset::PlanProgress,
        Dataset::IndicatorValues,
        Dataset::IndexResults,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Dataset::PlanProgress => "plan-progress",
            Dataset::IndicatorValues => "indicator-values",
            Dataset::IndexResults => "index-results",
        }
    }

    pub fn parse(s: &str) -> Option<Dataset> {
        Dataset::ALL.into_iter().find(|d| d.id() == s)
    }

    pub fn title(self, lang: Lang) -> &'static str {
        match self {
            Dataset::PlanProgress => lang.pick(
                "Tiến độ kế hoạch chuyển đổi số theo nhóm nhiệm vụ và đơn vị",
                "Digital transformation plan progress by task group and unit",
            ),
            Dataset::IndicatorValues => lang.pick(
                "Số liệu chỉ tiêu chuyển đổi số đã được phê duyệt và chỉ tiêu giao",
                "Approved digital transformation indicator figures and targets",
            ),
            Dataset::IndexResults => lang.pick(
                "Kết quả đánh giá chỉ số chuyển đổi số đã công bố",
                "Published digital transformation index results",
            ),
        }
    }

    pub fn description(self, lang: Lang) -> &'static str {
        match self {
            Dataset::PlanProgress => lang.pick(
                "Số nhiệm vụ đã thống nhất của mỗi đơn vị trong mỗi nhóm nhiệm vụ, theo kết quả so với thời hạn (Quyết định 42/2014/QĐ-TTg), và tiến độ bình quân. Không gồm nhiệm vụ dự thảo hoặc đang chờ thẩm định.",
                "Agreed tasks of each unit in each task group by outcome against the deadline (Decision 42/2014/QĐ-TTg), and mean progress. Draft tasks and tasks awaiting review are not included.",
            ),
            Dataset::IndicatorValues => lang.pick(
                "Số liệu đã được Sở thẩm định và phê duyệt của từng chỉ tiêu, đơn vị và kỳ, kèm chỉ tiêu được giao. Số liệu nháp hoặc đang chờ duyệt không được công bố.",
                "Figures reviewed and approved for each indicator, unit and period, with the target set. Drafts and figures awaiting review are never published.",
            ),
            Dataset::IndexResults => lang.pick(
                "Điểm, chỉ số (thang 0–1) và thứ hạng của từng đơn vị trong các vòng đánh giá đã công bố, theo từng chỉ số chính.",
                "Points, index (0–1) and rank of each unit in published assessment rounds, by main index.",
            ),
        }
    }

    pub fn keywords(self) -> &'static [&'static str] {
        match self {
            Dataset::PlanProgress => &["chuyển đổi số", "kế hoạch", "nhiệm vụ", "tiến độ"],
            Dataset::IndicatorValues => &["chuyển đổi số", "chỉ tiêu", "số liệu thống kê"],
            Dataset::IndexResults => &["chuyển đổi số", "DTI", "xếp hạng", "chỉ số"],
        }
    }
}

/// The licence every dataset is published under.
pub const LICENSE: &str = "https://creativecommons.org/licenses/by/4.0/";

// ---------------------------------------------------------------- plan progress

#[derive(Debug, Clone, Default, Serialize)]
pub struct ProgressRow {
    pub year: i64,
    pub plan: String,
    pub group_code: String,
    pub group_name: String,
    pub unit_code: String,
    pub unit_name: String,
    pub tasks: u32,
    pub completed_on_time: u32,
    pub completed_late: u32,
    pub in_progress_within_deadline: u32,
    pub overdue: u32,
    pub mean_progress: f64,
}

pub async fn plan_progress(app: &App) -> AppResult<Vec<ProgressRow>> {
    let tasks = {
        let mut c = app.db.read().await?;
        open_data::committed_tasks(&mut c).await?
    };
    let today = app.today();
    let mut rows: BTreeMap<(i64, String, String, String), (ProgressRow, i64)> = BTreeMap::new();
    for t in tasks {
        let key = (
            t.plan_year,
            t.plan_title.clone(),
            t.group_code.clone().unwrap_or_default(),
            t.unit_code.clone(),
        );
        let (row, progress_sum) = rows.entry(key).or_insert_with(|| {
            (
                ProgressRow {
                    year: t.plan_year,
                    plan: t.plan_title.clone(),
                    group_code: t.group_code.clone().unwrap_or_default(),
                    group_name: t.group_name.clone().unwrap_or_default(),
                    unit_code: t.unit_code.clone(),
                    unit_name: t.unit_name.clone(),
                    ..ProgressRow::default()
                },
                0,
            )
        });
        let status = TaskStatus::parse(&t.status).unwrap_or(TaskStatus::Approved);
        row.tasks += 1;
        *progress_sum += t.progress;
        match Outcome::of(status, t.due_date, t.completed_on, today) {
            Outcome::CompletedOnTime => row.completed_on_time += 1,
            Outcome::CompletedLate => row.completed_late += 1,
            Outcome::NotCompletedWithinDeadline => row.in_progress_within_deadline += 1,
            Outcome::NotCompletedOverdue => row.overdue += 1,
            Outcome::Cancelled => {}
        }
    }
    Ok(rows
        .into_values()
        .map(|(mut row, sum)| {
            row.mean_progress = (sum as f64 / f64::from(row.tasks.max(1)) * 10.0).round() / 10.0;
            row
        })
        .collect())
}

// ---------------------------------------------------------------- index results

#[derive(Debug, Clone, Serialize)]
pub struct IndexRow {
    pub round: String,
    pub year: i64,
    pub framework: String,
    pub rank: usize,
    #[serde(skip)]
    pub unit_id: i64,
    /// The unit's code as it was when assessed (a code may be reused since).
    pub unit_code: String,
    pub unit: String,
    pub points: f64,
    pub max_points: f64,
    pub index: Option<f64>,
    /// Main index code → (points, 0–1 value).
    pub pillars: BTreeMap<String, (f64, Option<f64>)>,
}

pub async fn index_results(app: &App) -> AppResult<Vec<IndexRow>> {
    let mut out = Vec::new();
    for round in super::assessment::published_rounds(app).await? {
        let view = super::assessment::round_results(
            app,
            None,
            round.id,
            &super::assessment::ResultsQuery::default(),
        )
        .await?;
        for r in view.results {
            out.push(IndexRow {
                round: round.name.clone(),
                year: round.year,
                framework: round.framework_name.clone(),
                rank: r.rank,
                unit_id: r.unit_id,
                unit_code: String::new(),
                unit: r.unit_name,
                points: r.points,
                max_points: r.max,
                index: r.index,
                pillars: r
                    .pillars
                    .iter()
                    .map(|p| (format!("{} {}", p.code, p.name), (p.points, p.index)))
                    .collect(),
            });
        }
    }
    // The codes of every unit ranked, in one read.
    let mut unit_ids: Vec<i64> = out.iter().map(|r| r.unit_id).collect();
    unit_ids.sort_unstable();
    unit_ids.dedup();
    let codes: std::collections::HashMap<i64, String> = {
        let mut c = app.db.read().await?;
        dxplan_store::units::by_ids(&mut c, &unit_ids)
            .await?
            .into_iter()
            .map(|u| (u.id, u.code))
            .collect()
    };
    for row in &mut out {
        row.unit_code = codes.get(&row.unit_id).cloned().unwrap_or_default();
    }
    Ok(out)
}

// ---------------------------------------------------------------- downloads

/// CSV from rows of cells (formula-safe, `dxplan_report::csv_out`), with a byte-order
/// mark when the header starts the document.
fn csv_bytes(header: Option<&[String]>, rows: &[Vec<String>]) -> AppResult<Vec<u8>> {
    let records = header
        .map(<[String]>::to_vec)
        .into_iter()
        .chain(rows.iter().cloned());
    dxplan_report::csv_out::write(header.is_some(), records)
        .map_err(|e| AppError::internal(e.to_string()))
}

fn num(v: Option<f64>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// A small dataset as a whole document: CSV (with header) or JSON.
pub async fn small_dataset(
    app: &App,
    dataset: Dataset,
    format: &str,
) -> AppResult<(&'static str, Vec<u8>)> {
    let (header, rows, json): (Vec<String>, Vec<Vec<String>>, Value) = match dataset {
        Dataset::PlanProgress => {
            let rows = plan_progress(app).await?;
            let header = [
                "year",
                "plan",
                "group_code",
                "group_name",
                "unit_code",
                "unit_name",
                "tasks",
                "completed_on_time",
                "completed_late",
                "in_progress_within_deadline",
                "overdue",
                "mean_progress",
            ]
            .map(String::from)
            .to_vec();
            let cells = rows
                .iter()
                .map(|r| {
                    vec![
                        r.year.to_string(),
                        r.plan.clone(),
                        r.group_code.clone(),
                        r.group_name.clone(),
                        r.unit_code.clone(),
                        r.unit_name.clone(),
                        r.tasks.to_string(),
                        r.completed_on_time.to_string(),
                        r.completed_late.to_string(),
                        r.in_progress_within_deadline.to_string(),
                        r.overdue.to_string(),
                        r.mean_progress.to_string(),
                    ]
                })
                .collect();
            (header, cells, json!(rows))
        }
        Dataset::IndexResults => {
            let rows = index_results(app).await?;
            let header = [
                "round",
                "year",
                "framework",
                "rank",
                "unit_code",
                "unit",
                "points",
                "max_points",
                "index",
                "main_indices",
            ]
            .map(String::from)
            .to_vec();
            let cells = rows
                .iter()
                .map(|r| {
                    vec![
                        r.round.clone(),
                        r.year.to_string(),
                        r.framework.clone(),
                        r.rank.to_string(),
                        r.unit_code.clone(),
                        r.unit.clone(),
                        r.points.to_string(),
                        r.max_points.to_string(),
                        num(r.index),
                        r.pillars
                            .iter()
                            .map(|(k, (p, i))| format!("{k}: {p} ({})", num(*i)))
                            .collect::<Vec<_>>()
                            .join("; "),
                    ]
                })
                .collect();
            (header, cells, json!(rows))
        }
        Dataset::IndicatorValues => return Err(AppError::internal("streamed, not small")),
    };
    match format {
        "csv" => Ok(("text/csv; charset=utf-8", csv_bytes(Some(&header), &rows)?)),
        "json" => Ok((
            "application/json",
            serde_json::to_vec(&json!({ "dataset": dataset.id(), "items": json }))
                .map_err(|e| AppError::internal(e.to_string()))?,
        )),
        _ => Err(AppError::NotFound),
    }
}

const VALUE_HEADER: [&str; 10] = [
    "indicator_code",
    "indicator_name",
    "unit_of_measure",
    "unit_code",
    "unit_name",
    "period",
    "value",
    "numerator",
    "denominator",
    "target",
];

fn value_cells(v: &OpenValue) -> Vec<String> {
    vec![
        v.indicator_code.clone(),
        v.indicator_name.clone(),
        v.unit_of_measure.clone().unwrap_or_default(),
        v.unit_code.clone(),
        v.unit_name.clone(),
        v.period.clone(),
        v.value.to_string(),
        num(v.numerator),
        num(v.denominator),
        num(v.target),
    ]
}

/// Rows read from the database per page of a streamed download.
const PAGE: i64 = 5_000;

/// The chunks of a download streamed as it is read; an error cuts the download short.
pub type Chunks = std::pin::Pin<Box<dyn Stream<Item = std::io::Result<Vec<u8>>> + Send>>;

/// The approved figures, streamed page by page as CSV or JSON: millions of rows in
/// constant memory. Gives the content type and the chunks.
pub fn indicator_values_body(app: App, format: &str) -> AppResult<(&'static str, Chunks)> {
    let json = match format {
        "csv" => false,
        "json" => true,
        _ => return Err(AppError::NotFound),
    };
    // (the id to read after, first page, finished). Every page but the last is full, so
    // any item after the first page's first follows another: a comma before it.
    let stream =
        futures_util::stream::unfold((0i64, true, false), move |(after, first, finished)| {
            let app = app.clone();
            async move {
                if finished {
                    return None;
                }
                let page = match app.db.read().await {
                    Ok(mut c) => open_data::approved_values(&mut c, after, PAGE).await,
                    Err(e) => Err(e),
                };
                let page = match page {
                    Ok(page) => page,
                    // The response has begun: all that can be done is to cut it short.
                    Err(e) => {
                        return Some((
                            Err(std::io::Error::other(e.to_string())),
                            (after, first, true),
                        ));
                    }
                };
                let last = page.last().map_or(after, |v| v.id);
                let done = (page.len() as i64) < PAGE;
                let mut chunk = Vec::new();
                if json {
                    if first {
                        chunk.extend_from_slice(b"{\"dataset\":\"indicator-values\",\"items\":[");
                    }
                    for (i, v) in page.iter().enumerate() {
                        if !first || i > 0 {
                            chunk.push(b',');
                        }
                        if let Ok(bytes) = serde_json::to_vec(v) {
                            chunk.extend_from_slice(&bytes);
                        }
                    }
                    if done {
                        chunk.extend_from_slice(b"]}");
                    }
                } else {
                    let header: Vec<String> = VALUE_HEADER.map(String::from).to_vec();
                    let rows: Vec<Vec<String>> = page.iter().map(value_cells).collect();
                    match csv_bytes(first.then_some(header.as_slice()), &rows) {
                        Ok(bytes) => chunk = bytes,
                        Err(e) => {
                            return Some((
                                Err(std::io::Error::other(e.message(Lang::En))),
                                (after, first, true),
                            ));
                        }
                    }
                }
                Some((Ok(chunk), (last, false, done)))
            }
        });
    let content_type = if json {
        "application/json"
    } else {
        "text/csv; charset=utf-8"
    };
    Ok((content_type, Box::pin(stream)))
}

// ---------------------------------------------------------------- the catalogue

/// The DCAT-style catalogue (JSON-LD with the DCAT vocabulary).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Catalog {
    #[serde(rename = "@context")]
    pub context: &'static str,
    #[serde(rename = "@type")]
    pub kind: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    pub publisher: Organization,
    pub license: &'static str,
    pub homepage: String,
    pub dataset: Vec<CatalogDataset>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Organization {
    #[serde(rename = "@type")]
    pub kind: &'static str,
    pub name: String,
}

/// One dataset of the catalogue and its two distributions.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CatalogDataset {
    #[serde(rename = "@type")]
    pub kind: &'static str,
    pub identifier: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    pub keyword: Vec<&'static str>,
    pub publisher: Organization,
    pub license: &'static str,
    /// RFC 3339; none while the dataset is empty.
    pub modified: Option<String>,
    pub landing_page: String,
    pub distribution: Vec<Distribution>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Distribution {
    #[serde(rename = "@type")]
    pub kind: &'static str,
    pub title: &'static str,
    pub format: &'static str,
    #[serde(rename = "mediaType")]
    pub media_type: &'static str,
    #[serde(rename = "downloadURL")]
    pub download_url: String,
}

/// The DCAT-style catalogue: title, description, publisher, licence, when each dataset
/// last changed, and its distributions (CSV and JSON) at `base`.
pub async fn catalog(app: &App, base: &str, lang: Lang) -> AppResult<Catalog> {
    let (values_modified, tasks_modified, publisher) = {
        let mut c = app.db.read().await?;
        let (v, t) = open_data::modified(&mut c).await?;
        let root = units::valid_on(&mut c, app.today())
            .await?
            .into_iter()
            .find(|u| u.parent_id.is_none())
            .map(|u| u.name)
            .unwrap_or_else(|| "dxplan".into());
        (v, t, root)
    };
    let index_modified = {
        let mut c = app.db.read().await?;
        index_rounds::rounds(&mut c)
            .await?
            .into_iter()
            .filter_map(|r| r.published_at)
            .max()
    };
    let stamp = |t: Option<OffsetDateTime>| {
        t.and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
    };
    let organization = || Organization {
        kind: "foaf:Organization",
        name: publisher.clone(),
    };
    let distribution = |d: Dataset, format: &'static str, media_type: &'static str| Distribution {
        kind: "dcat:Distribution",
        title: format,
        format,
        media_type,
        download_url: format!(
            "{base}/open/datasets/{}.{}",
            d.id(),
            format.to_ascii_lowercase()
        ),
    };
    let dataset = Dataset::ALL
        .into_iter()
        .map(|d| {
            let modified = match d {
                Dataset::PlanProgress => stamp(tasks_modified),
                Dataset::IndicatorValues => stamp(values_modified),
                Dataset::IndexResults => stamp(index_modified),
            };
            CatalogDataset {
                kind: "dcat:Dataset",
                identifier: d.id(),
                title: d.title(lang),
                description: d.description(lang),
                keyword: d.keywords().to_vec(),
                publisher: organization(),
                license: LICENSE,
                modified,
                landing_page: format!("{base}/open#{}", d.id()),
                distribution: vec![
                    distribution(d, "CSV", "text/csv"),
                    distribution(d, "JSON", "application/json"),
                ],
            }
        })
        .collect();
    Ok(Catalog {
        context: "https://www.w3.org/ns/dcat.jsonld",
        kind: "dcat:Catalog",
        title: lang.pick("Dữ liệu mở về chuyển đổi số", "Digital transformation open data"),
        description: lang.pick(
            "Dữ liệu đã được phê duyệt, công bố của chương trình chuyển đổi số, tải về tự do theo giấy phép CC BY 4.0.",
            "Approved and published data of the digital transformation programme, free to download under CC BY 4.0.",
        ),
        publisher: organization(),
        license: LICENSE,
        homepage: format!("{base}/open"),
        dataset,
    })
}
