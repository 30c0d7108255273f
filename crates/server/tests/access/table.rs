//! What each user of the walk should see and do, written out by hand from
//! README's "Who sees what" (and its decrees and imports): never computed
//! by the code under test, so a wrong rule there fails the walk.

use pantau_domain::Role;

/// The table's columns: where a record belongs. A region code is put in
/// its column by its digits alone ([`column`]).
pub const COLUMNS: [&str; 8] = [
    "national (no region)",
    "18 Lampung",
    "18.71 Kota Bandar Lampung",
    "18.xx Lampung's other kabupaten/kota",
    "13 Sumatera Barat",
    "13.03 Kab. Sijunjung",
    "13.xx Sumatera Barat's other kabupaten/kota",
    "any other province or kabupaten/kota",
];

/// The column of a record of `region` (none: a national record).
pub fn column(region: Option<&str>) -> usize {
    match region {
        None => 0,
        Some("18") => 1,
        Some("18.71") => 2,
        Some(r) if r.starts_with("18.") => 3,
        Some("13") => 4,
        Some("13.03") => 5,
        Some(r) if r.starts_with("13.") => 6,
        Some(_) => 7,
    }
}

/// One user the walk signs in as.
#[derive(Debug)]
pub struct User {
    pub login: &'static str,
    pub role: Role,
    /// Their region, as `/api/me` says (none: national).
    pub region: Option<&'static str>,
    /// Whether they see a record of each of [`COLUMNS`].
    pub sees: [bool; 8],
    /// Whether they see the demo's SK of Lampung's bansos program, which
    /// lists a case in every kabupaten/kota of Lampung (18.71 too).
    pub sk: bool,
    /// Whether they see its SK perubahan, which lists one case, in 18.01.
    pub sk_amendment: bool,
    /// Whether they may record a decree for Lampung's bansos program
    /// (`/sk/baru`, `/sk/usulan`).
    pub records_lampung: bool,
    /// The regions whose rows of the walk's import (one vendor in 18.71,
    /// one in 13.03) they may import; none: importing is refused (403).
    pub imports: Option<&'static [&'static str]>,
    /// Whether they confirm a beneficiary's location a visit registered
    /// (where they see the beneficiary).
    pub confirms: bool,
}

impl User {
    /// Whether they see a record of `region`.
    pub fn sees(&self, region: Option<&str>) -> bool {
        self.sees[column(region)]
    }
}

const Y: bool = true;
const N: bool = false;
/// An import that keeps rows of these regions and refuses the others.
const BOTH: Option<&[&str]> = Some(&["18.71", "13.03"]);
const IN_18_71: Option<&[&str]> = Some(&["18.71"]);
const IN_13_03: Option<&[&str]> = Some(&["13.03"]);

#[allow(clippy::too_many_arguments)]
const fn user(
    login: &'static str,
    role: Role,
    region: Option<&'static str>,
    sees: [bool; 8],
    sk: bool,
    sk_amendment: bool,
    records_lampung: bool,
    imports: Option<&'static [&'static str]>,
    confirms: bool,
) -> User {
    User {
        login,
        role,
        region,
        sees,
        sk,
        sk_amendment,
        records_lampung,
        imports,
        confirms,
    }
}

