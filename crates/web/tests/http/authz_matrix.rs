//! The authorisation matrix, generated from the OpenAPI document: every operation has its
//! rule here (a route without one fails the suite), and each rule is tried by every kind
//! of caller — anonymous, a viewer, a district's editor and approver, a district's
//! coordinator, the province's coordinator, the administrator, a read-only token and
//! tokens narrowed to a district — on objects of the caller's own district, a commune in
//! it, a sibling district and the province. The expected answer is computed from the
//! policy (`dxplan_domain::auth`) over the caller's grants as the server reports them. A
//! refusal must be 401, 403 or 404 (nothing happens); a permitted call must never be
//! refused; nothing answers 5xx.

use std::collections::{BTreeSet, HashMap};

use dxplan_domain::auth::{Action, Grant, Role, Target, authorize, holds};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{Session, TestApp};

/// The units a rule is tried on, seen from the district editor's and coordinator's
/// district (540, Quy Nhơn).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Own,
    Child,
    Sibling,
    Parent,
}

impl Place {
    const ALL: [Place; 4] = [Place::Own, Place::Child, Place::Sibling, Place::Parent];
    /// The units index assessments exist for (the province assesses its districts, the
    /// district its communes; the province itself is not assessed).
    const ASSESSED: [Place; 3] = [Place::Own, Place::Child, Place::Sibling];

    fn code(self) -> &'static str {
        match self {
            Place::Own => "540",
            Place::Child => "21550",
            Place::Sibling => "542",
            Place::Parent => "52",
        }
    }
}

/// What an operation needs.
#[derive(Debug, Clone, Copy)]
enum Need {
    /// Nobody needs an account (open data, logging in).
    Public,
    /// Any account, about itself; a change is refused to a read-only token.
    Own,
    /// An account with a session: a token mints no tokens and changes no password.
    SessionOnly,
    /// A system-wide grant.
    System(Action),
    /// A grant over the whole province (the root of today's tree).
    Province(Action),
    /// The action on the object's unit.
    Unit(Action),
    /// Either action on the object's unit.
    UnitEither(Action, Action),
    /// The action on the unit running the object's index round.
    Runner(Action),
    /// Reading an assessment: the unit's readers and the round's.
    AssessmentReader,
    /// The action somewhere: the answer lists only what is in scope.
    Somewhere(Action),
    /// An export job: its owner (or a system administrator) with rights over what it shows.
    ExportOwner,
}

struct Actor {
    name: &'static str,
    who: Who,
    /// The account's username (none when anonymous).
    username: Option<String>,
    grants: Vec<Grant>,
    token: bool,
    read_only: bool,
}

enum Who {
    Anonymous,
    Session(Session),
    Token(String),
}

