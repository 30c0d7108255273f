//! The seven roles a Pantau user can hold.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::Label;

/// A user's role. Which role may take which transition comes from the
/// workflow definitions; where a role sees and acts is the server's concern.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Administrator: users, settings, failed emails.
    Admin,
    /// Provincial program manager (pengelola program provinsi).
    ManagerProvince,
    /// Kabupaten/kota program manager (pengelola program kabupaten/kota).
    ManagerRegency,
    /// Verifier and approver (verifikator).
    Verifier,
    /// Field officer who makes monev visits (petugas lapangan / pendamping).
    FieldOfficer,
    /// Ministry viewer: national and read-only (Kementerian).
    Ministry,
    /// Treasurer (bendahara) of a province or kabupaten/kota: gathers the
    /// tranches due into payment batches, sends them to the bank and
    /// records the bank's result. May take a workflow's `pays_tranche`
    /// action whatever roles the action names (the engine's rule).
    Treasurer,
}

/// A role name that is not one of [`Role::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown role `{0}` (known roles: admin, manager_province, manager_regency, verifier, field_officer, ministry, treasurer)"
)]
pub struct UnknownRole(pub String);

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Admin,
        Role::ManagerProvince,
        Role::ManagerRegency,
        Role::Verifier,
        Role::FieldOfficer,
        Role::Ministry,
        Role::Treasurer,
    ];

    /// The identifier used in workflow files, configuration and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::ManagerProvince => "manager_province",
            Role::ManagerRegency => "manager_regency",
            Role::Verifier => "verifier",
            Role::FieldOfficer => "field_officer",
            Role::Ministry => "ministry",
            Role::Treasurer => "treasurer",
        }
    }

    /// The name users see.
    pub fn label(self) -> Label {
        let (id, en) = match self {
            Role::Admin => ("Administrator", "Administrator"),
            Role::ManagerProvince => ("Pengelola program provinsi", "Provincial program manager"),
            Role::ManagerRegency => (
                "Pengelola program kabupaten/kota",
                "Regency/city program manager",
            ),
            Role::Verifier => ("Verifikator", "Verifier/approver"),
            Role::FieldOfficer => ("Petugas lapangan", "Field officer"),
            Role::Ministry => ("Kementerian", "Ministry viewer"),
            Role::Treasurer => ("Bendahara", "Treasurer"),
        };
        Label::new(id, en)
    }
}

impl std::str::FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownRole(s.to_string()))
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_round_trips_through_its_name() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>(), Ok(r));
        }
        assert_eq!("boss".parse::<Role>(), Err(UnknownRole("boss".into())));
    }
}
