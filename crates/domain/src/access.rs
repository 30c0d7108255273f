//! Who may see and do what, decided in one place. Pure: the server asks,
//! the store filters by the answer.
//!
//! A user sees their own region (a province covers its kabupaten/kota);
//! the administrator and the Ministry see the whole country. Which role may
//! take which transition comes from the workflow definitions; this module
//! decides only where, and who may write at all.

use crate::{RegionCode, Role};

/// Where a user may look.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    National,
    Region(RegionCode),
}

impl Scope {
    /// The scope of a user with `role` in `region` (none means national,
    /// allowed only for the administrator and the Ministry).
    pub fn of(role: Role, region: Option<&RegionCode>) -> Result<Scope, ScopeError> {
        match (role, region) {
            (Role::Admin | Role::Ministry, None) => Ok(Scope::National),
            (_, Some(r)) => Ok(Scope::Region(r.clone())),
            (role, None) => Err(ScopeError::RegionRequired(role)),
        }
    }

    /// Whether a record of `region` is visible. A record with no region is
    /// national: only a national scope sees it.
    pub fn covers(&self, region: Option<&str>) -> bool {
        match (self, region) {
            (Scope::National, _) => true,
            (Scope::Region(_), None) => false,
            (Scope::Region(mine), Some(r)) => {
                RegionCode::parse(r).is_ok_and(|other| mine.covers(&other))
            }
        }
    }

    /// The region, when the scope has one.
    pub fn region(&self) -> Option<&RegionCode> {
        match self {
            Scope::National => None,
            Scope::Region(r) => Some(r),
        }
    }
}

/// A user that cannot hold a scope.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScopeError {
    #[error("a user with role `{0}` must belong to a region")]
    RegionRequired(Role),
}

/// What a request wants to do, beyond reading within its scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Read within the scope.
    Read,
    /// Take a workflow transition (the definition then names the roles).
    Act,
    /// Import beneficiaries.
    Import,
    /// Manage users.
    Administer,
    /// Confirm a beneficiary's location that a monev visit registered.
    ConfirmLocation,
    /// Correct a registered beneficiary (name, address, phone, location,
    /// standing), each correction kept with who, when and why.
    Correct,
    /// Set a program's allocations to the kabupaten/kota of the scope (the
    /// administrator nationally, a province's manager in the province).
    Allocate,
    /// Gather due tranches into payment batches, send them to the bank and
    /// import the bank's result (the treasurer alone: who orders money is
    /// neither who approves it nor who keeps the accounts it goes to, which
    /// is `Correct`'s).
    Pay,
    /// Accept a bank account whose holder's name is not the beneficiary's
    /// (a verifier's judgement, like accepting flagged evidence).
    AcceptHolder,
}

/// Whether `role` holds `permission` at all (where is [`Scope`]'s concern).
pub fn allows(role: Role, permission: Permission) -> bool {
    match permission {
        Permission::Read => true,
        Permission::Act => role != Role::Ministry,
        Permission::Import => matches!(
            role,
            Role::Admin | Role::ManagerProvince | Role::ManagerRegency
        ),
        Permission::Administer => role == Role::Admin,
        Permission::ConfirmLocation => matches!(role, Role::Admin | Role::Verifier),
        Permission::Correct => matches!(
            role,
            Role::Admin | Role::ManagerProvince | Role::ManagerRegency | Role::Verifier
        ),
        Permission::Allocate => matches!(role, Role::Admin | Role::ManagerProvince),
        Permission::Pay => role == Role::Treasurer,
        Permission::AcceptHolder => matches!(role, Role::Admin | Role::Verifier),
    }
}

/// Whether `role` works in the field: its home is the list of its visits,
/// not the dashboard, and decrees are not its concern.
pub fn works_in_field(role: Role) -> bool {
    role == Role::FieldOfficer
}

/// Whether user `login` with `role` may act on a case assigned to
/// `officer`: a field officer only on their own cases (or unassigned ones).
pub fn may_act_on(role: Role, login: &str, officer: Option<&str>) -> bool {
    allows(role, Permission::Act) && !(works_in_field(role) && officer.is_some_and(|o| o != login))
}

/// Whether a user in `scope` acts for province `province` as a whole, as
/// in recording its decrees (SK): the province's own users and national
/// ones, never a kabupaten/kota's, whose scope covers only itself. Which
/// roles approve by decree is the workflow's.
pub fn acts_for_province(scope: &Scope, province: &str) -> bool {
    RegionCode::parse(province).is_ok_and(|p| p.is_province()) && scope.covers(Some(province))
}

/// Whether `role` manages users at all: the administrator nationally, a
/// provincial manager within their province ([`may_manage_user`] says whom).
pub fn manages_users(role: Role) -> bool {
    matches!(role, Role::Admin | Role::ManagerProvince)
}

