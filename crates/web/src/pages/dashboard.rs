//! The operations centre: the dashboard home and its wall-screen mode. Every chart is
//! SVG drawn on the server from the dashboard's view data, with a table beside it.

use askama::Template;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Response};

use dxplan_domain::dashboard::Dashboard;
use dxplan_domain::indicator::AttainmentStatus;
use dxplan_domain::text::format_number;
use dxplan_report::dashboard_charts::{
    DashboardCharts, Figure, IndicatorCard, dashboard_charts, heat_pages, indicator_chart, pct,
    task_link,
};

use super::{Ctx, Page};
use crate::error::{AppError, WebResult};
use crate::session::CurrentUser;
use dxplan_app::dashboard::{self as svc, DashboardQuery};
use dxplan_app::{displays, exports};

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage<'a> {
    page: Page,
    d: &'a Dashboard,
    charts: DashboardCharts,
    cards: Vec<IndicatorCard<'a>>,
    query: String,
    /// The units furthest behind, slowest first: the heat map's message, as a phone's list.
    slowest: Vec<&'a dxplan_domain::dashboard::UnitRow>,
    /// Whether the user may give a wall screen its own link.
    may_issue_displays: bool,
    /// The periods of the year the filter offers (stored form, label): quarters, then months.
    period_choices: Vec<(String, String)>,
    /// Days before a deadline from which a task shows as due soon.
    due_soon_days: u8,
    /// What waits on the reader among explanation requests (the leader's home is here).
    waiting: Vec<(&'static str, usize, String)>,
}

/// The dashboard on the operations centre's wall: one panel a screen, in turn; long panels
/// in pages; type read from across the room; no filters, links to documents or way out.
#[derive(Template)]
#[template(path = "wall.html")]
struct WallPage<'a> {
    page: Page,
    d: &'a Dashboard,
    charts: DashboardCharts,
    heat: Vec<Figure>,
    /// Key indicators, six a screen (figures only: no trend chart is read across a room).
    card_pages: Vec<&'a [dxplan_domain::dashboard::KeyIndicator]>,
    /// Latest obstacles, six a screen.
    obstacle_pages: Vec<&'a [dxplan_domain::dashboard::Obstacle]>,
    /// When these figures were read, local time.
    updated: String,
    /// The clock as the page was made (the script keeps it going).
    clock: String,
}

/// Indicator cards a wall screen holds (two rows of three).
const CARDS_PER_WALL_PAGE: usize = 6;
/// Obstacle reports a wall screen holds (three rows of two).
const OBSTACLES_PER_WALL_PAGE: usize = 6;

macro_rules! dashboard_helpers {
    ($page:ident) => {
        impl $page<'_> {
            // Templates pass fields by reference and method results by value: take both.
            fn pct(&self, v: impl std::borrow::Borrow<Option<f64>>) -> String {
                pct(*v.borrow())
            }

            fn num(&self, v: impl std::borrow::Borrow<Option<f64>>) -> String {
                v.borrow()
                    .map(|v| format_number(v, 2))
                    .unwrap_or_else(|| "–".into())
            }

            /// What the indicators are read for: the chosen quarter or month, else the year.
            fn indicator_period(&self) -> String {
                self.d
                    .period
                    .unwrap_or(dxplan_domain::period::Period::Year(self.d.year))
                    .label(self.page.lang)
            }

            /// A reporting period as people write it ("Quý IV/2026"), from its stored form.
            fn period_label(&self, stored: &str) -> String {
                dxplan_domain::period::Period::parse(stored)
                    .map_or_else(|| stored.to_string(), |p| p.label(self.page.lang))
            }

            fn attainment_label(&self, status: &AttainmentStatus) -> &'static str {
                status.label(self.page.lang)
            }

            fn forecast_label(&self, i: &dxplan_domain::dashboard::KeyIndicator) -> &'static str {
                i.forecast.label(self.page.lang)
            }

            fn forecast_explain(&self, i: &dxplan_domain::dashboard::KeyIndicator) -> String {
                i.forecast.explain(self.page.lang, i.period_type)
            }
        }
    };
}
dashboard_helpers!(DashboardPage);
dashboard_helpers!(WallPage);

/// Every status but the cancelled, and every unfinished one, as a task list's filter.
const LIVE_STATUSES: &str = "draft,submitted,changes_requested,approved,in_progress,completed";
const OPEN_STATUSES: &str = "draft,submitted,changes_requested,approved,in_progress";

/// A tile of counts: the number, its words, the list behind it and its colour.
struct Tile {
    number: u32,
    label: String,
    link: String,
    class: &'static str,
}