enum Body {
    None,
    Json(Value),
    Raw(&'static str, Vec<u8>),
    File(&'static str, Vec<u8>),
}

struct Call {
    path: String,
    body: Body,
}

struct Op {
    method: Method,
    path: &'static str,
    need: Need,
    /// Tried on each of these places, or once when empty.
    places: &'static [Place],
    /// A permitted caller may be told the object is not (or no longer) there.
    may_be_gone: bool,
    make: fn(&Fixtures, Option<Place>, usize) -> Call,
}

/// An answer-by date within reach of today.
fn soon() -> String {
    (time::OffsetDateTime::now_utc().date() + time::Duration::days(30)).to_string()
}

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n";

/// What the rules are tried on, made by the administrator and the province's coordinator.
struct Fixtures {
    plan: i64,
    group: i64,
    framework: i64,
    change: i64,
    webhook: i64,
    token: i64,
    export: i64,
    briefing: i64,
    briefing_send: i64,
    root: i64,
    lineage: HashMap<&'static str, Vec<i64>>,
    runner_lineage: HashMap<&'static str, Vec<i64>>,
    by_place: HashMap<&'static str, PlaceFixtures>,
}

#[derive(Default)]
struct PlaceFixtures {
    task: i64,
    attachment: i64,
    extension: i64,
    value: i64,
    value_file: i64,
    user: i64,
    grant: i64,
    round: i64,
    assessment: i64,
    evidence_file: i64,
    explanation: i64,
    explanation_file: i64,
    unit_name: String,
}

impl Fixtures {
    fn at(&self, place: Option<Place>) -> &PlaceFixtures {
        &self.by_place[place.expect("a place").code()]
    }
}

fn code(place: Option<Place>) -> &'static str {
    place.expect("a place").code()
}

fn call(path: impl Into<String>, body: Body) -> Call {
    Call {
        path: path.into(),
        body,
    }
}

fn get(path: impl Into<String>) -> Call {
    call(path, Body::None)
}

fn framework_body(code: &str, kinds: &[&str]) -> Value {
    json!({"code": code, "name": format!("Bộ chỉ số {code}"), "year": 2026, "unit_kinds": kinds,
    "criteria": [
        {"code": "1", "name": "Nhận thức số", "max_points": 10},
        {"code": "1.1", "parent": "1", "name": "Chấm trực tiếp", "max_points": 10, "rule": {"rule": "manual"}}
    ]})
}

fn briefing_body(plan: i64) -> Value {
    json!({"plan_id": plan, "unit": "52", "title": "Tóm tắt tuần", "document": "briefing",
        "cadence": "weekly", "weekday": 1})
}

/// Every operation of the API with its rule. The test fails on an operation of the
/// OpenAPI document that is missing here, and on one here that the document lacks.
fn operations() -> Vec<Op> {
    use Need::*;
    use Place as P;
    const ALL: &[Place] = &P::ALL;
    const ASSESSED: &[Place] = &P::ASSESSED;
    const ONCE: &[Place] = &[];
    let op = |method: Method,
              path: &'static str,
              need: Need,
              places: &'static [Place],
              make: fn(&Fixtures, Option<Place>, usize) -> Call| Op {
        method,
        path,
        need,
        places,
        may_be_gone: false,
        make,
    };
    let gone = |mut o: Op| {
        o.may_be_gone = true;
        o
    };
    let (g, p, u, d) = (Method::GET, Method::POST, Method::PUT, Method::DELETE);
    let pa = Method::PATCH;
    vec![
        // ------------------------------------------------ accounts, sessions, tokens
        op(p.clone(), "/api/v1/auth/login", Public, ONCE, |_, _, _| {
            call(
                "/api/v1/auth/login",
                Body::Json(json!({"username": "viewer", "password": "demo"})),
            )
        }),
        op(p.clone(), "/api/v1/auth/logout", Public, ONCE, |_, _, _| {
            // Run only without an account: logging a caller out would end its session.
            call("/api/v1/auth/logout", Body::None)
        }),
        op(g.clone(), "/api/v1/me", Own, ONCE, |_, _, _| {
            get("/api/v1/me")
        }),
        op(
            p.clone(),
            "/api/v1/me/password",
            SessionOnly,
            ONCE,
            |_, _, _| {
                // A wrong current password: refused as such, nobody's password changes.
                call(
                    "/api/v1/me/password",
                    Body::Json(
                        json!({"current": "not the password", "new_password": "Một mật khẩu mới đủ dài"}),
                    ),
                )
            },
        ),
        op(g.clone(), "/api/v1/me/work", Own, ONCE, |_, _, _| {
            get("/api/v1/me/work")
        }),
        op(
            u.clone(),
            "/api/v1/me/email-preference",
            Own,
            ONCE,
            |_, _, _| {
                call(
                    "/api/v1/me/email-preference",
                    Body::Json(json!({"email_pref": "digest"})),
                )
            },
        ),
        op(g.clone(), "/api/v1/notifications", Own, ONCE, |_, _, _| {
            get("/api/v1/notifications")
        }),
        op(
            p.clone(),
            "/api/v1/notifications/read-all",
            Own,
            ONCE,
            |_, _, _| call("/api/v1/notifications/read-all", Body::None),
        ),
        gone(op(
            p.clone(),
            "/api/v1/notifications/{id}/read",
            Own,
            ONCE,
            |_, _, _| call("/api/v1/notifications/999999/read", Body::None),
        )),
        op(g.clone(), "/api/v1/tokens", Own, ONCE, |_, _, _| {
            get("/api/v1/tokens")
        }),
        op(p.clone(), "/api/v1/tokens", SessionOnly, ONCE, |_, _, n| {
            call(
                "/api/v1/tokens",
                Body::Json(json!({"name": format!("ma trận {n}"), "access": "read"})),
            )
        }),
        gone(op(
            d.clone(),
            "/api/v1/tokens/{id}",
            System(Action::ManageUsers),
            ONCE,
            |f, _, _| call(format!("/api/v1/tokens/{}", f.token), Body::None),
        )),
        op(
            g.clone(),
            "/api/v1/users",
            Somewhere(Action::ViewUsers),
            ONCE,
            |_, _, _| get("/api/v1/users"),
        ),
        op(
            p.clone(),
            "/api/v1/users",
            System(Action::ManageUsers),
            ONCE,
            |_, _, n| {
                call(
                    "/api/v1/users",
                    Body::Json(
                        json!({"username": format!("ma-tran-{n}"), "display_name": "Người thử",
                "password": "Một mật khẩu đủ dài"}),
                    ),
                )
            },
        ),
        op(
            g.clone(),
            "/api/v1/users/{id}",
            Unit(Action::ViewUsers),
            ALL,
            |f, pl, _| get(format!("/api/v1/users/{}", f.at(pl).user)),
        ),
        op(
            pa.clone(),
            "/api/v1/users/{id}",
            System(Action::ManageUsers),
            ALL,
            |f, pl, _| {
                call(
                    format!("/api/v1/users/{}", f.at(pl).user),
                    Body::Json(json!({"display_name": "Người thử (đã sửa)"})),
                )
            },
        ),
        op(
            p.clone(),
            "/api/v1/users/{id}/password",
            System(Action::ManageUsers),
            ALL,
            |f, pl, _| {
                call(
                    format!("/api/v1/users/{}/password", f.at(pl).user),
                    Body::Json(json!({"password": "Một mật khẩu khác đủ dài"})),
                )
            },
        ),
        op(
            g.clone(),
            "/api/v1/users/{id}/grants",
            Unit(Action::ViewUsers),
            ALL,
            |f, pl, _| get(format!("/api/v1/users/{}/grants", f.at(pl).user)),
        ),
        op(
            p.clone(),
            "/api/v1/users/{id}/grants",
            System(Action::ManageUsers),
            ALL,
            |f, pl, _| {
                call(
                    format!("/api/v1/users/{}/grants", f.at(pl).user),
                    Body::Json(json!({"role": "viewer", "unit_code": code(pl)})),
                )
            },
        ),
        gone(op(
            d.clone(),
            "/api/v1/users/{id}/grants/{grant_id}",
            System(Action::ManageUsers),
            ALL,
            |f, pl, _| {
                call(
                    format!("/api/v1/users/{}/grants/{}", f.at(pl).user, f.at(pl).grant),
                    Body::None,
                )
            },
        )),
        op(
            g.clone(),
            "/api/v1/audit",
            System(Action::ViewAudit),
            ONCE,
            |_, _, _| get("/api/v1/audit"),
        ),
        op(
            g.clone(),
            "/api/v1/webhooks",
            System(Action::ManageUsers),
            ONCE,
            |_, _, _| get("/api/v1/webhooks"),
        ),
        op(
            p.clone(),
            "/api/v1/webhooks",
            System(Action::ManageUsers),
            ONCE,
            |_, _, _| {
                call(
                    "/api/v1/webhooks",
                    Body::Json(
                        json!({"url": "https://8.8.8.8/dxplan", "events": ["task.submitted"]}),
                    ),
                )
            },
        ),
        gone(op(
            d.clone(),
            "/api/v1/webhooks/{id}",
            System(Action::ManageUsers),
            ONCE,
            |f, _, _| call(format!("/api/v1/webhooks/{}", f.webhook), Body::None),
        )),
        op(
            g.clone(),
            "/api/v1/webhooks/{id}/deliveries",
            System(Action::ManageUsers),
            ONCE,
            |f, _, _| get(format!("/api/v1/webhooks/{}/deliveries", f.webhook)),
        ),
        // ------------------------------------------------ units and reorganisations
        op(
            g.clone(),
            "/api/v1/units",
            Somewhere(Action::ViewUnits),
            ONCE,
            |_, _, _| get("/api/v1/units"),
        ),
        op(
            p.clone(),
            "/api/v1/units",
            Unit(Action::ManageUnits),
            ALL,
            |_, pl, n| {
                call(
                    "/api/v1/units",
                    Body::Json(
                        json!({"code": format!("MT{n}"), "name": format!("Đơn vị thử {n}"),
                "kind": "other", "parent_code": code(pl)}),
                    ),
                )
            },
        ),
        op(
            p.clone(),
            "/api/v1/units/import",
            System(Action::ManageUnits),
            ONCE,
            |_, _, n| {
                call(
                    "/api/v1/units/import",
                    Body::Raw(
                        "text/csv",
                        format!("code,name,level,parent_code\nMTI{n},Đơn vị nhập {n},other,52\n")
                            .into_bytes(),
                    ),
                )
            },
        ),
        op(
            g.clone(),
            "/api/v1/units/{code}",
            Somewhere(Action::ViewUnits),
            ALL,
            |_, pl, _| get(format!("/api/v1/units/{}", code(pl))),
        ),
        op(
            pa.clone(),
            "/api/v1/units/{code}",
            Unit(Action::ManageUnits),
            ALL,
            |f, pl, _| {
                call(
                    format!("/api/v1/units/{}", code(pl)),
                    Body::Json(json!({"name": f.at(pl).unit_name})),
                )
            },
        ),
        op(
            g.clone(),
            "/api/v1/units/{code}/issuer",
            Unit(Action::ViewUnits),
            ALL,
            |_, pl, _| get(format!("/api/v1/units/{}/issuer", code(pl))),
        ),
        op(
            u.clone(),
            "/api/v1/units/{code}/issuer",
            UnitEither(Action::SubmitUnitWork, Action::ManageUnits),
            ALL,
            |_, pl, n| {
                call(
                    format!("/api/v1/units/{}/issuer", code(pl)),
                    Body::Json(json!({"signer_name": format!("Người ký {n}")})),
                )
            },
        ),
        op(
            g.clone(),
            "/api/v1/units/{code}/indicators",
            Unit(Action::ViewWork),
            ALL,
            |_, pl, _| {
                get(format!(
                    "/api/v1/units/{}/indicators?period=2026Q1",
                    code(pl)
                ))
            },
        ),
        op(
            g.clone(),
            "/api/v1/reorganisations",
            Somewhere(Action::Reorganise),
            ONCE,
            |_, _, _| get("/api/v1/reorganisations"),
        ),
        op(
            p.clone(),
            "/api/v1/reorganisations",
            Province(Action::Reorganise),
            ONCE,
            |_, _, n| {
                call(
                    "/api/v1/reorganisations",
                    Body::Json(
                        json!({"name": format!("Sắp xếp thử {n}"), "effective_on": "2027-07-01",
                "new_units_csv": crate::reorg::NEW_UNITS, "lineage_csv": crate::reorg::LINEAGE}),
                    ),
                )
            },
        ),
        op(
            g.clone(),
            "/api/v1/reorganisations/{id}",
            Province(Action::Reorganise),
            ONCE,
            |f, _, _| get(format!("/api/v1/reorganisations/{}", f.change)),
        ),
        op(
            p.clone(),
            "/api/v1/reorganisations/{id}/apply",
            Province(Action::Reorganise),
            ONCE,
            |f, _, _| {
                // A stale version: a permitted caller is told so, and nothing is applied.
                call(
                    format!("/api/v1/reorganisations/{}/apply", f.change),
                    Body::Json(json!({"version": 0})),
                )
            },
        ),
        op(
            p.clone(),
            "/api/v1/reorganisations/{id}/undo",
            Province(Action::Reorganise),
            ONCE,
            |f, _, _| {
                call(
                    format!("/api/v1/reorganisations/{}/undo", f.change),
                    Body::Json(json!({"version": 0})),
                )
            },
        ),
        // ------------------------------------------------ plans and tasks
        op(
            g.clone(),
            "/api/v1/plans",
            Somewhere(Action::ViewWork),
            ONCE,
            |_, _, _| get("/api/v1/plans"),
        ),
        op(
            p.clone(),
            "/api/v1/plans",
            Province(Action::ManagePlans),
            ONCE,
            |_, _, n| {
                call(
                    "/api/v1/plans",
                    Body::Json(json!({"year": 2027, "title": format!("Kế hoạch thử {n}")})),
                )
            },
        ),
        op(
            g.clone(),
            "/api/v1/plans/{id}",
            Somewhere(Action::ViewWork),
            ONCE,
            |f, _, _| get(format!("/api/v1/plans/{}", f.plan)),
        ),
        op(
            pa.clone(),
            "/api/v1/plans/{id}",
            Province(Action::ManagePlans),
            ONCE,
            |f, _, _| {
                call(
                    format!("/api/v1/plans/{}", f.plan),
                    Body::Json(json!({"year": 2026, "title": "Kế hoạch chuyển đổi số năm 2026"})),
                )
            },
        ),
        op(
            g.clone(),
            "/api/v1/plans/{id}/groups",
            Somewhere(Action::ViewWork),
            ONCE,
            |f, _, _| get(format!("/api/v1/plans/{}/groups", f.plan)),
        ),
        op(
            g.clone(),
            "/api/v1/plans/{id}/urging",
            Province(Action::ManagePlans),
            ONCE,
            |f, _, _| get(format!("/api/v1/plans/{}/urging", f.plan)),
        ),
        op(
            p.clone(),
            "/api/v1/plans/{id}/urging-letters",
            Province(Action::ManagePlans),
            ONCE,
            |f, _, _| {
                call(
                    format!("/api/v1/plans/{}/urging-letters", f.plan),
                    Body::None,
                )
            },
        ),
        gone(op(
            g.clone(),
            "/api/v1/urging-letters/{id}/document.docx",
            Province(Action::ManagePlans),
            ONCE,
            // No letter of that number: a permitted caller is told so.
            |_, _, _| get("/api/v1/urging-letters/999999/document.docx".to_string()),
        )),
        gone(op(
            p.clone(),
            "/api/v1/urging-letters/{id}/sent",
            Province(Action::ManagePlans),
            ONCE,
            |_, _, _| {
                call(
                    "/api/v1/urging-letters/999999/sent".to_string(),
                    Body::Json(json!({"number": "1/SKHCN-CĐS"})),
                )
            },
        )),
        // ------------------------------------------------ scheduled briefings
        op(
            g.clone(),
            "/api/v1/briefing-schedules",
            Province(Action::ManagePlans),
            ONCE,
            |_, _, _| get("/api/v1/briefing-schedules"),
        ),
        op(
            p.clone(),
            "/api/v1/briefing-schedules",
            Province(Action::ManagePlans),
            ONCE,
            |f, _, _| {
                call(
                    "/api/v1/briefing-schedules",
                    Body::Json(briefing_body(f.plan)),
                )
            },
        ),
        op(
            g.clone(),
            "/api/v1/briefing-schedules/{id}",
            Province(Action::ManagePlans),
            ONCE,
            |f, _, _| get(format!("/api/v1/briefing-schedules/{}", f.briefing)),
        ),
        op(
            pa.clone(),
            "/api/v1/briefing-schedules/{id}",
            Province(Action::ManagePlans),
            ONCE,
            |f, _, _| {
                call(
                    format!("/api/v1/briefing-schedules/{}", f.briefing),
                    Body::Json(briefing_body(f.plan)),
                )
            },
        ),
        op(
            p.clone(),
            "/api/v1/briefing-schedules/{id}/recipients",
            Province(Action::ManagePlans),
            ONCE,
            // The demo's accounts have no e-mail address: a permitted caller is told so
            // (400), the others are refused.
            |f, _, _| {
                call(
                    format!("/api/v1/briefing-schedules/{}/recipients", f.briefing),
                    Body::Json(json!({"user_id": 1})),
                )
            },
        ),
        gone(op(
            d.clone(),
            "/api/v1/briefing-schedules/{id}/recipients/{user_id}",
            Province(Action::ManagePlans),
            ONCE,
            // Nobody is a recipient: a permitted caller is told there is none to remove.
            |f, _, _| {
                call(
                    format!("/api/v1/briefing-schedules/{}/recipients/1", f.briefing),
                    Body::None,
                )
            },
        )),
        op(
            p.clone(),
            "/api/v1/briefing-schedules/{id}/send",
            Province(Action::ManagePlans),
            ONCE,
            |f, _, _| {
                call(
                    format!("/api/v1/briefing-schedules/{}/send", f.briefing),
                    Body::None,
                )
            },
        ),
        op(
            g.clone(),
            "/api/v1/briefing-sends/{id}/file",
            // Nobody was sent it: only the programme's coordinators fetch it.
            Province(Action::ManagePlans),
            ONCE,
            |f, _, _| get(format!("/api/v1/briefing-sends/{}/file", f.briefing_send)),
        ),
        op(
            g.clone(),
            "/api/v1/plans/{id}/steering-sessions",
            Province(Action::ViewWork),
            ONCE,
            |f, _, _| get(format!("/api/v1/plans/{}/steering-sessions", f.plan)),
        ),
        op(
            p.clone(),
            "/api/v1/plans/{id}/steering-sessions",
            Province(Action::ManagePlans),
            ONCE,
            |f, _, _| {
                call(
                    format!("/api/v1/plans/{}/steering-sessions", f.plan),
                    Body::Json(json!({
                        "held_on": "2026-03-15",
                        "title": "Phiên họp thứ nhất năm 2026",
                        "chair": "Chủ tịch UBND tỉnh",
                        "attendees": "Các thành viên Ban Chỉ đạo",
                        "conclusions": ["Giao Sở KH&CN tham mưu"]
                    })),
                )
            },
        ),
        gone(op(
            pa.clone(),
            "/api/v1/steering-sessions/{id}",
            Province(Action::ManagePlans),
            ONCE,
            |_, _, _| {
                call(
                    "/api/v1/steering-sessions/999999".to_string(),
                    Body::Json(
                        json!({"held_on": "2026-03-15", "title": "Phiên họp", "chair": "Chủ tịch", "attendees": "Thành viên"}),
                    ),
                )
            },
        )),
        op(
            g.clone(),
            "/api/v1/plans/{id}/steering-briefing.docx",
            Province(Action::ViewWork),
            ONCE,
            |f, _, _| get(format!("/api/v1/plans/{}/steering-briefing.docx", f.plan)),
        ),
        gone(op(
            g.clone(),
            "/api/v1/steering-sessions/{id}",
            Province(Action::ViewWork),
            ONCE,
            |_, _, _| get("/api/v1/steering-sessions/999999".to_string()),
        )),
        gone(op(
            g.clone(),
            "/api/v1/steering-sessions/{id}/notice.docx",
            Province(Action::ViewWork),
            ONCE,
            |_, _, _| get("/api/v1/steering-sessions/999999/notice.docx".to_string()),
        )),
        gone(op(
            p.clone(),
            "/api/v1/steering-sessions/{id}/conclusions",
            Province(Action::ManagePlans),
            ONCE,
            |_, _, _| {
                call(
                    "/api/v1/steering-sessions/999999/conclusions".to_string(),
                    Body::Json(json!({"text": "Giao các xã"})),
                )
            },
        )),
        gone(op(
            p.clone(),
            "/api/v1/steering-sessions/{id}/notice",
            Province(Action::ManagePlans),
            ONCE,
            |_, _, _| {
                call(
                    "/api/v1/steering-sessions/999999/notice".to_string(),
                    Body::Json(json!({"number": "12/TB-UBND"})),
                )
            },
        )),
        gone(op(
            pa.clone(),
            "/api/v1/steering-conclusions/{id}",
            Province(Action::ManagePlans),
            ONCE,
            |_, _, _| {
                call(
                    "/api/v1/steering-conclusions/999999".to_string(),
                    Body::Json(json!({"text": "Giao các xã, phường"})),
                )
            },
        )),
        gone(op(
            p.clone(),
            "/api/v1/steering-conclusions/{id}/tasks",
            Province(Action::ManagePlans),
            ONCE,
            |_, _, _| {
                call(
                    "/api/v1/steering-conclusions/999999/tasks".to_string(),
                    Body::Json(json!({"lead_unit_code": "540", "due_date": "2026-12-31"})),
                )
            },
        )),
        gone(op(
            p.clone(),
            "/api/v1/steering-conclusions/{id}/close",
            Province(Action::ManagePlans),
            ONCE,
            |_, _, _| {
                call(
                    "/api/v1/steering-conclusions/999999/close".to_string(),
                    Body::Json(json!({"note": "Đã thực hiện trong kế hoạch"})),
                )
            },
        )),
        op(
            g.clone(),
            "/api/v1/evaluation/figures",
            Somewhere(Action::ViewWork),
            ONCE,
            |_, _, _| get("/api/v1/evaluation/figures?period=2026Q4".to_string()),
        ),
        op(
            p.clone(),
            "/api/v1/tasks/{id}/delay-exemption",
            Unit(Action::ReviewWork),
            ALL,
            |f, pl, _| {
                // The fixtures are on time: a permitted caller is told there is no delay.
                call(
                    format!("/api/v1/tasks/{}/delay-exemption", f.at(pl).task),
                    Body::Json(json!({"reason": "Thiên tai"})),
                )
            },
        ),
        op(
            u.clone(),
            "/api/v1/tasks/{id}/officer",
            UnitEither(Action::SubmitUnitWork, Action::ManagePlans),
            ALL,
            |f, pl, _| {
                // Nobody of that name: a permitted caller is asked to choose one.
                call(
                    format!("/api/v1/tasks/{}/officer", f.at(pl).task),
                    Body::Json(json!({"officer": "Không Có Ai"})),
                )
            },
        ),
        op(
            g.clone(),
            "/api/v1/plans/{id}/source-documents",
            Somewhere(Action::ViewWork),
            ONCE,
            |f, _, _| get(format!("/api/v1/plans/{}/source-documents", f.plan)),
        ),
        op(
            p.clone(),
            "/api/v1/plans/{id}/groups",
            Province(Action::ManagePlans),
            ONCE,
            |f, _, n| {
                call(
                    format!("/api/v1/plans/{}/groups", f.plan),
                    Body::Json(
                        json!({"code": format!("N{n}"), "name": "Nhóm thử", "pillar_code": "foundations"}),
                    ),
                )
            },
        ),
        op(
            pa.clone(),
            "/api/v1/groups/{id}",
            Province(Action::ManagePlans),
            ONCE,
            |f, _, _| {
                call(
                    format!("/api/v1/groups/{}", f.group),
                    Body::Json(
                        json!({"code": "1", "name": "Thể chế số", "pillar_code": "foundations"}),
                    ),
                )
            },
        ),
        op(
            p.clone(),
            "/api/v1/plans/{id}/import",
            Province(Action::ManagePlans),
            ONCE,
            |f, _, _| {
                call(
                    format!("/api/v1/plans/{}/import?dry_run=true", f.plan),
                    Body::Raw("application/octet-stream", b"PK\x03\x04 garbage".to_vec()),
                )
            },
        ),
        op(
            g.clone(),
            "/api/v1/plans/{id}/obstacles",
            Somewhere(Action::ViewWork),
            ONCE,
            |f, _, _| get(format!("/api/v1/plans/{}/obstacles", f.plan)),
        ),
        op(
            g.clone(),
            "/api/v1/plans/{id}/tasks",
            Somewhere(Action::ViewWork),
            ONCE,
            |f, _, _| get(format!("/api/v1/plans/{}/tasks", f.plan)),
        ),
        op(
            p.clone(),
            "/api/v1/plans/{id}/tasks",
            UnitEither(Action::EditUnitWork, Action::ManagePlans),
            ALL,
            |f, pl, n| {
                call(
                    format!("/api/v1/plans/{}/tasks", f.plan),
                    Body::Json(json!({"code": format!("M.{n}"), "title": "Nhiệm vụ thử",
                "group_id": f.group, "lead_unit_code": code(pl), "due_date": "2026-12-31"})),
                )
            },
        ),
        op(
            g.clone(),
            "/api/v1/tasks",
            Somewhere(Action::ViewWork),
            ONCE,
            |_, _, _| get("/api/v1/tasks"),
        ),
        op(
            g.clone(),
            "/api/v1/tasks.csv",
            Somewhere(Action::ViewWork),
            ONCE,
            |_, _, _| get("/api/v1/tasks.csv"),
        ),
        op(
            g.clone(),
            "/api/v1/tasks.xlsx",
            Somewhere(Action::ViewWork),
            ONCE,
            |_, _, _| get("/api/v1/tasks.xlsx"),
        ),
        op(
            g.clone(),
            "/api/v1/tasks/{id}",
            Unit(Action::ViewWork),
            ALL,
            |f, pl, _| get(format!("/api/v1/tasks/{}", f.at(pl).task)),
        ),
        op(
            pa.clone(),
            "/api/v1/tasks/{id}",
            UnitEither(Action::EditUnitWork, Action::ManagePlans),
            ALL,
            |f, pl, _| {
                call(
                    format!("/api/v1/tasks/{}", f.at(pl).task),
                    Body::Json(
                        json!({"code": format!("F.{}", code(pl)), "title": "Nhiệm vụ thử (sửa)",
                "group_id": f.group, "lead_unit_code": code(pl), "due_date": "2026-12-31"}),
                    ),
                )
            },
        ),
        op(
            p.clone(),
            "/api/v1/tasks/{id}/transitions",
            Unit(Action::SubmitUnitWork),
            ALL,
            |f, pl, _| {
                // Submitting a task already at work: a permitted caller is told it cannot be.
                call(
                    format!("/api/v1/tasks/{}/transitions", f.at(pl).task),
                    Body::Json(json!({"action": "submit"})),
                )
            },
        ),
        // The assigner's decisions, each on its own right. Permitted callers are told
        // there is nothing to decide, or that a reason is missing: nothing changes.
        op(
            p.clone(),
            "/api/v1/tasks/{id}/transitions",
            Unit(Action::ReviewWork),
            ALL,
            |f, pl, _| {
                call(
                    format!("/api/v1/tasks/{}/transitions", f.at(pl).task),
                    Body::Json(json!({"action": "confirm_completion"})),
                )
            },
        ),
        op(
            p.clone(),
            "/api/v1/tasks/{id}/transitions",
            Unit(Action::ManagePlans),
            ALL,
            |f, pl, _| {
                call(
                    format!("/api/v1/tasks/{}/transitions", f.at(pl).task),
                    Body::Json(json!({"action": "accept_decline", "new_lead": "540"})),
                )
            },
        ),
        op(
            p.clone(),
            "/api/v1/tasks/{id}/transitions",
            Unit(Action::SubmitUnitWork),
            ALL,
            |f, pl, _| {
                // Handing back without a reason: a permitted caller is asked for one.
                call(
                    format!("/api/v1/tasks/{}/transitions", f.at(pl).task),
                    Body::Json(json!({"action": "decline"})),
                )
            },
        ),
        op(
            g.clone(),
            "/api/v1/tasks/{id}/events",
            Unit(Action::ViewWork),
            ALL,
            |f, pl, _| get(format!("/api/v1/tasks/{}/events", f.at(pl).task)),
        ),
        op(
            g.clone(),
            "/api/v1/tasks/{id}/reports",
            Unit(Action::ViewWork),
            ALL,
            |f, pl, _| get(format!("/api/v1/tasks/{}/reports", f.at(pl).task)),
        ),
        op(
            p.clone(),
            "/api/v1/tasks/{id}/reports",
            Unit(Action::EditUnitWork),
            ALL,
            |f, pl, _| {
                call(
                    format!("/api/v1/tasks/{}/reports", f.at(pl).task),
                    Body::Json(
                        json!({"period": "2026-11", "progress": 40, "done": "Đang triển khai"}),
                    ),
                )
            },
        ),
        op(
            g.clone(),
            "/api/v1/tasks/{id}/extensions",
            Unit(Action::ViewWork),
            ALL,
            |f, pl, _| get(format!("/api/v1/tasks/{}/extensions", f.at(pl).task)),
        ),
        op(
            p.clone(),
            "/api/v1/tasks/{id}/extensions",
            Unit(Action::EditUnitWork),
            ALL,
            |f, pl, _| {
                call(
                    format!("/api/v1/tasks/{}/extensions", f.at(pl).task),
                    Body::Json(json!({"new_due_date": "2027-03-31", "reason": "Chờ kinh phí"})),
                )
            },
        ),
        op(
            p.clone(),
            "/api/v1/extensions/{id}/decision",
            Unit(Action::ReviewWork),
            ALL,
            |f, pl, _| {
                call(
                    format!("/api/v1/extensions/{}/decision", f.at(pl).extension),
                    Body::Json(json!({"approve": false, "comment": "Chưa đủ căn cứ"})),
                )
            },
        ),
        // ------------------------------------------------ explanation requests
        op(g.clone(), "/api/v1/explanations", Own, ONCE, |_, _, _| {
            get("/api/v1/explanations?inbox=following&overdue=true")
        }),
        op(
            g.clone(),
            "/api/v1/explanations/tally",
            Own,
            ONCE,
            |_, _, _| get("/api/v1/explanations/tally"),
        ),
        op(
            p.clone(),
            "/api/v1/explanations",
            Unit(Action::RequestExplanation),
            ALL,
            |_, pl, _| {
                call(
                    "/api/v1/explanations",
                    Body::Json(json!({"subject": "unit", "unit": code(pl),
                        "question": "Vì sao chậm?", "deadline": soon()})),
                )
            },
        ),
        op(
            g.clone(),
            "/api/v1/explanations/{id}",
            Unit(Action::ViewWork),
            ALL,
            |f, pl, _| get(format!("/api/v1/explanations/{}", f.at(pl).explanation)),
        ),
        op(
            p.clone(),
            "/api/v1/explanations/{id}/files",
            Unit(Action::AnswerExplanation),
            ALL,
            |f, pl, _| {
                call(
                    format!("/api/v1/explanations/{}/files", f.at(pl).explanation),
                    Body::File("giai-trinh.pdf", PDF.to_vec()),
                )
            },
        ),
        op(
            g.clone(),
            "/api/v1/explanation-files/{id}",
            Unit(Action::ViewWork),
            ALL,
            |f, pl, _| {
                get(format!(
                    "/api/v1/explanation-files/{}",
                    f.at(pl).explanation_file
                ))
            },
        ),
        op(
            p.clone(),
            "/api/v1/explanations/{id}/answer",
            Unit(Action::AnswerExplanation),
            ALL,
            |f, pl, _| {
                call(
                    format!("/api/v1/explanations/{}/answer", f.at(pl).explanation),
                    Body::Json(json!({"text": "Do thiếu kinh phí."})),
                )
            },
        ),
        op(
            p.clone(),
            "/api/v1/explanations/{id}/ask-again",
            Unit(Action::RequestExplanation),
            ALL,
            |f, pl, _| {
                call(
                    format!("/api/v1/explanations/{}/ask-again", f.at(pl).explanation),
                    Body::Json(
                        json!({"question": "Nêu rõ thời hạn khắc phục.", "deadline": soon()}),
                    ),
                )
            },
        ),
        op(
            p.clone(),
            "/api/v1/explanations/{id}/accept",
            Unit(Action::RequestExplanation),
            ALL,
            |f, pl, _| {
                call(
                    format!("/api/v1/explanations/{}/accept", f.at(pl).explanation),
                    Body::Json(json!({"comment": "Đồng ý."})),
                )
            },
        ),
        op(
            p.clone(),
            "/api/v1/explanations/{id}/withdraw",
            Unit(Action::RequestExplanation),
            ALL,
            |f, pl, _| {
                call(
                    format!("/api/v1/explanations/{}/withdraw", f.at(pl).explanation),
                    Body::Json(json!({"reason": "Gửi nhầm."})),
                )
            },
        ),
        op(
            g.clone(),
            "/api/v1/tasks/{id}/attachments",
            Unit(Action::ViewWork),
            ALL,
            |f, pl, _| get(format!("/api/v1/tasks/{}/attachments", f.at(pl).task)),
        ),
        op(
            p.clone(),
            "/api/v1/tasks/{id}/attachments",
            Unit(Action::EditUnitWork),
            ALL,
            |f, pl, _| {
                call(
                    format!("/api/v1/tasks/{}/attachments", f.at(pl).task),
                    Body::File("bien-ban.pdf", PDF.to_vec()),
                )
            },
        ),
        op(
            g.clone(),
            "/api/v1/attachments/{id}",
            Unit(Action::ViewWork),
            ALL,
            |f, pl, _| get(format!("/api/v1/attachments/{}", f.at(pl).attachment)),
        ),
        op(
            g.clone(),
            "/api/v1/tasks/{id}/criteria",
            Unit(Action::ViewWork),
            ALL,
            |f, pl, _| get(format!("/api/v1/tasks/{}/criteria", f.at(pl).task)),
        ),
        op(
            u.clone(),
            "/api/v1/tasks/{id}/criteria",
            Unit(Action::EditUnitWork),
            ALL,
            |f, pl, _| {
                call(
                    format!("/api/v1/tasks/{}/criteria", f.at(pl).task),
                    Body::Json(json!({"criteria": [{"framework_id": f.framework, "code": "1.1"}]})),
                )
            },
        ),
        // ------------------------------------------------ indicators and figures
        op(
            g.clone(),
            "/api/v1/indicators",
            Somewhere(Action::ViewWork),
            ONCE,
            |_, _, _| get("/api/v1/indicators"),
        ),
        op(
            p.clone(),
            "/api/v1/indicators",
            Province(Action::ManagePlans),
            ONCE,
            |_, _, n| {
                call(
                    "/api/v1/indicators",
                    Body::Json(
                        json!({"code": format!("MT-{n}"), "name": "Chỉ tiêu thử", "measure": "number",
                "aggregation": "sum", "direction": "higher", "period_type": "quarter"}),
                    ),
                )
            },
        ),
        op(
            g.clone(),
            "/api/v1/indicators/{code}",
            Somewhere(Action::ViewWork),
            ONCE,
            |_, _, _| get("/api/v1/indicators/T-MX"),
        ),
        op(
            pa.clone(),
            "/api/v1/indicators/{code}",
            Province(Action::ManagePlans),
            ONCE,
            |_, _, _| {
                call(
                    "/api/v1/indicators/T-MX",
                    Body::Json(
                        json!({"code": "T-MX", "name": "Chỉ tiêu của ma trận", "measure": "number",
                "aggregation": "sum", "direction": "higher", "period_type": "quarter"}),
                    ),
                )
            },
        ),
        op(
            g.clone(),
            "/api/v1/indicators/{code}/values",
            Unit(Action::ViewWork),
            ALL,
            |_, pl, _| {
                get(format!(
                    "/api/v1/indicators/T-MX/values?unit={}&period=2026Q1",
                    code(pl)
                ))
            },
        ),
        op(
            g.clone(),
            "/api/v1/forms",
            Somewhere(Action::ViewWork),
            ONCE,
            |_, _, _| get("/api/v1/forms"),
        ),
        op(
            p.clone(),
            "/api/v1/forms",
            Province(Action::ManagePlans),
            ONCE,
            |_, _, n| {
                call(
                    "/api/v1/forms",
                    Body::Json(
                        json!({"code": format!("BM-{n}"), "name": "Biểu thử", "period_type": "quarter",
                "indicators": ["T-MX"], "unit_kinds": ["district"]}),
                    ),
                )
            },
        ),
        op(
            g.clone(),
            "/api/v1/forms/{id}/completeness",
            Somewhere(Action::ReviewWork),
            ONCE,
            |_, _, _| get("/api/v1/forms/1/completeness?period=2026Q1"),
        ),
        op(
            p.clone(),
            "/api/v1/forms/{id}/reminders",
            Somewhere(Action::ReviewWork),
            ONCE,
            |_, _, _| {
                call(
                    "/api/v1/forms/1/reminders",
                    Body::Json(json!({"period": "2026Q1"})),
                )
            },
        ),
        op(
            g.clone(),
            "/api/v1/targets",
            Somewhere(Action::ViewWork),
            ONCE,
            |_, _, _| get("/api/v1/targets?period=2027"),
        ),
        op(
            u.clone(),
            "/api/v1/targets",
            Unit(Action::ManagePlans),
            ALL,
            |_, pl, _| {
                call(
                    "/api/v1/targets",
                    Body::Json(
                        json!([{"indicator": "T-MX", "unit": code(pl), "period": "2027", "value": 3.0}]),
                    ),
                )
            },
        ),
        op(
            p.clone(),
            "/api/v1/targets/copy",
            Province(Action::ManagePlans),
            ONCE,
            |_, _, _| {
                call(
                    "/api/v1/targets/copy",
                    Body::Json(json!({"from_year": 2027, "to_year": 2028})),
                )
            },
        ),
        op(
            p.clone(),
            "/api/v1/targets/split",
            Unit(Action::ManagePlans),
            ALL,
            |_, pl, _| {
                call(
                    "/api/v1/targets/split",
                    Body::Json(
                        json!({"indicator": "T-MX", "unit": code(pl), "year": 2027, "value": 100.0, "method": "equal"}),
                    ),
                )
            },
        ),
        op(
            g.clone(),
            "/api/v1/data-values",
            Unit(Action::ViewWork),
            ALL,
            |_, pl, _| {
                get(format!(
                    "/api/v1/data-values?unit={}&period=2026Q1",
                    code(pl)
                ))
            },
        ),
        op(
            p.clone(),
            "/api/v1/data-values",
            Unit(Action::EditUnitWork),
            ALL,
            |_, pl, _| {
                call(
                    "/api/v1/data-values",
                    Body::Json(
                        json!({"unit": code(pl), "period": "2026Q2", "rows": [{"indicator": "T-MX", "value": "5"}]}),
                    ),
                )
            },
        ),
        op(
            g.clone(),
            "/api/v1/data-values/export",
            Unit(Action::ViewWork),
            ALL,
            |_, pl, _| {
                get(format!(
                    "/api/v1/data-values/export?period=2026Q1&unit={}",
                    code(pl)
                ))
            },
        ),
        op(
            p.clone(),
            "/api/v1/data-values/import",
            Unit(Action::EditUnitWork),
            ALL,
            |_, pl, _| {
                call(
                    "/api/v1/data-values/import",
                    Body::Json(
                        json!([{"unit": code(pl), "period": "2026Q3", "indicator": "T-MX", "value": "6"}]),
                    ),
                )
            },
        ),
        op(
            g.clone(),
            "/api/v1/data-values/pending",
            Somewhere(Action::ReviewWork),
            ONCE,
            |_, _, _| get("/api/v1/data-values/pending"),
        ),
        op(
            p.clone(),
            "/api/v1/data-values/{id}/review",
            Unit(Action::ReviewWork),
            ALL,
            |f, pl, _| {
                call(
                    format!("/api/v1/data-values/{}/review", f.at(pl).value),
                    Body::Json(json!({"approve": false, "comment": "Xem lại"})),
                )
            },
        ),
        op(
            g.clone(),
            "/api/v1/data-values/{id}/history",
            Unit(Action::ViewWork),
            ALL,
            |f, pl, _| get(format!("/api/v1/data-values/{}/history", f.at(pl).value)),
        ),
        op(
            g.clone(),
            "/api/v1/data-values/{id}/files",
            Unit(Action::ViewWork),
            ALL,
            |f, pl, _| get(format!("/api/v1/data-values/{}/files", f.at(pl).value)),
        ),
        op(
            p.clone(),
            "/api/v1/data-values/{id}/files",
            Unit(Action::EditUnitWork),
            ALL,
            |f, pl, _| {
                call(
                    format!("/api/v1/data-values/{}/files", f.at(pl).value),
                    Body::File("minh-chung.pdf", PDF.to_vec()),
                )
            },
        ),
        op(
            g.clone(),
            "/api/v1/data-value-files/{id}",
            Unit(Action::ViewWork),
            ALL,
            |f, pl, _| get(format!("/api/v1/data-value-files/{}", f.at(pl).value_file)),
        ),
        op(
            g.clone(),
            "/api/v1/dhis2/dataValueSets",
            Unit(Action::ViewWork),
            ALL,
            |_, pl, _| {
                get(format!(
                    "/api/v1/dhis2/dataValueSets?period=2026Q1&orgUnit={}",
                    code(pl)
                ))
            },
        ),
        op(
            p.clone(),
            "/api/v1/dhis2/dataValueSets",
            Unit(Action::EditUnitWork),
            ALL,
            |_, pl, _| {
                call(
                    "/api/v1/dhis2/dataValueSets",
                    Body::Json(
                        json!({"dataValues": [{"dataElement": "T-MX", "period": "2026Q4", "orgUnit": code(pl), "value": "7"}]}),
                    ),
                )
            },
        ),
        op(
            g.clone(),
            "/api/v1/dhis2/mappings",
            Somewhere(Action::ViewWork),
            ONCE,
            |_, _, _| get("/api/v1/dhis2/mappings"),
        ),
        op(
            u.clone(),
            "/api/v1/dhis2/mappings",
            Province(Action::ManagePlans),
            ONCE,
            |_, _, _| {
                call(
                    "/api/v1/dhis2/mappings",
                    Body::Json(
                        json!({"items": [{"kind": "org_unit", "code": "540", "dhis2_id": "DiszpKrYNg8"}]}),
                    ),
                )
            },
        ),
        // ------------------------------------------------ dashboard and documents
        op(
            g.clone(),
            "/api/v1/dashboard",
            Unit(Action::ViewWork),
            ALL,
            |_, pl, _| get(format!("/api/v1/dashboard?unit={}&year=2026", code(pl))),
        ),
        op(
            p.clone(),
            "/api/v1/exports",
            Unit(Action::ViewWork),
            ALL,
            |_, pl, _| {
                call(
                    "/api/v1/exports",
                    Body::Json(json!({"kind": "xlsx", "unit": code(pl), "year": 2026})),
                )
            },
        ),
        op(
            g.clone(),
            "/api/v1/exports/dashboard.xlsx",
            Unit(Action::ViewWork),
            ALL,
            |_, pl, _| {
                get(format!(
                    "/api/v1/exports/dashboard.xlsx?unit={}&year=2026",
                    code(pl)
                ))
            },
        ),
        op(
            g.clone(),
            "/api/v1/exports/dashboard.docx",
            Unit(Action::ViewWork),
            ALL,
            |_, pl, _| {
                get(format!(
                    "/api/v1/exports/dashboard.docx?unit={}&year=2026",
                    code(pl)
                ))
            },
        ),
        op(
            g.clone(),
            "/api/v1/exports/dashboard.pdf",
            Unit(Action::ViewWork),
            ALL,
            |_, pl, _| {
                get(format!(
                    "/api/v1/exports/dashboard.pdf?unit={}&year=2026",
                    code(pl)
                ))
            },
        ),
        op(
            g.clone(),
            "/api/v1/exports/briefing.pdf",
            Unit(Action::ViewWork),
            ALL,
            |_, pl, _| {
                get(format!(
                    "/api/v1/exports/briefing.pdf?unit={}&year=2026",
                    code(pl)
                ))
            },
        ),
        op(
            g.clone(),
            "/api/v1/exports/{id}",
            ExportOwner,
            ONCE,
            |f, _, _| get(format!("/api/v1/exports/{}", f.export)),
        ),
        op(
            g.clone(),
            "/api/v1/exports/{id}/file",
            ExportOwner,
            ONCE,
            |f, _, _| get(format!("/api/v1/exports/{}/file", f.export)),
        ),
        // ------------------------------------------------ index frameworks, rounds, assessments
        op(
            g.clone(),
            "/api/v1/index-frameworks",
            Somewhere(Action::ViewWork),
            ONCE,
            |_, _, _| get("/api/v1/index-frameworks"),
        ),
        op(
            p.clone(),
            "/api/v1/index-frameworks",
            Province(Action::ManagePlans),
            ONCE,
            |_, _, n| {
                call(
                    "/api/v1/index-frameworks",
                    Body::Json(framework_body(&format!("MT-{n}"), &["district"])),
                )
            },
        ),
        op(
            p.clone(),
            "/api/v1/index-frameworks/import",
            Province(Action::ManagePlans),
            ONCE,
            |_, _, n| {
                call(
                    format!("/api/v1/index-frameworks/import?code=MTI-{n}"),
                    Body::Raw(
                        "application/json",
                        framework_body(&format!("MTI-{n}"), &["district"])
                            .to_string()
                            .into_bytes(),
                    ),
                )
            },
        ),
        op(
            g.clone(),
            "/api/v1/index-frameworks/{id}",
            Somewhere(Action::ViewWork),
            ONCE,
            |f, _, _| get(format!("/api/v1/index-frameworks/{}", f.framework)),
        ),
        op(
            u.clone(),
            "/api/v1/index-frameworks/{id}",
            Province(Action::ManagePlans),
            ONCE,
            |f, _, _| {
                call(
                    format!("/api/v1/index-frameworks/{}", f.framework),
                    Body::Json(framework_body("MT-D", &["district"])),
                )
            },
        ),
        op(
            p.clone(),
            "/api/v1/index-frameworks/{id}/copy",
            Province(Action::ManagePlans),
            ONCE,
            |f, _, n| {
                call(
                    format!("/api/v1/index-frameworks/{}/copy", f.framework),
                    Body::Json(
                        json!({"code": format!("MTC-{n}"), "name": "Bản sao", "year": 2027}),
                    ),
                )
            },
        ),
        op(
            g.clone(),
            "/api/v1/index-frameworks/{id}/export.json",
            Somewhere(Action::ViewWork),
            ONCE,
            |f, _, _| {
                get(format!(
                    "/api/v1/index-frameworks/{}/export.json",
                    f.framework
                ))
            },
        ),
        op(
            g.clone(),
            "/api/v1/index-frameworks/{id}/export.xlsx",
            Somewhere(Action::ViewWork),
            ONCE,
            |f, _, _| {
                get(format!(
                    "/api/v1/index-frameworks/{}/export.xlsx",
                    f.framework
                ))
            },
        ),
        op(
            g.clone(),
            "/api/v1/index-rounds",
            Somewhere(Action::ViewWork),
            ONCE,
            |_, _, _| get("/api/v1/index-rounds"),
        ),
        op(
            p.clone(),
            "/api/v1/index-rounds",
            Unit(Action::ManagePlans),
            ALL,
            |f, pl, n| {
                call(
                    "/api/v1/index-rounds",
                    Body::Json(
                        json!({"framework_id": f.framework, "name": format!("Vòng thử {n}"), "year": 2026,
                "deadline": "31/12/2026", "run_by": code(pl), "units": []}),
                    ),
                )
            },
        ),
        op(
            g.clone(),
            "/api/v1/index-rounds/{id}",
            Somewhere(Action::ViewWork),
            ASSESSED,
            |f, pl, _| get(format!("/api/v1/index-rounds/{}", f.at(pl).round)),
        ),
        op(
            p.clone(),
            "/api/v1/index-rounds/{id}/publish",
            Runner(Action::ReviewWork),
            ASSESSED,
            |f, pl, _| {
                call(
                    format!("/api/v1/index-rounds/{}/publish", f.at(pl).round),
                    Body::None,
                )
            },
        ),
        op(
            g.clone(),
            "/api/v1/index-rounds/{id}/results",
            Runner(Action::ViewWork),
            ASSESSED,
            |f, pl, _| get(format!("/api/v1/index-rounds/{}/results", f.at(pl).round)),
        ),
        op(
            g.clone(),
            "/api/v1/index-rounds/{id}/results.xlsx",
            Runner(Action::ViewWork),
            ASSESSED,
            |f, pl, _| {
                get(format!(
                    "/api/v1/index-rounds/{}/results.xlsx",
                    f.at(pl).round
                ))
            },
        ),
        op(
            g.clone(),
            "/api/v1/index-rounds/{id}/results.pdf",
            Runner(Action::ViewWork),
            ASSESSED,
            |f, pl, _| {
                get(format!(
                    "/api/v1/index-rounds/{}/results.pdf",
                    f.at(pl).round
                ))
            },
        ),
        op(
            g.clone(),
            "/api/v1/assessments/{id}",
            AssessmentReader,
            ASSESSED,
            |f, pl, _| get(format!("/api/v1/assessments/{}", f.at(pl).assessment)),
        ),
        op(
            u.clone(),
            "/api/v1/assessments/{id}/scores",
            Unit(Action::EditUnitWork),
            ASSESSED,
            |f, pl, _| {
                call(
                    format!("/api/v1/assessments/{}/scores", f.at(pl).assessment),
                    Body::Json(json!({"answers": [{"criterion": "1.1", "points": 5}]})),
                )
            },
        ),
        op(
            p.clone(),
            "/api/v1/assessments/{id}/evidence",
            Unit(Action::EditUnitWork),
            ASSESSED,
            |f, pl, _| {
                call(
                    format!("/api/v1/assessments/{}/evidence", f.at(pl).assessment),
                    Body::Json(
                        json!({"criterion": "1.1", "url": "https://example.org/bien-ban", "title": "Biên bản"}),
                    ),
                )
            },
        ),
        op(
            p.clone(),
            "/api/v1/assessments/{id}/evidence/files",
            Unit(Action::EditUnitWork),
            ASSESSED,
            |f, pl, _| {
                call(
                    format!(
                        "/api/v1/assessments/{}/evidence/files?criterion=1.1",
                        f.at(pl).assessment
                    ),
                    Body::File("bien-ban.pdf", PDF.to_vec()),
                )
            },
        ),
        op(
            g.clone(),
            "/api/v1/assessment-evidence/{id}",
            AssessmentReader,
            ASSESSED,
            |f, pl, _| {
                get(format!(
                    "/api/v1/assessment-evidence/{}",
                    f.at(pl).evidence_file
                ))
            },
        ),
        op(
            p.clone(),
            "/api/v1/assessments/{id}/actions",
            Unit(Action::SubmitUnitWork),
            ASSESSED,
            |f, pl, _| {
                call(
                    format!("/api/v1/assessments/{}/actions", f.at(pl).assessment),
                    Body::Json(json!({"action": "submit"})),
                )
            },
        ),
        op(
            p.clone(),
            "/api/v1/assessments/{id}/verifications",
            Runner(Action::ReviewWork),
            ASSESSED,
            |f, pl, _| {
                call(
                    format!("/api/v1/assessments/{}/verifications", f.at(pl).assessment),
                    Body::Json(json!({"criterion": "1.1", "decision": "accepted"})),
                )
            },
        ),
        op(
            p.clone(),
            "/api/v1/assessments/{id}/responses",
            Unit(Action::SubmitUnitWork),
            ASSESSED,
            |f, pl, _| {
                call(
                    format!("/api/v1/assessments/{}/responses", f.at(pl).assessment),
                    Body::Json(
                        json!({"responses": [{"criterion": "1.1", "response": "Đã bổ sung"}]}),
                    ),
                )
            },
        ),
        op(
            p.clone(),
            "/api/v1/assessments/{id}/corrections",
            Runner(Action::ReviewWork),
            ASSESSED,
            |f, pl, _| {
                call(
                    format!("/api/v1/assessments/{}/corrections", f.at(pl).assessment),
                    Body::Json(json!({"criterion": "1.1", "points": 4, "comment": "Đính chính"})),
                )
            },
        ),
        // ------------------------------------------------ open data
        op(g.clone(), "/open/catalog.json", Public, ONCE, |_, _, _| {
            get("/open/catalog.json")
        }),
        op(g, "/open/datasets/{file}", Public, ONCE, |_, _, _| {
            get("/open/datasets/plan-progress.csv")
        }),
    ]
}

fn grants_of(me: &Value) -> Vec<Grant> {
    me["grants"]
        .as_array()
        .expect("grants")
        .iter()
        .map(|g| Grant {
            role: Role::parse(g["role"].as_str().expect("role")).expect("a known role"),
            unit: g["unit"].as_i64(),
            read_only: g["read_only"].as_bool().unwrap_or(false),
        })
        .collect()
}

impl Actor {
    fn allowed(&self, op: &Op, place: Option<Place>, f: &Fixtures) -> bool {
        let Some(username) = &self.username else {
            return matches!(op.need, Need::Public);
        };
        // A read-only token changes nothing at all.
        if self.read_only && op.method != Method::GET {
            return false;
        }
        let g = &self.grants;
        let lineage = |p: Option<Place>| f.lineage[code(p)].as_slice();
        let runner = |p: Option<Place>| f.runner_lineage[code(p)].as_slice();
        match op.need {
            Need::Public | Need::Own => true,
            Need::SessionOnly => !self.token,
            Need::System(a) => authorize(g, a, Target::System),
            Need::Province(a) => authorize(g, a, Target::Unit(&[f.root])),
            Need::Unit(a) => authorize(g, a, Target::Unit(lineage(place))),
            Need::UnitEither(a, b) => {
                authorize(g, a, Target::Unit(lineage(place)))
                    || authorize(g, b, Target::Unit(lineage(place)))
            }
            Need::Runner(a) => authorize(g, a, Target::Unit(runner(place))),
            Need::AssessmentReader => {
                authorize(g, Action::ViewWork, Target::Unit(lineage(place)))
                    || authorize(g, Action::ViewWork, Target::Unit(runner(place)))
                    || authorize(g, Action::ReviewWork, Target::Unit(runner(place)))
            }
            Need::Somewhere(a) => holds(g, a),
            Need::ExportOwner => {
                (username == "coordinator" || authorize(g, Action::ManageUsers, Target::System))
                    && authorize(g, Action::ViewWork, Target::Unit(&[f.root]))
            }
        }
    }

