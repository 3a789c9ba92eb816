//! Roles, actions and the one policy function that decides who may do what, where.
//!
//! A role is granted on a unit and applies to that unit's whole subtree; a grant
//! with no unit applies to the whole system. Every handler asks [`authorize`].

use serde::{Deserialize, Serialize};

use crate::Lang;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Role {
    Admin,
    Coordinator,
    UnitApprover,
    UnitEditor,
    Viewer,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Admin,
        Role::Coordinator,
        Role::UnitApprover,
        Role::UnitEditor,
        Role::Viewer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Coordinator => "coordinator",
            Role::UnitApprover => "unit_approver",
            Role::UnitEditor => "unit_editor",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Role::Admin => lang.pick("Quản trị hệ thống", "Administrator"),
            Role::Coordinator => lang.pick("Điều phối chuyển đổi số", "DX coordinator"),
            Role::UnitApprover => lang.pick("Lãnh đạo đơn vị (duyệt)", "Unit approver"),
            Role::UnitEditor => lang.pick("Cán bộ đơn vị (nhập liệu)", "Unit editor"),
            Role::Viewer => lang.pick("Theo dõi (chỉ xem)", "Viewer"),
        }
    }

    /// What this role may do inside its scope.
    pub fn allows(self, action: Action) -> bool {
        use Action::*;
        match self {
            Role::Admin => true,
            Role::Coordinator => matches!(
                action,
                ViewUnits
                    | ViewUsers
                    | ViewWork
                    | ManagePlans
                    | ReviewWork
                    | EditUnitWork
                    | Reorganise
                    | RequestExplanation
            ),
            Role::UnitApprover => matches!(
                action,
                ViewUnits
                    | ViewUsers
                    | ViewWork
                    | EditUnitWork
                    | SubmitUnitWork
                    | AnswerExplanation
            ),
            Role::UnitEditor => matches!(
                action,
                ViewUnits | ViewWork | EditUnitWork | AnswerExplanation
            ),
            // A leader follows the programme and asks units to explain themselves.
            Role::Viewer => matches!(action, ViewUnits | ViewWork | RequestExplanation),
        }
    }
}

impl TryFrom<String> for Role {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Role::parse(&s).ok_or_else(|| format!("unknown role {s:?}"))
    }
}

/// Everything a user can ask to do. Later capabilities add variants here, so the
/// policy stays in one place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Browse the unit tree.
    ViewUnits,
    /// Create, edit, move, retire and import units.
    ManageUnits,
    /// See the accounts that hold roles in a unit.
    ViewUsers,
    /// Create accounts, reset passwords, grant and revoke roles.
    ManageUsers,
    /// Read the audit log.
    ViewAudit,
    /// Read plans, tasks, indicators and assessments.
    ViewWork,
    /// Create plans, assign tasks, publish.
    ManagePlans,
    /// Review registrations, data and self-assessments.
    ReviewWork,
    /// Draft a unit's tasks, reports, data and self-assessment.
    EditUnitWork,
    /// Submit on the unit's behalf.
    SubmitUnitWork,
    /// Prepare, apply and undo a reorganisation of units and decide where the live work
    /// of retired units goes (the administrator and the programme's coordinator).
    Reorganise,
    /// Ask a unit to explain a figure, a task or its work, and read, accept or return the
    /// answer (leaders and the programme's coordinator). Answering is the unit's own work
    /// ([`Action::AnswerExplanation`]).
    RequestExplanation,
    /// Answer an explanation request on the unit's behalf, with evidence: the unit's own
    /// staff, not the coordinator who may otherwise draft a unit's work.
    AnswerExplanation,
}

/// A role held on a unit (and its subtree), or on the whole system when `unit` is `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Grant {
    pub role: Role,
    pub unit: Option<i64>,
    /// Reading only, whatever the role allows (an API token made read-only).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub read_only: bool,
}

impl Grant {
    pub fn new(role: Role, unit: Option<i64>) -> Grant {
        Grant {
            role,
            unit,
            read_only: false,
        }
    }

