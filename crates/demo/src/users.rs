//! One user per role and region, so reminders reach people and every role can be tried.

use chrono::{DateTime, Utc};
use pantau_domain::{Lang, Role};
use pantau_store::accounts::NewUser;
use pantau_store::{Store, StoreError};

use crate::beneficiaries::{LAMPUNG, PKL_REGIONS};

/// The demo's users: (login, role, region).
pub fn roster() -> Vec<(String, Role, Option<String>)> {
    let mut out = vec![
        ("admin".to_string(), Role::Admin, None),
        ("kementerian".to_string(), Role::Ministry, None),
    ];
    for province in ["18", "13"] {
        out.push((
            format!("pengelola.{province}"),
            Role::ManagerProvince,
            Some(province.to_string()),
        ));
        out.push((
            format!("verifikator.{province}"),
            Role::Verifier,
            Some(province.to_string()),
        ));
        out.push((
            format!("bendahara.{province}"),
            Role::Treasurer,
            Some(province.to_string()),
        ));
    }
    for code in LAMPUNG
        .iter()
        .map(|(c, _)| *c)
        .chain(PKL_REGIONS.iter().map(|(c, _)| *c))
    {
        let digits = code.replace('.', "");
        out.push((
            format!("pengelola.{digits}"),
            Role::ManagerRegency,
            Some(code.to_string()),
        ));
        out.push((
            format!("petugas.{digits}"),
            Role::FieldOfficer,
            Some(code.to_string()),
        ));
    }
    out
}

pub async fn fill(
    store: &Store,
    now: DateTime<Utc>,
    password_hash: Option<&str>,
) -> Result<usize, StoreError> {
    let mut n = 0;
    for (login, role, region) in roster() {
        let user = NewUser {
            name: format!(
                "{} ({})",
                role.label().id,
                region.as_deref().unwrap_or("nasional")
            ),
            email: format!("{login}@dinas.example"),
            // The provincial manager of Lampung reads one daily digest instead of single emails.
            digest: login == "pengelola.18",
            lang: Lang::Id,
            login,
            role,
            region,
            password_hash: password_hash.map(str::to_string),
        };
        n += usize::from(store.add_user(&user, now).await?);
    }
    Ok(n)
}