/// Every user the walk signs in as, with what each may see and do: a
/// record of each of [`COLUMNS`]; the demo's bansos SK of Lampung and its
/// SK perubahan (`SK-ubah`); whether they record that program's decrees;
/// which of the walk's two vendors (18.71, 13.03) their import keeps.
/// `verifikator.1871` is not the demo's: the walk adds it.
#[rustfmt::skip]
pub const USERS: [User; 12] = [
    //                                                              sees a record of (COLUMNS)                       sees bansos  records  imports    confirms
    //   login               role                   region          nat.  18  18.71  18.xx  13  13.03  13.xx  other  SK  SK-ubah  its SKs  rows in    locations
    user("admin",            Role::Admin,           None,          [Y,    Y,  Y,     Y,     Y,  Y,     Y,     Y],    Y,  Y,       N,       BOTH,      Y),
    user("kementerian",      Role::Ministry,        None,          [Y,    Y,  Y,     Y,     Y,  Y,     Y,     Y],    Y,  Y,       N,       None,      N),
    user("pengelola.18",     Role::ManagerProvince, Some("18"),    [N,    Y,  Y,     Y,     N,  N,     N,     N],    Y,  Y,       Y,       IN_18_71,  N),
    user("verifikator.18",   Role::Verifier,        Some("18"),    [N,    Y,  Y,     Y,     N,  N,     N,     N],    Y,  Y,       Y,       None,      Y),
    user("pengelola.1871",   Role::ManagerRegency,  Some("18.71"), [N,    N,  Y,     N,     N,  N,     N,     N],    Y,  N,       N,       IN_18_71,  N),
    user("petugas.1871",     Role::FieldOfficer,    Some("18.71"), [N,    N,  Y,     N,     N,  N,     N,     N],    Y,  N,       N,       None,      N),
    user("verifikator.1871", Role::Verifier,        Some("18.71"), [N,    N,  Y,     N,     N,  N,     N,     N],    Y,  N,       N,       None,      Y),
    user("pengelola.13",     Role::ManagerProvince, Some("13"),    [N,    N,  N,     N,     Y,  Y,     Y,     N],    N,  N,       N,       IN_13_03,  N),
    user("verifikator.13",   Role::Verifier,        Some("13"),    [N,    N,  N,     N,     Y,  Y,     Y,     N],    N,  N,       N,       None,      Y),
    user("pengelola.1303",   Role::ManagerRegency,  Some("13.03"), [N,    N,  N,     N,     N,  Y,     N,     N],    N,  N,       N,       IN_13_03,  N),
    user("petugas.1303",     Role::FieldOfficer,    Some("13.03"), [N,    N,  N,     N,     N,  Y,     N,     N],    N,  N,       N,       None,      N),
    user("bendahara.18",     Role::Treasurer,       Some("18"),    [N,    Y,  Y,     Y,     N,  N,     N,     N],    Y,  Y,       N,       None,      N),
];

/// A typo in the table is caught here, by a few facts any reader of
/// README agrees with; the walk then holds the server to the table.
#[test]
fn the_table_agrees_with_itself() {
    let mut logins = std::collections::BTreeSet::new();
    for u in &USERS {
        let who = u.login;
        assert!(logins.insert(who), "{who} twice");
        // The login says the role and the region: pengelola.1871 manages 18.71.
        let (prefix, digits) = who.split_once('.').unwrap_or((who, ""));
        let role_of_prefix = match (prefix, digits.len()) {
            ("admin", _) => Role::Admin,
            ("kementerian", _) => Role::Ministry,
            ("pengelola", 2) => Role::ManagerProvince,
            ("pengelola", _) => Role::ManagerRegency,
            ("verifikator", _) => Role::Verifier,
            ("petugas", _) => Role::FieldOfficer,
            ("bendahara", _) => Role::Treasurer,
            _ => panic!("{who}: an unknown login"),
        };
        assert_eq!(u.role, role_of_prefix, "{who}");
        assert_eq!(u.region.unwrap_or("").replace('.', ""), digits, "{who}");
        // A national user sees everything; anyone else their region and what lies in it.
        for (c, label) in COLUMNS.iter().enumerate() {
            let within = u.region.is_none_or(|r| label.starts_with(r));
            assert_eq!(u.sees[c], within, "{who}: {label}");
        }
        // A decree is seen in its province, nationally, and where it lists a case: the SK
        // (of 18, listing every kabupaten/kota of 18) by all who see any of Lampung, its
        // SK perubahan (of 18, listing 18.01) by those who see 18 or 18.01.
        assert_eq!(u.sk, u.sees[1] || u.sees[2] || u.sees[3], "{who}: the SK");
        assert_eq!(
            u.sk_amendment,
            u.sees[1] || u.sees[3],
            "{who}: the SK perubahan"
        );
        // Only the province's verifier and manager record its decrees.
        let provincial = matches!(u.role, Role::Verifier | Role::ManagerProvince);
        assert_eq!(
            u.records_lampung,
            provincial && u.region == Some("18"),
            "{who} records Lampung's decrees"
        );
        // An import keeps only rows of regions the importer sees; the Ministry reads only.
        for r in u.imports.unwrap_or_default() {
            assert!(u.sees(Some(r)), "{who} imports into {r}");
        }
        assert!(u.role != Role::Ministry || u.imports.is_none(), "{who}");
    }
}

/// The users who open proposals (`/usulan/baru`): the managers, whose
/// role every shipped workflow names in `opened_by`; within their region.
pub const PROPOSERS: [&str; 4] = [
    "pengelola.18",
    "pengelola.1871",
    "pengelola.13",
    "pengelola.1303",
];