    /// What this grant lets its holder do, read-only grants reading only.
    pub fn allows(&self, action: Action) -> bool {
        self.role.allows(action) && (!self.read_only || action.is_read())
    }
}

impl Action {
    /// Reading changes nothing: a read-only token may do it.
    pub fn is_read(self) -> bool {
        matches!(
            self,
            Action::ViewUnits | Action::ViewUsers | Action::ViewAudit | Action::ViewWork
        )
    }
}

/// The grants an API token acts with: its owner's, made read-only if asked, and narrowed to
/// a unit's subtree if asked. `unit` is the token's unit with its lineage (itself first);
/// `lineage_of` gives a grant's unit lineage. A grant covering the unit is moved down to
/// it; a grant inside the unit's subtree stays; any other grant is dropped.
pub fn narrow_grants(
    grants: &[Grant],
    read_only: bool,
    unit: Option<&[i64]>,
    lineage_of: impl Fn(i64) -> Vec<i64>,
) -> Vec<Grant> {
    grants
        .iter()
        .filter_map(|g| {
            let unit_scope = match (unit, g.unit) {
                (None, scope) => Some(scope),
                (Some(lineage), None) => lineage.first().map(|u| Some(*u)),
                (Some(lineage), Some(scope)) if lineage.contains(&scope) => {
                    lineage.first().map(|u| Some(*u))
                }
                (Some(lineage), Some(scope)) => lineage
                    .first()
                    .filter(|u| lineage_of(scope).contains(u))
                    .map(|_| Some(scope)),
            }?;
            Some(Grant {
                role: g.role,
                unit: unit_scope,
                read_only: g.read_only || read_only,
            })
        })
        .collect()
}

/// Where an action takes effect.
#[derive(Debug, Clone, Copy)]
pub enum Target<'a> {
    /// The system as a whole (users, configuration, the audit log, new top-level units):
    /// only system-wide grants count.
    System,
    /// A unit, given as its id followed by its ancestors' ids up to the root (see
    /// `units::lineage`). An object of the whole province (a plan, the indicator
    /// catalogue, a framework) targets the unit at the top of today's tree.
    Unit(&'a [i64]),
}

/// The one policy function: may a holder of `grants` perform `action` on `target`?
pub fn authorize(grants: &[Grant], action: Action, target: Target<'_>) -> bool {
    grants.iter().any(|g| {
        g.allows(action)
            && match (g.unit, target) {
                (None, _) => true,
                (Some(_), Target::System) => false,
                (Some(scope), Target::Unit(lineage)) => lineage.contains(&scope),
            }
    })
}

/// Whether some grant allows `action` on at least one unit. This never decides whether an
/// action may be done — that always names its target — but what to offer (a menu entry),
/// what every member reads alike (the indicator catalogue, the list of plans), and whether
/// to refuse at once, before a request's body is read, someone who may do the action
/// nowhere.
pub fn holds(grants: &[Grant], action: Action) -> bool {
    grants.iter().any(|g| g.allows(action))
}

#[cfg(test)]
mod tests {
    use super::*;

    // A small tree: 1 province → 2 district → 3 commune; 1 → 4 sibling district.
    const PROVINCE: &[i64] = &[1];
    const DISTRICT: &[i64] = &[2, 1];
    const COMMUNE: &[i64] = &[3, 2, 1];
    const SIBLING: &[i64] = &[4, 1];

    fn on(role: Role, unit: i64) -> Vec<Grant> {
        vec![Grant::new(role, Some(unit))]
    }

    #[test]
    fn a_role_reaches_its_unit_and_children_but_not_siblings_or_parents() {
        for role in [Role::UnitEditor, Role::UnitApprover, Role::Viewer] {
            let g = on(role, 2);
            assert!(authorize(&g, Action::ViewWork, Target::Unit(DISTRICT)));
            assert!(authorize(&g, Action::ViewWork, Target::Unit(COMMUNE)));
            assert!(!authorize(&g, Action::ViewWork, Target::Unit(SIBLING)));
            assert!(!authorize(&g, Action::ViewWork, Target::Unit(PROVINCE)));
        }
    }