/// Whether a user with `role` in `scope` may add, change, switch off or
/// reset the password of a user with `target_role` in `target_region` (and
/// so, when changing one, whether they may give it the new role and
/// region): the administrator anyone; a provincial manager anyone of their
/// province and its kabupaten/kota, except an administrator or the
/// Ministry; nobody else anyone.
pub fn may_manage_user(
    role: Role,
    scope: &Scope,
    target_role: Role,
    target_region: Option<&str>,
) -> bool {
    match role {
        Role::Admin => true,
        Role::ManagerProvince => {
            !matches!(target_role, Role::Admin | Role::Ministry)
                && target_region.is_some()
                && scope.covers(target_region)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }

    #[test]
    fn a_province_covers_its_kabupaten_and_not_its_neighbours() {
        let lampung = Scope::Region(code("18"));
        assert!(lampung.covers(Some("18")));
        assert!(lampung.covers(Some("18.71")));
        assert!(!lampung.covers(Some("13.03")));
        assert!(!lampung.covers(Some("13")));
        assert!(!lampung.covers(None), "national records stay national");
        assert!(!lampung.covers(Some("garbage")));
    }

    #[test]
    fn a_kabupaten_covers_only_itself() {
        let kota = Scope::Region(code("18.71"));
        assert!(kota.covers(Some("18.71")));
        assert!(!kota.covers(Some("18")));
        assert!(!kota.covers(Some("18.72")));
    }

    #[test]
    fn only_the_province_and_national_users_act_for_a_province() {
        assert!(acts_for_province(&Scope::Region(code("18")), "18"));
        assert!(acts_for_province(&Scope::National, "18"));
        assert!(!acts_for_province(&Scope::Region(code("18.71")), "18"));
        assert!(!acts_for_province(&Scope::Region(code("13")), "18"));
        assert!(!acts_for_province(&Scope::Region(code("18")), "18.71"));
    }

    #[test]
    fn only_the_admin_and_the_ministry_are_national() {
        assert_eq!(Scope::of(Role::Ministry, None), Ok(Scope::National));
        assert_eq!(Scope::of(Role::Admin, None), Ok(Scope::National));
        assert_eq!(
            Scope::of(Role::Verifier, None),
            Err(ScopeError::RegionRequired(Role::Verifier))
        );
        assert!(!allows(Role::Ministry, Permission::Act));
        assert!(!allows(Role::FieldOfficer, Permission::Import));
        assert!(allows(Role::Admin, Permission::Administer));
        assert!(!allows(Role::ManagerProvince, Permission::Administer));
        assert!(allows(Role::Verifier, Permission::ConfirmLocation));
        assert!(!allows(Role::FieldOfficer, Permission::ConfirmLocation));
        assert!(!allows(Role::ManagerRegency, Permission::ConfirmLocation));
        assert!(allows(Role::ManagerProvince, Permission::Allocate));
        assert!(!allows(Role::ManagerRegency, Permission::Allocate));
        assert!(!allows(Role::Verifier, Permission::Allocate));
        assert!(allows(Role::Treasurer, Permission::Pay));
        assert!(allows(Role::Treasurer, Permission::Act));
        for role in Role::ALL.into_iter().filter(|r| *r != Role::Treasurer) {
            assert!(!allows(role, Permission::Pay), "{role} may not pay");
        }
        assert!(!allows(Role::Treasurer, Permission::Correct));
        assert!(!allows(Role::Treasurer, Permission::Import));
    }

    #[test]
    fn a_field_officer_acts_only_on_their_own_cases() {
        assert!(may_act_on(Role::FieldOfficer, "dedi", Some("dedi")));
        assert!(may_act_on(Role::FieldOfficer, "dedi", None));
        assert!(!may_act_on(Role::FieldOfficer, "dedi", Some("sari")));
        assert!(may_act_on(Role::Verifier, "vina", Some("sari")));
        assert!(!may_act_on(Role::Ministry, "kemenkop", None));
        assert!(works_in_field(Role::FieldOfficer));
        assert!(!works_in_field(Role::ManagerRegency));
    }

    #[test]
    fn a_province_manager_manages_only_the_province_s_own_users() {
        let lampung = Scope::Region(code("18"));
        let p = Role::ManagerProvince;
        assert!(manages_users(p) && manages_users(Role::Admin));
        assert!(!manages_users(Role::ManagerRegency) && !manages_users(Role::Ministry));
        assert!(may_manage_user(p, &lampung, Role::Verifier, Some("18.71")));
        assert!(may_manage_user(
            p,
            &lampung,
            Role::ManagerProvince,
            Some("18")
        ));
        assert!(!may_manage_user(p, &lampung, Role::Verifier, Some("13.03")));
        assert!(!may_manage_user(p, &lampung, Role::Admin, Some("18")));
        assert!(!may_manage_user(p, &lampung, Role::Ministry, None));
        assert!(!may_manage_user(p, &lampung, Role::Verifier, None));
        assert!(may_manage_user(
            Role::Admin,
            &Scope::National,
            Role::Ministry,
            None
        ));
        let kota = Scope::Region(code("18.71"));
        assert!(!may_manage_user(
            Role::ManagerRegency,
            &kota,
            Role::FieldOfficer,
            Some("18.71")
        ));
    }
}
