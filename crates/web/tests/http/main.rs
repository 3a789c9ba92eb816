//! The HTTP integration suite: the real router on a real socket, over a real database —
//! SQLite by default, PostgreSQL when `DXPLAN_TEST_DATABASE_URL` is set.

mod support;

mod accounts;
mod api_units;
mod assessment;
mod authz;
mod authz_matrix;
mod briefings;
mod browser;
mod conventions;
mod csv_safety;
mod dashboard;
mod demo;
mod dhis2;
mod displays;
mod documents;
mod evaluation;
mod explanations;
mod forecasts;
mod hostile_uploads;
mod index;
mod indicators;
mod offline;
mod open_data;
mod openapi;
mod pages;
mod plan_import;
mod reorg;
mod scoped_rights;
mod security;
mod steering;
mod task_taxonomy;
mod tasks;
mod tokens;
mod urging;
mod webhooks;