impl DashboardPage<'_> {
    fn tasks_link(&self, extra: &str) -> String {
        task_link(self.d, extra)
    }

    /// The buckets of the national task reports, then the key tasks, each a link to the
    /// list it counts.
    fn national_tiles(&self) -> Vec<Tile> {
        use dxplan_domain::task::NationalBucket;
        let lang = self.page.lang;
        let t = &self.d.overall;
        let mut tiles: Vec<Tile> = NationalBucket::ALL
            .iter()
            .map(|&bucket| Tile {
                number: t.national(bucket),
                label: bucket.label(lang).to_lowercase(),
                link: self.tasks_link(&match bucket {
                    NationalBucket::Completed => "&status=completed".to_string(),
                    NationalBucket::WithinDeadline => "&within=1".to_string(),
                    NationalBucket::Overdue => "&overdue=1".to_string(),
                    NationalBucket::Regular => format!("&regular=1&status={OPEN_STATUSES}"),
                }),
                class: match bucket {
                    NationalBucket::Completed => "tile-on_time",
                    NationalBucket::Overdue => "tile-overdue",
                    NationalBucket::Regular => "tile-regular",
                    NationalBucket::WithinDeadline => "",
                },
            })
            .collect();
        tiles.push(Tile {
            number: t.key_tasks,
            label: lang.pick(
                format!(
                    "nhiệm vụ trọng tâm: {} hoàn thành, {} quá hạn",
                    t.key_completed, t.key_overdue
                ),
                format!(
                    "key tasks: {} completed, {} overdue",
                    t.key_completed, t.key_overdue
                ),
            ),
            link: self.tasks_link(&format!("&key=1&status={LIVE_STATUSES}")),
            class: "tile-key",
        });
        tiles
    }

    fn due_soon_link(&self) -> String {
        self.tasks_link(&format!("&due_within={}&sort=due", self.due_soon_days))
    }
}

impl WallPage<'_> {
    /// How many screens the wall turns through.
    fn screens(&self) -> usize {
        // Overview, groups, rankings, overdue, due soon, budget; then the paged panels.
        6 + self.heat.len() + self.card_pages.len().max(1) + self.obstacle_pages.len().max(1)
    }
}

#[derive(serde::Deserialize, Default)]
pub struct WallQuery {
    #[serde(flatten)]
    pub filters: DashboardQuery,
    #[serde(default)]
    pub wall: Option<String>,
}

/// `GET /dashboard`: the operations centre (`?wall=1` for the wall screen).
pub async fn home(ctx: Ctx, Query(q): Query<WallQuery>) -> WebResult<Response> {
    let user = ctx.user()?;
    if matches!(q.wall.as_deref(), Some("1" | "true" | "on")) {
        return wall(&ctx, user, &q.filters, None).await;
    }
    let d = svc::dashboard(&ctx.state, user, &q.filters).await?;
    let lang = ctx.lang();
    let query = format!(
        "plan={}&year={}&unit={}{}",
        d.plan.as_ref().map(|p| p.id).unwrap_or_default(),
        d.year,
        d.unit.code,
        d.period.map(|p| format!("&period={p}")).unwrap_or_default()
    );
    let waiting = super::explanation_counts(&ctx).await?;
    ctx.render(&DashboardPage {
        waiting,
        page: ctx.page("Bảng điều hành", "Operations dashboard"),
        charts: dashboard_charts(&d, lang),
        cards: cards(&d, lang),
        slowest: slowest(&d),
        d: &d,
        query,
        period_choices: period_choices(d.year, ctx.lang()),
        due_soon_days: ctx.state.app.settings.due_soon_days,
        may_issue_displays: user.token.is_none()
            && user.holds(dxplan_domain::auth::Action::ManageUsers),
    })
}

/// `GET /wall/{secret}`: the wall screen of the display the link was made for, without a
/// login. The secret never reaches the log (see `lib.rs`).
pub async fn display(ctx: Ctx, Path(secret): Path<String>) -> WebResult<Response> {
    let opened = displays::open(&ctx.state, &secret).await?;
    let filters = DashboardQuery {
        unit: Some(opened.unit_code),
        ..DashboardQuery::default()
    };
    let mut response = wall(&ctx, &opened.reader, &filters, Some(opened.display.name)).await?;
    // The address is the key: no cache keeps the page, no link followed from it sends it on.
    let headers = response.headers_mut();
    headers.insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    headers.insert(
        axum::http::header::REFERRER_POLICY,
        axum::http::HeaderValue::from_static("no-referrer"),
    );
    Ok(response)
}

/// The quarters and months of `year`, chosen from a list rather than typed as codes.
fn period_choices(year: i32, lang: dxplan_domain::Lang) -> Vec<(String, String)> {
    use dxplan_domain::period::Period;
    (1..=4)
        .map(|q| Period::Quarter(year, q))
        .chain((1..=12).map(|m| Period::Month(year, m)))
        .map(|p| (p.to_string(), p.label(lang)))
        .collect()
}