    #[test]
    fn only_approvers_submit_and_only_coordinators_review() {
        assert!(authorize(
            &on(Role::UnitApprover, 2),
            Action::SubmitUnitWork,
            Target::Unit(COMMUNE)
        ));
        assert!(!authorize(
            &on(Role::UnitEditor, 2),
            Action::SubmitUnitWork,
            Target::Unit(DISTRICT)
        ));
        assert!(!authorize(
            &on(Role::Viewer, 2),
            Action::EditUnitWork,
            Target::Unit(DISTRICT)
        ));
        assert!(authorize(
            &on(Role::Coordinator, 1),
            Action::ReviewWork,
            Target::Unit(COMMUNE)
        ));
        assert!(!authorize(
            &on(Role::UnitApprover, 1),
            Action::ReviewWork,
            Target::Unit(COMMUNE)
        ));
    }

    #[test]
    fn admin_only_actions_need_a_system_wide_admin() {
        let system_admin = vec![Grant::new(Role::Admin, None)];
        for action in [Action::ManageUsers, Action::ManageUnits, Action::ViewAudit] {
            assert!(authorize(&system_admin, action, Target::System));
            for role in [
                Role::Coordinator,
                Role::UnitApprover,
                Role::UnitEditor,
                Role::Viewer,
            ] {
                assert!(
                    !authorize(&on(role, 1), action, Target::System),
                    "{role:?} {action:?}"
                );
                assert!(!authorize(&on(role, 1), action, Target::Unit(DISTRICT)));
            }
        }
        // An admin scoped to a district manages that subtree, not the system.
        assert!(authorize(
            &on(Role::Admin, 2),
            Action::ManageUnits,
            Target::Unit(COMMUNE)
        ));
        assert!(!authorize(
            &on(Role::Admin, 2),
            Action::ManageUnits,
            Target::Unit(SIBLING)
        ));
        assert!(!authorize(
            &on(Role::Admin, 2),
            Action::ManageUsers,
            Target::System
        ));
    }

    #[test]
    fn reorganisations_are_for_system_wide_admins_and_coordinators() {
        for role in [Role::Admin, Role::Coordinator] {
            assert!(authorize(
                &[Grant::new(role, None)],
                Action::Reorganise,
                Target::System
            ));
            assert!(!authorize(&on(role, 1), Action::Reorganise, Target::System));
        }
        for role in [Role::UnitApprover, Role::UnitEditor, Role::Viewer] {
            assert!(!authorize(
                &[Grant::new(role, None)],
                Action::Reorganise,
                Target::System
            ));
        }
    }

    #[test]
    fn a_unit_scoped_grant_never_acts_for_the_province() {
        // Province-wide objects target the root: a coordinator of a district (or a token
        // narrowed to it) manages nothing there, though it holds the action somewhere.
        let district = on(Role::Coordinator, 2);
        assert!(holds(&district, Action::ManagePlans));
        assert!(!authorize(
            &district,
            Action::ManagePlans,
            Target::Unit(PROVINCE)
        ));
        assert!(!authorize(
            &district,
            Action::ReviewWork,
            Target::Unit(SIBLING)
        ));
        assert!(authorize(
            &district,
            Action::ReviewWork,
            Target::Unit(COMMUNE)
        ));
        assert!(authorize(
            &on(Role::Coordinator, 1),
            Action::ManagePlans,
            Target::Unit(PROVINCE)
        ));
        assert!(!holds(&on(Role::Viewer, 1), Action::ManagePlans));
    }

    #[test]
    fn no_grant_no_access() {
        assert!(!holds(&[], Action::ViewUnits));
        assert!(!authorize(&[], Action::ViewWork, Target::Unit(PROVINCE)));
    }

    #[test]
    fn grants_combine() {
        let grants = vec![
            Grant::new(Role::Viewer, Some(1)),
            Grant::new(Role::UnitEditor, Some(4)),
        ];
        assert!(authorize(&grants, Action::ViewWork, Target::Unit(COMMUNE)));
        assert!(authorize(
            &grants,
            Action::EditUnitWork,
            Target::Unit(SIBLING)
        ));
        assert!(!authorize(
            &grants,
            Action::EditUnitWork,
            Target::Unit(COMMUNE)
        ));
    }

