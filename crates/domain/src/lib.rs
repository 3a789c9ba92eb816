//! dxplan's domain: the types, rules and calculations every other layer relies on.
//!
//! Nothing here performs I/O; everything is deterministic and unit-tested, so the
//! store, web and job layers can stay thin.

pub mod assessment;
pub mod attachment;
pub mod auth;
pub mod briefing;
pub mod cancel;
pub mod dashboard;
pub mod dhis2;
pub mod evaluation;
pub mod explanation;
pub mod forecast;
pub mod framework_import;
pub mod i18n;
pub mod indicator;
pub mod issuer;
pub mod notification;
pub mod period;
pub mod plan_import;
pub mod reorg;
pub mod reorg_plan;
pub mod rollup;
pub mod scoring;
pub mod steering;
pub mod task;
pub mod text;
pub mod unit;
pub mod unit_import;
pub mod unit_match;
pub mod user;
pub mod validation;
pub mod webhook;

pub use i18n::Lang;
pub use validation::{FieldError, Invalid};
