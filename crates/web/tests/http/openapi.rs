//! The OpenAPI document is generated from the handlers; every API route must be in it: a
//! new route without its description fails this test.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::Value;

use crate::support::TestApp;

/// Every path given to `.route(` in a source file.
fn routes_in(source: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = source;
    while let Some(i) = rest.find(".route(") {
        rest = &rest[i + ".route(".len()..];
        let trimmed = rest.trim_start();
        if let Some(literal) = trimmed.strip_prefix('"')
            && let Some(end) = literal.find('"')
        {
            out.push(literal[..end].to_string());
        }
    }
    out
}

fn api_routes() -> BTreeSet<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/api");
    let mut all = BTreeSet::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "rs") {
            let source = std::fs::read_to_string(&path).unwrap();
            all.extend(
                routes_in(&source)
                    .into_iter()
                    .map(|r| format!("/api/v1{r}")),
            );
        }
    }
    let pages = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/pages/mod.rs"),
    )
    .unwrap();
    // The open-data area's machine endpoints (its landing page is HTML).
    all.extend(
        routes_in(&pages)
            .into_iter()
            .filter(|r| r.starts_with("/open/")),
    );
    all
}

#[tokio::test]
async fn every_api_route_is_described_in_the_generated_document() {
    let app = TestApp::spawn().await;
    let r = app
        .client()
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let doc: Value = r.json().await.unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
    // Typed answers name their fields.
    let token = &doc["components"]["schemas"]["Token"]["properties"];
    for field in ["name", "access", "expires_at", "last_used_at", "revoked_at"] {
        assert!(token[field].is_object(), "Token.{field}");
    }
    assert!(
        token.get("token_hash").is_none(),
        "no secret material in the schema"
    );
    assert!(doc["components"]["schemas"]["Round"]["properties"]["deadline"].is_object());
    // A merged unit's comparison basis is described with the results.
    let basis = doc["components"]["schemas"]["PreviousBasis"].to_string();
    assert!(basis.contains("average_of_predecessors"), "{basis}");
    assert!(doc["components"]["schemas"]["UnitResult"]["properties"]["previous_basis"].is_object());
    // A key indicator's forecast is described with its colours.
    let outlook = doc["components"]["schemas"]["Outlook"].to_string();
    assert!(
        outlook.contains("will_miss") && outlook.contains("cannot_judge"),
        "{outlook}"
    );
    assert!(doc["components"]["schemas"]["KeyIndicator"]["properties"]["forecast"].is_object());
    // Every operation names its refusals in the shared error format.
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            assert!(
                responses.keys().any(|s| s.starts_with('2')),
                "{method} {path} has no success answer"
            );
            if path.starts_with("/api/v1") && path != "/api/v1/auth/login" {
                assert!(responses.contains_key("401"), "{method} {path}: 401");
            }
        }
    }
    let described: BTreeSet<String> = doc["paths"].as_object().unwrap().keys().cloned().collect();
    let routes = api_routes();
    assert!(routes.len() > 50, "{} routes found", routes.len());
    let missing: Vec<&String> = routes.iter().filter(|r| !described.contains(*r)).collect();
    assert!(
        missing.is_empty(),
        "routes missing from the document: {missing:#?}"
    );
    let unknown: Vec<&String> = described.iter().filter(|d| !routes.contains(*d)).collect();
    assert!(unknown.is_empty(), "described but not routed: {unknown:#?}");

    // The reference page is served by dxplan itself.
    let page = app
        .client()
        .get(app.url("/api/docs"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("/api/v1/tokens") && page.contains("/open/catalog.json"));
    assert!(!page.contains("https://cdn"), "no external assets");
}