    #[test]
    fn roles_round_trip_through_their_names() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn a_token_narrows_its_owners_grants_and_never_widens_them() {
        // The tree: 1 → 2 → 3, 1 → 4.
        let lineage_of = |u: i64| match u {
            1 => vec![1],
            2 => vec![2, 1],
            3 => vec![3, 2, 1],
            4 => vec![4, 1],
            _ => vec![],
        };
        let coordinator = vec![Grant::new(Role::Coordinator, Some(1))];
        // Read-only: reading as before, writing nowhere.
        let read = narrow_grants(&coordinator, true, None, lineage_of);
        assert!(authorize(&read, Action::ViewWork, Target::Unit(COMMUNE)));
        assert!(!authorize(&read, Action::ReviewWork, Target::Unit(COMMUNE)));
        assert!(!authorize(
            &read,
            Action::EditUnitWork,
            Target::Unit(DISTRICT)
        ));
        // Narrowed to district 2: its subtree, not its sibling nor the province.
        let narrowed = narrow_grants(&coordinator, false, Some(DISTRICT), lineage_of);
        assert!(authorize(
            &narrowed,
            Action::ReviewWork,
            Target::Unit(COMMUNE)
        ));
        assert!(!authorize(
            &narrowed,
            Action::ReviewWork,
            Target::Unit(SIBLING)
        ));
        assert!(!authorize(
            &narrowed,
            Action::ViewWork,
            Target::Unit(PROVINCE)
        ));
        // A system admin narrowed to a district is no longer a system admin.
        let admin = vec![Grant::new(Role::Admin, None)];
        let narrowed = narrow_grants(&admin, false, Some(DISTRICT), lineage_of);
        assert!(!authorize(&narrowed, Action::ManageUsers, Target::System));
        assert!(authorize(
            &narrowed,
            Action::ManageUnits,
            Target::Unit(COMMUNE)
        ));
        // A grant inside the token's subtree stays as it is; one elsewhere is dropped.
        let mixed = vec![
            Grant::new(Role::UnitEditor, Some(3)),
            Grant::new(Role::UnitEditor, Some(4)),
        ];
        let narrowed = narrow_grants(&mixed, false, Some(DISTRICT), lineage_of);
        assert_eq!(narrowed, vec![Grant::new(Role::UnitEditor, Some(3))]);
    }

    /// Properties of the policy over every combination of grants, actions and targets in a
    /// small tree: what a reviewer assumes of `authorize` and `narrow_grants`, checked.
    mod properties {
        use super::*;
        use proptest::prelude::*;

        // 1 province → 2, 3 districts; 2 → 4, 5 communes; 3 → 6; 7 another root.
        const UNITS: [i64; 7] = [1, 2, 3, 4, 5, 6, 7];

        fn lineage(unit: i64) -> Vec<i64> {
            match unit {
                1 => vec![1],
                2 => vec![2, 1],
                3 => vec![3, 1],
                4 => vec![4, 2, 1],
                5 => vec![5, 2, 1],
                6 => vec![6, 3, 1],
                _ => vec![unit],
            }
        }

        const ACTIONS: [Action; 13] = [
            Action::ViewUnits,
            Action::ManageUnits,
            Action::ViewUsers,
            Action::ManageUsers,
            Action::ViewAudit,
            Action::ViewWork,
            Action::ManagePlans,
            Action::ReviewWork,
            Action::EditUnitWork,
            Action::SubmitUnitWork,
            Action::Reorganise,
            Action::RequestExplanation,
            Action::AnswerExplanation,
        ];

        /// Fails to compile when an action is added and not listed above.
        #[allow(dead_code)]
        fn every_action_is_listed(a: Action) -> usize {
            match a {
                Action::ViewUnits => 0,
                Action::ManageUnits => 1,
                Action::ViewUsers => 2,
                Action::ManageUsers => 3,
                Action::ViewAudit => 4,
                Action::ViewWork => 5,
                Action::ManagePlans => 6,
                Action::ReviewWork => 7,
                Action::EditUnitWork => 8,
                Action::SubmitUnitWork => 9,
                Action::Reorganise => 10,
                Action::RequestExplanation => 11,
                Action::AnswerExplanation => 12,
            }
        }