/// Who manages programs, allocations and workflows, written by hand: the
/// administrator everything; a province's manager the programs of their
/// province and the allocations of its kabupaten/kota; nobody else any of it.
#[derive(Debug)]
pub struct ProgramAccess {
    pub login: &'static str,
    /// Opens `/admin/program` (else 403).
    pub programs: bool,
    /// The programs whose page they open: Lampung's bansos (18), Sumatera
    /// Barat's PKL (13).
    pub opens: &'static [&'static str],
    /// The kabupaten/kota of the walk (18.71 of Lampung's program, 13.03 of
    /// Sumatera Barat's) whose allocation they set.
    pub allocates: &'static [&'static str],
    /// Adds and edits programs, and reads and checks workflows.
    pub administers: bool,
}

const fn programs(
    login: &'static str,
    programs: bool,
    opens: &'static [&'static str],
    allocates: &'static [&'static str],
    administers: bool,
) -> ProgramAccess {
    ProgramAccess {
        login,
        programs,
        opens,
        allocates,
        administers,
    }
}

const LAMPUNG_BANSOS: &str = "bansos-kud-2026-lampung";
const SUMBAR_PKL: &str = "pkl-2014-sumbar";

#[rustfmt::skip]
pub const PROGRAMS: [ProgramAccess; 12] = [
    //        login               /admin/program  opens                          allocates in        administers
    programs("admin",            Y, &[LAMPUNG_BANSOS, SUMBAR_PKL],  &["18.71", "13.03"], Y),
    programs("kementerian",      N, &[],                            &[],                 N),
    programs("pengelola.18",     Y, &[LAMPUNG_BANSOS],              &["18.71"],          N),
    programs("verifikator.18",   N, &[],                            &[],                 N),
    programs("pengelola.1871",   N, &[],                            &[],                 N),
    programs("petugas.1871",     N, &[],                            &[],                 N),
    programs("verifikator.1871", N, &[],                            &[],                 N),
    programs("pengelola.13",     Y, &[SUMBAR_PKL],                  &["13.03"],          N),
    programs("verifikator.13",   N, &[],                            &[],                 N),
    programs("pengelola.1303",   N, &[],                            &[],                 N),
    programs("petugas.1303",     N, &[],                            &[],                 N),
    programs("bendahara.18",     N, &[],                            &[],                 N),
];

/// The program table names the walk's users, and agrees with itself.
#[test]
fn the_program_table_agrees_with_itself() {
    for (p, u) in PROGRAMS.iter().zip(&USERS) {
        assert_eq!(p.login, u.login);
        assert!(
            p.programs || (p.opens.is_empty() && p.allocates.is_empty()),
            "{}",
            p.login
        );
        assert!(!p.administers || p.programs, "{}", p.login);
        for r in p.allocates {
            assert!(u.sees(Some(r)), "{} allocates in {r}", p.login);
        }
    }
}

/// Whose account each user of the walk manages (`/admin/pengguna`), by the
/// column of the account's region ([`COLUMNS`]): the administrator
/// everyone's (national accounts too); a provincial manager those of their
/// province and its kabupaten/kota, except an administrator's or the
/// Ministry's (which have no region here); nobody else anyone's. `None`:
/// the users pages are refused (403).
#[rustfmt::skip]
pub const MANAGES: [(&str, Option<[bool; 8]>); 12] = [
    //                               nat.  18  18.71  18.xx  13  13.03  13.xx  other
    ("admin",            Some([Y,    Y,  Y,     Y,     Y,  Y,     Y,     Y])),
    ("kementerian",      None),
    ("pengelola.18",     Some([N,    Y,  Y,     Y,     N,  N,     N,     N])),
    ("verifikator.18",   None),
    ("pengelola.1871",   None),
    ("petugas.1871",     None),
    ("verifikator.1871", None),
    ("pengelola.13",     Some([N,    N,  N,     N,     Y,  Y,     Y,     N])),
    ("verifikator.13",   None),
    ("pengelola.1303",   None),
    ("petugas.1303",     None),
    ("bendahara.18",     None),
];

/// Whose account `login` manages, by column; none: the pages are refused.
pub fn manages(login: &str) -> Option<[bool; 8]> {
    MANAGES
        .iter()
        .find(|(l, _)| *l == login)
        .and_then(|(_, m)| *m)
}

#[test]
fn every_user_of_the_walk_has_a_row_of_whom_they_manage() {
    for u in &USERS {
        assert!(
            MANAGES.iter().any(|(l, _)| *l == u.login),
            "{}: no row in MANAGES",
            u.login
        );
    }
}