/// Units a phone lists in place of the heat map.
const SLOWEST_SHOWN: usize = 8;

fn slowest(d: &Dashboard) -> Vec<&dxplan_domain::dashboard::UnitRow> {
    let mut rows: Vec<_> = d
        .units
        .iter()
        .filter_map(|u| u.tally.average_progress().map(|p| (p, u)))
        .collect();
    rows.sort_by(|a, b| {
        a.0.total_cmp(&b.0)
            .then(b.1.tally.overdue.cmp(&a.1.tally.overdue))
    });
    rows.into_iter()
        .take(SLOWEST_SHOWN)
        .map(|(_, u)| u)
        .collect()
}

fn cards(d: &Dashboard, lang: dxplan_domain::Lang) -> Vec<IndicatorCard<'_>> {
    d.indicators
        .iter()
        .map(|i| IndicatorCard {
            indicator: i,
            chart: indicator_chart(i, lang),
        })
        .collect()
}

async fn wall(
    ctx: &Ctx,
    reader: &CurrentUser,
    filters: &DashboardQuery,
    display: Option<String>,
) -> WebResult<Response> {
    let d = svc::dashboard(&ctx.state, reader, filters).await?;
    let lang = ctx.lang();
    let now = ctx.state.now().to_offset(crate::format::VIETNAM);
    let mut page = ctx.page("Màn hình điều hành", "Operations wall");
    // The screen's own name in the title bar, for whoever looks after the machine.
    if let Some(name) = display {
        page.title = format!("{name} — {}", page.title);
    }
    // A wall shows no menu: nobody there is to use it, and a display link has no account.
    page.nav.clear();
    ctx.render(&WallPage {
        page,
        charts: dashboard_charts(&d, lang),
        heat: heat_pages(&d, lang),
        card_pages: d.indicators.chunks(CARDS_PER_WALL_PAGE).collect(),
        obstacle_pages: d.obstacles.chunks(OBSTACLES_PER_WALL_PAGE).collect(),
        updated: crate::format::datetime(&now),
        clock: format!("{:02}:{:02}", now.hour(), now.minute()),
        d: &d,
    })
}

/// `GET /dashboard.xlsx`, `.docx`, `.pdf` and `/dashboard/briefing.pdf`: a document made
/// while the reader waits.
pub async fn download(
    ctx: Ctx,
    q: DashboardQuery,
    kind: exports::ExportKind,
) -> WebResult<Response> {
    let doc = exports::generate(&ctx.state, ctx.user()?, kind, &q).await?;
    Ok(crate::http::download(
        kind.content_type(),
        &doc.filename,
        doc.bytes,
    ))
}

#[derive(serde::Deserialize)]
pub struct ExportForm {
    #[serde(default)]
    kind: String,
    #[serde(flatten)]
    filters: DashboardQuery,
}

/// `POST /exports`: starts generating a document and shows its progress page.
pub async fn start_export(
    ctx: Ctx,
    axum::Form(form): axum::Form<ExportForm>,
) -> WebResult<Response> {
    let kind = exports::ExportKind::parse(&form.kind)
        .ok_or_else(|| AppError::field("kind", dxplan_domain::Invalid::BadFormat))?;
    let id = exports::start_job(&ctx.state, ctx.user()?, kind, form.filters).await?;
    Ok(axum::response::Redirect::to(&format!("/exports/{id}")).into_response())
}

#[derive(Template)]
#[template(path = "export.html")]
struct ExportPage {
    page: Page,
    job: dxplan_app::exports::ExportJob,
    back: String,
}

/// `GET /exports/{id}`: a document being made, then its download link.
pub async fn export_status(ctx: Ctx, Path(id): Path<i64>) -> WebResult<Response> {
    let job = exports::job_for(&ctx.state, ctx.user()?, id).await?;
    ctx.render(&ExportPage {
        page: ctx.page("Tạo báo cáo", "Making a report"),
        back: format!("/dashboard?{}", job.query),
        job,
    })
}

/// `GET /exports/{id}/file`: the finished document.
pub async fn export_file(ctx: Ctx, Path(id): Path<i64>) -> WebResult<Response> {
    let job = exports::job_for(&ctx.state, ctx.user()?, id).await?;
    let kind = exports::ExportKind::parse(&job.kind).ok_or(AppError::NotFound)?;
    let doc = exports::job_file(&ctx.state, ctx.user()?, id).await?;
    Ok(crate::http::download(
        kind.content_type(),
        &doc.filename,
        doc.bytes,
    ))
}
