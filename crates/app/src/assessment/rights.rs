//! Who may do what with one assessment, read once with the assessment itself.

use std::collections::HashMap;

use serde::Serialize;

use dxplan_domain::auth::{Action, Target};
use dxplan_store::index_rounds::{self as rounds, Assessment};
use dxplan_store::{Conn, units};

pub use dxplan_store::index_rounds::Round;

use crate::error::{AppError, AppResult};
use crate::index::FrameworkView;
use crate::principal::CurrentUser;

// ---------------------------------------------------------------- who may do what

/// What the caller may do with one assessment.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rights {
    /// Coordinate the round: verify any criterion, reopen, close verification, publish.
    pub manage: bool,
    /// The unit's staff: fill in, attach evidence.
    pub edit: bool,
    /// The unit's head: approve and submit, respond.
    pub submit: bool,
    /// Criteria the caller verifies as a sector department (all when `manage`).
    pub verify_codes: Vec<String>,
}

pub(super) struct Loaded {
    pub(super) round: Round,
    pub(super) assessment: Assessment,
    pub(super) framework: FrameworkView,
    pub(super) rights: Rights,
}

pub(super) async fn framework_view(c: &mut Conn, id: i64) -> AppResult<FrameworkView> {
    crate::index::view_of(c, id).await
}

fn rights_of(
    user: &CurrentUser,
    run_lineage: &[i64],
    unit_lineage: &[i64],
    verifier_lineages: &HashMap<i64, Vec<i64>>,
    framework: &FrameworkView,
    unit_id: i64,
) -> Rights {
    let manage = user.may(Action::ReviewWork, Target::Unit(run_lineage));
    let verify_codes = framework
        .criteria
        .iter()
        .filter(|k| k.rule.is_some())
        .filter(|k| {
            manage
                || k.verifier_unit_id.is_some_and(|v| {
                    // A department does not verify its own assessment.
                    v != unit_id
                        && verifier_lineages
                            .get(&v)
                            .is_some_and(|l| user.may(Action::EditUnitWork, Target::Unit(l)))
                })
        })
        .map(|k| k.code.clone())
        .collect();
    Rights {
        manage,
        edit: user.may(Action::EditUnitWork, Target::Unit(unit_lineage)),
        submit: user.may(Action::SubmitUnitWork, Target::Unit(unit_lineage)),
        verify_codes,
    }
}

pub(super) async fn verifier_lineages(
    c: &mut Conn,
    framework: &FrameworkView,
) -> AppResult<HashMap<i64, Vec<i64>>> {
    let mut out = HashMap::new();
    for v in framework.criteria.iter().filter_map(|k| k.verifier_unit_id) {
        if let std::collections::hash_map::Entry::Vacant(e) = out.entry(v) {
            e.insert(units::lineage(c, v).await?);
        }
    }
    Ok(out)
}

/// Loads an assessment for a user who may see it: the round's coordinators, anyone who
/// reads the unit's work, and the departments verifying some of its criteria.
pub(super) async fn load(c: &mut Conn, user: &CurrentUser, id: i64) -> AppResult<Loaded> {
    let assessment = rounds::assessment(c, id).await?;
    let round = rounds::round(c, assessment.round_id).await?;
    let framework = framework_view(c, round.framework_id).await?;
    let run_lineage = units::lineage(c, round.run_by_unit_id).await?;
    let unit_lineage = units::lineage(c, assessment.unit_id).await?;
    let verifiers = verifier_lineages(c, &framework).await?;
    let rights = rights_of(
        user,
        &run_lineage,
        &unit_lineage,
        &verifiers,
        &framework,
        assessment.unit_id,
    );
    let sees = rights.manage
        || !rights.verify_codes.is_empty()
        || user.may(Action::ViewWork, Target::Unit(&unit_lineage))
        || user.may(Action::ViewWork, Target::Unit(&run_lineage));
    if !sees {
        return Err(AppError::Forbidden);
    }
    Ok(Loaded {
        round,
        assessment,
        framework,
        rights,
    })
}