        fn grant() -> impl Strategy<Value = Grant> {
            (
                0..Role::ALL.len(),
                proptest::option::weighted(0.8, proptest::sample::select(UNITS.to_vec())),
                any::<bool>(),
            )
                .prop_map(|(r, unit, read_only)| Grant {
                    role: Role::ALL[r],
                    unit,
                    read_only,
                })
        }

        fn grants() -> impl Strategy<Value = Vec<Grant>> {
            proptest::collection::vec(grant(), 0..4)
        }

        fn action() -> impl Strategy<Value = Action> {
            proptest::sample::select(ACTIONS.to_vec())
        }

        fn unit() -> impl Strategy<Value = i64> {
            proptest::sample::select(UNITS.to_vec())
        }

        fn on_unit(g: &[Grant], a: Action, u: i64) -> bool {
            authorize(g, a, Target::Unit(&lineage(u)))
        }

        proptest! {
            #[test]
            fn no_unit_grant_reaches_the_system(g in grants(), a in action()) {
                let scoped: Vec<Grant> = g.into_iter().filter(|g| g.unit.is_some()).collect();
                prop_assert!(!authorize(&scoped, a, Target::System));
            }

            #[test]
            fn read_only_grants_change_nothing(g in grants(), a in action(), u in unit()) {
                let read_only: Vec<Grant> =
                    g.into_iter().map(|g| Grant { read_only: true, ..g }).collect();
                if !a.is_read() {
                    prop_assert!(!on_unit(&read_only, a, u));
                    prop_assert!(!authorize(&read_only, a, Target::System));
                }
            }

            #[test]
            fn another_grant_never_takes_a_right_away(
                g in grants(), extra in grant(), a in action(), u in unit()
            ) {
                let mut more = g.clone();
                more.push(extra);
                prop_assert!(!on_unit(&g, a, u) || on_unit(&more, a, u));
                prop_assert!(!authorize(&g, a, Target::System) || authorize(&more, a, Target::System));
            }

            #[test]
            fn a_right_on_a_unit_reaches_down_and_not_up_or_across(
                g in grants(), a in action(), u in unit(), v in unit()
            ) {
                let below = lineage(v).contains(&u);
                if below && on_unit(&g, a, u) {
                    prop_assert!(on_unit(&g, a, v), "{a:?} on {u} but not on {v} below it");
                }
                // Every right on a unit comes from a grant on it, above it, or system-wide.
                if on_unit(&g, a, v) {
                    prop_assert!(g.iter().any(|g| g.allows(a)
                        && g.unit.is_none_or(|s| lineage(v).contains(&s))));
                }
            }

            #[test]
            fn holding_an_action_means_it_is_allowed_somewhere(g in grants(), a in action()) {
                let somewhere = authorize(&g, a, Target::System)
                    || UNITS.iter().any(|u| on_unit(&g, a, *u));
                prop_assert_eq!(holds(&g, a), somewhere);
            }

            #[test]
            fn a_narrowed_token_never_widens_its_owner(
                g in grants(), read_only in any::<bool>(), to in proptest::option::of(unit()),
                a in action(), u in unit()
            ) {
                let to_lineage = to.map(lineage);
                let narrowed = narrow_grants(&g, read_only, to_lineage.as_deref(), lineage);
                if on_unit(&narrowed, a, u) {
                    prop_assert!(on_unit(&g, a, u), "the owner may not {a:?} on {u}");
                    if let Some(to) = to {
                        prop_assert!(lineage(u).contains(&to), "{u} is outside the token's {to}");
                    }
                    prop_assert!(!read_only || a.is_read());
                }
                if authorize(&narrowed, a, Target::System) {
                    prop_assert!(to.is_none() && authorize(&g, a, Target::System));
                }
            }
        }
    }
}