    async fn send(&self, app: &TestApp, method: Method, c: Call) -> (StatusCode, String) {
        let client = match &self.who {
            Who::Session(s) => s.client.clone(),
            _ => app.client(),
        };
        let mut r = client.request(method, app.url(&c.path));
        r = match &self.who {
            Who::Anonymous => r,
            Who::Session(s) => r.header("x-csrf-token", &s.csrf),
            Who::Token(secret) => r.bearer_auth(secret),
        };
        r = match c.body {
            Body::None => r,
            Body::Json(v) => r.json(&v),
            Body::Raw(ct, bytes) => r.header("content-type", ct).body(bytes),
            Body::File(name, bytes) => r.multipart(reqwest::multipart::Form::new().part(
                "file",
                reqwest::multipart::Part::bytes(bytes).file_name(name),
            )),
        };
        let response = r.send().await.expect("request");
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        let code = serde_json::from_str::<Value>(&text)
            .ok()
            .and_then(|v| v["error"]["code"].as_str().map(str::to_string))
            .unwrap_or_default();
        (status, code)
    }
}

async fn made(s: &Session, path: &str, body: Value) -> Value {
    let (status, answer) = s.post_json(path, &body).await;
    assert!(status.is_success(), "{path}: {status} {answer}");
    answer
}

async fn upload(s: &Session, path: &str) -> Value {
    let r = s
        .client
        .post(s.url(path))
        .header("x-csrf-token", &s.csrf)
        .multipart(reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(PDF.to_vec()).file_name("minh-chung.pdf"),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED, "{path}");
    r.json().await.unwrap()
}

async fn fixtures(app: &TestApp, admin: &Session, coordinator: &Session) -> Fixtures {
    let id = |v: &Value| v["id"].as_i64().unwrap_or_else(|| panic!("no id in {v}"));
    let (_, plans) = admin.get_json("/api/v1/plans").await;
    let plan = plans["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["year"] == 2026)
        .map(id)
        .unwrap();
    let (_, groups) = admin
        .get_json(&format!("/api/v1/plans/{plan}/groups"))
        .await;
    let group = id(&groups["items"][0]);
    made(admin, "/api/v1/indicators", json!({"code": "T-MX", "name": "Chỉ tiêu của ma trận",
        "measure": "number", "aggregation": "sum", "direction": "higher", "period_type": "quarter"})).await;
    let framework = id(&made(
        admin,
        "/api/v1/index-frameworks",
        framework_body("MT-D", &["district"]),
    )
    .await["framework"]);
    let communes = id(&made(
        admin,
        "/api/v1/index-frameworks",
        framework_body("MT-X", &["commune"]),
    )
    .await["framework"]);
    let district_round = id(&made(
        admin,
        "/api/v1/index-rounds",
        json!({"framework_id": framework, "name": "Vòng huyện",
        "year": 2026, "deadline": "31/12/2026", "run_by": "52", "units": ["540", "542"]}),
    )
    .await);
    let commune_round = id(&made(
        admin,
        "/api/v1/index-rounds",
        json!({"framework_id": communes, "name": "Vòng xã",
        "year": 2026, "deadline": "31/12/2026", "run_by": "540", "units": ["21550"]}),
    )
    .await);
    let mut by_place = HashMap::new();
    let mut lineage = HashMap::new();
    let mut runner_lineage = HashMap::new();
    let mut c = app.state.db.read().await.unwrap();
    let unit_id = |code: &'static str| async move {
        let mut c = app.state.db.read().await.unwrap();
        dxplan_app::store::units::by_code(&mut c, code, app.state.today())
            .await
            .unwrap()
            .unwrap()
    };
    for place in Place::ALL {
        let code = place.code();
        let unit = unit_id(code).await;
        lineage.insert(
            code,
            dxplan_app::store::units::lineage(&mut c, unit.id)
                .await
                .unwrap(),
        );
        let runner = if place == Place::Child { "540" } else { "52" };
        let runner_id = unit_id(runner).await.id;
        runner_lineage.insert(
            code,
            dxplan_app::store::units::lineage(&mut c, runner_id)
                .await
                .unwrap(),
        );
        let mut at = PlaceFixtures {
            unit_name: unit.name.clone(),
            ..PlaceFixtures::default()
        };
        at.task = id(&made(admin, &format!("/api/v1/plans/{plan}/tasks"), json!({"code": format!("F.{code}"),
            "title": "Nhiệm vụ của ma trận", "group_id": group, "lead_unit_code": code, "due_date": "2026-12-31"})).await);
        for action in ["submit", "approve", "start"] {
            made(
                admin,
                &format!("/api/v1/tasks/{}/transitions", at.task),
                json!({"action": action}),
            )
            .await;
        }
        at.extension = id(&made(
            admin,
            &format!("/api/v1/tasks/{}/extensions", at.task),
            json!({"new_due_date": "2027-06-30", "reason": "Chờ kinh phí"}),
        )
        .await);
        at.attachment = id(&upload(admin, &format!("/api/v1/tasks/{}/attachments", at.task)).await);
        let saved = made(
            admin,
            "/api/v1/data-values",
            json!({"unit": code, "period": "2026Q1", "submit": true,
            "rows": [{"indicator": "T-MX", "value": "4"}]}),
        )
        .await;
        at.value = saved["items"][0]["id"].as_i64().expect("a figure");
        at.value_file =
            id(&upload(admin, &format!("/api/v1/data-values/{}/files", at.value)).await);
        let user = made(admin, "/api/v1/users", json!({"username": format!("ma-tran-{code}"),
            "display_name": "Người của ma trận", "password": "Một mật khẩu đủ dài", "unit_code": code,
            "role": "viewer", "role_unit_code": code})).await;
        at.user = id(&user);
        let (_, grants) = admin
            .get_json(&format!("/api/v1/users/{}/grants", at.user))
            .await;
        at.grant = id(&grants["items"][0]);
        if place != Place::Parent {
            at.round = if place == Place::Child {
                commune_round
            } else {
                district_round
            };
            let (_, round) = admin
                .get_json(&format!("/api/v1/index-rounds/{}", at.round))
                .await;
            at.assessment = round["assessments"]
                .as_array()
                .expect("assessments")
                .iter()
                .find(|a| a["assessment"]["unit_code"] == code)
                .map(|a| id(&a["assessment"]))
                .unwrap_or_else(|| panic!("no assessment of {code}: {round}"));
            let evidence = upload(
                admin,
                &format!(
                    "/api/v1/assessments/{}/evidence/files?criterion=1.1",
                    at.assessment
                ),
            )
            .await;
            at.evidence_file = id(&evidence);
        }
        // Asked by the coordinator, so the administrator (not the asker) may answer it.
        at.explanation = id(&made(
            coordinator,
            "/api/v1/explanations",
            json!({"subject": "unit", "unit": code, "question": "Vì sao chậm?", "deadline": soon()}),
        )
        .await);
        at.explanation_file = id(&upload(
            admin,
            &format!("/api/v1/explanations/{}/files", at.explanation),
        )
        .await);
        by_place.insert(code, at);
    }
    let change = made(admin, "/api/v1/reorganisations", json!({"name": "Sắp xếp của ma trận",
        "effective_on": "2027-07-01", "new_units_csv": crate::reorg::NEW_UNITS, "lineage_csv": crate::reorg::LINEAGE})).await;
    let webhook = made(
        admin,
        "/api/v1/webhooks",
        json!({"url": "https://8.8.8.8/dxplan", "events": ["task.submitted"]}),
    )
    .await;
    let token = made(
        admin,
        "/api/v1/tokens",
        json!({"name": "ma trận", "access": "read"}),
    )
    .await;
    let export = made(
        coordinator,
        "/api/v1/exports",
        json!({"kind": "xlsx", "unit": "52", "year": 2026}),
    )
    .await;
    let export = id(&export);
    for _ in 0..200 {
        let (_, job) = coordinator
            .get_json(&format!("/api/v1/exports/{export}"))
            .await;
        if job["status"] != "running" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let root = unit_id("52").await.id;
    let briefing = id(&made(
        coordinator,
        "/api/v1/briefing-schedules",
        briefing_body(plan),
    )
    .await);
    let briefing_send = id(&made(
        coordinator,
        &format!("/api/v1/briefing-schedules/{briefing}/send"),
        json!({}),
    )
    .await);
    Fixtures {
        briefing,
        briefing_send,
        plan,
        group,
        framework,
        change: id(&change["change"]),
        webhook: id(&webhook["webhook"]),
        token: id(&token["token"]),
        export,
        root,
        lineage,
        runner_lineage,
        by_place,
    }
}

async fn actor(app: &TestApp, name: &'static str, who: Who) -> Actor {
    let (username, grants, token, read_only) = match &who {
        Who::Anonymous => (None, Vec::new(), false, false),
        Who::Session(s) => {
            let (_, me) = s.get_json("/api/v1/me").await;
            (
                me["username"].as_str().map(str::to_string),
                grants_of(&me),
                false,
                false,
            )
        }
        Who::Token(secret) => {
            let me: Value = app
                .client()
                .get(app.url("/api/v1/me"))
                .bearer_auth(secret)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let grants = grants_of(&me);
            let read_only = !grants.is_empty() && grants.iter().all(|g| g.read_only);
            (
                me["username"].as_str().map(str::to_string),
                grants,
                true,
                read_only,
            )
        }
    };
    Actor {
        name,
        who,
        username,
        grants,
        token,
        read_only,
    }
}

async fn token(s: &Session, access: &str, unit: Option<&str>) -> String {
    let created = made(
        s,
        "/api/v1/tokens",
        json!({"name": format!("{access} {unit:?}"), "access": access, "unit": unit}),
    )
    .await;
    created["secret"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn every_operation_answers_every_caller_as_the_policy_says() {
    // Tokens make hundreds of calls here: their rate limit is not what is tested.
    let mut config = crate::support::test_config();
    config.app.token_rate.burst = 100_000;
    let app = TestApp::spawn_with(config).await;
    let admin = app.login("admin").await;
    let coordinator = app.login("coordinator").await;

    // Every operation of the document has its rule, and only those.
    let doc: Value = app
        .client()
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let documented: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .map(move |m| (m.to_uppercase(), path.clone()))
        })
        .collect();
    let ops = operations();
    let ruled: BTreeSet<(String, String)> = ops
        .iter()
        .map(|o| (o.method.to_string(), o.path.to_string()))
        .collect();
    let missing: Vec<_> = documented.difference(&ruled).collect();
    assert!(
        missing.is_empty(),
        "operations without a rule: {missing:#?}"
    );
    let stale: Vec<_> = ruled.difference(&documented).collect();
    assert!(stale.is_empty(), "rules for no operation: {stale:#?}");

    let fx = fixtures(&app, &admin, &coordinator).await;
    let read_token = token(&coordinator, "read", None).await;
    let narrowed = token(&coordinator, "read_write", Some("540")).await;
    let admin_narrowed = token(&admin, "read_write", Some("540")).await;
    // From the least to the most trusted: refusals meet the fixtures as they were made.
    let mut actors = Vec::new();
    for (name, who) in [
        ("anonymous", Who::Anonymous),
        ("read-only token", Who::Token(read_token)),
        ("viewer", Who::Session(app.login("viewer").await)),
        ("editor-540", Who::Session(app.login("editor-540").await)),
        (
            "approver-540",
            Who::Session(app.login("approver-540").await),
        ),
        ("token narrowed to 540", Who::Token(narrowed)),
        ("admin's token narrowed to 540", Who::Token(admin_narrowed)),
        (
            "coordinator-540",
            Who::Session(app.login("coordinator-540").await),
        ),
        ("coordinator", Who::Session(coordinator)),
        ("admin", Who::Session(admin)),
    ] {
        actors.push(actor(&app, name, who).await);
    }

    let mut problems = Vec::new();
    let (mut tried, mut refused) = (0, 0);
    let mut n = 0;
    for op in &ops {
        let places: Vec<Option<Place>> = if op.places.is_empty() {
            vec![None]
        } else {
            op.places.iter().copied().map(Some).collect()
        };
        for place in places {
            for a in &actors {
                // Logging in and out is tried without an account: either would change the
                // caller's session.
                if op.path.starts_with("/api/v1/auth/") && a.username.is_some() {
                    continue;
                }
                n += 1;
                let call = (op.make)(&fx, place, n);
                let shown = format!("{} {} [{:?}] as {}", op.method, call.path, place, a.name);
                let expected = a.allowed(op, place, &fx);
                let (status, error) = a.send(&app, op.method.clone(), call).await;
                let shown = format!("{shown} ({error})");
                tried += 1;
                let refusal = matches!(
                    status,
                    StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
                );
                if status.is_server_error() {
                    problems.push(format!("5xx: {shown} → {status}"));
                } else if expected
                    && refusal
                    && !(op.may_be_gone && status == StatusCode::NOT_FOUND)
                {
                    problems.push(format!("refused: {shown} → {status}"));
                } else if !expected && !refusal {
                    problems.push(format!("LEAK: {shown} → {status}"));
                } else if !expected {
                    refused += 1;
                }
                if a.username.is_none()
                    && !matches!(op.need, Need::Public)
                    && status != StatusCode::UNAUTHORIZED
                {
                    problems.push(format!("anonymous not told to log in: {shown} → {status}"));
                }
            }
        }
    }
    eprintln!(
        "authorisation matrix: {tried} calls, {refused} refusals, {} problems",
        problems.len()
    );
    assert!(
        problems.is_empty(),
        "{} of {tried} cells wrong:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
