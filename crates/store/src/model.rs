//! Plain read models: what callers outside the store get back.
//!
//! The sea-orm entities stay inside the store (`schema::entity`); each read
//! model below copies the fields a caller may see, and leaves out the rest
//! (a user's password hash and lock-out counters, a case's chain head).

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::schema::entity;

/// A plain struct with the named fields of an entity row, and its `From`.
macro_rules! read_model {
    ($(#[$m:meta])* $name:ident from $entity:ident { $($(#[$fm:meta])* $field:ident : $ty:ty),* $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Debug, PartialEq, Eq, Serialize)]
        pub struct $name { $($(#[$fm])* pub $field: $ty),* }

        impl From<entity::$entity::Model> for $name {
            fn from(m: entity::$entity::Model) -> Self {
                Self { $($field: m.$field),* }
            }
        }
    };
}

read_model!(
    /// An aid program of one fiscal year.
    Program from program {
        id: String,
        name: String,
        workflow: String,
        workflow_version: i32,
        fiscal_year: i32,
        /// e.g. APBN (Kemenkop UKM), DAK, APBD.
        funding_source: String,
        budget_ceiling: i64,
        /// The province that runs it.
        province_code: String,
    }
);

read_model!(
    /// A program's allocation to one region, and how much of it is approved.
    Allocation from allocation {
        program_id: String,
        region_code: String,
        amount: i64,
        approved: i64,
    }
);

read_model!(
    /// A province, regency or city.
    Region from region {
        code: String,
        name: String,
        /// `province`, `regency` or `city`.
        level: String,
        province_code: String,
        /// WIB, WITA or WIT.
        zone: String,
    }
);

read_model!(
    /// A user's account, without its secrets.
    User from user {
        login: String,
        name: String,
        email: String,
        role: String,
        region_code: Option<String>,
        /// `id` or `en`.
        lang: String,
        digest: bool,
        active: bool,
        created_at: DateTime<Utc>,
    }
);

read_model!(
    /// A signed-in session or an API token (its hash only).
    Session from session {
        token_hash: String,
        login: String,
        kind: String,
        csrf: String,
        created_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
        idle_until: Option<DateTime<Utc>>,
    }
);

read_model!(
    /// A cooperative, UMKM, street vendor or new entrepreneur.
    Beneficiary from beneficiary {
        id: String,
        kind: String,
        natural_key: String,
        region_code: String,
        name: String,
        nik_koperasi: Option<String>,
        legal_entity_number: Option<String>,
        coop_kind: Option<String>,
        members: Option<i32>,
        active: Option<bool>,
        last_rat_year: Option<i32>,
        nib: Option<String>,
        owner_nik: Option<String>,
        scale: Option<String>,
        nik: Option<String>,
        market_location: Option<String>,
        lat_micro: Option<i32>,
        lon_micro: Option<i32>,
        created_at: DateTime<Utc>,
        address: Option<String>,
        phone: Option<String>,
        dissolved: bool,
        desa_code: Option<String>,
        merged_into: Option<String>,
    }
);

read_model!(
    /// One corrected value of a beneficiary, with who, when and why.
    BeneficiaryChange from beneficiary_change {
        id: String,
        beneficiary_id: String,
        field: String,
        old_value: Option<String>,
        new_value: Option<String>,
        reason: String,
        changed_by: String,
        changed_at: DateTime<Utc>,
    }
);

read_model!(
    /// A cooperative's figures for one year.
    CooperativeYear from cooperative_year {
        beneficiary_id: String,
        year: i32,
        active: bool,
        rat_held: bool,
        quality: bool,
        members: Option<i32>,
        rat_date: Option<String>,
        own_capital: Option<i64>,
        outside_capital: Option<i64>,
        assets: Option<i64>,
        business_volume: Option<i64>,
        shu: Option<i64>,
        ksp_health: Option<String>,
        figures: Option<String>,
        case_id: Option<String>,
        event_seq: Option<i64>,
        verified_by: Option<String>,
        verified_at: Option<DateTime<Utc>>,
        scale: Option<String>,
        workers: Option<i32>,
        turnover_band: Option<String>,
    }
);

read_model!(
    /// A case: one beneficiary's way through a program's workflow.
    Case from case {
        id: String,
        workflow: String,
        workflow_version: i32,
        region: Option<String>,
        program_id: Option<String>,
        beneficiary_id: Option<String>,
        state: String,
        seq: i64,
        approved_amount: Option<i64>,
        disbursed_amount: i64,
        /// The case's data (JSON) after its last event.
        snapshot: String,
        head_hash: String,
        opened_at: DateTime<Utc>,
        updated_at: DateTime<Utc>,
        officer: Option<String>,
    }
);

read_model!(
    /// One event of a case's chain.
    Event from event {
        case_id: String,
        seq: i64,
        at: DateTime<Utc>,
        actor_user: String,
        actor_role: String,
        action: String,
        idem_key: String,
        from_state: Option<String>,
        to_state: String,
        body: String,
        prev_hash: String,
        hash: String,
    }
);

read_model!(
    /// A decree (SK) as filed.
    Decree from decree {
        id: String,
        number: String,
        decree_date: NaiveDate,
        signer_name: String,
        signer_position: String,
        signer_nip: Option<String>,
        pdf_path: Option<String>,
        pdf_sha256: Option<String>,
        program_id: String,
        amends: Option<String>,
        created_at: DateTime<Utc>,
    }
);

read_model!(
    /// One line of a decree's list.
    DecreeItem from decree_item {
        decree_id: String,
        case_id: String,
        line_no: i32,
        change: String,
        amount: Option<i64>,
        tranches: Option<String>,
        outcome: String,
        reason: Option<String>,
    }
);

read_model!(
    /// A resumable upload and how far it got.
    Upload from upload {
        id: String,
        key: String,
        case_id: String,
        content_type: String,
        size: i64,
        received: i64,
        created_by: String,
        created_at: DateTime<Utc>,
        attachment_id: Option<String>,
    }
);

read_model!(
    /// A stored file (a photo, a scan) and its bytes.
    Attachment from attachment {
        id: String,
        case_id: String,
        content_type: String,
        size: i64,
        sha256: String,
        data: Vec<u8>,
        uploaded_by: String,
        created_at: DateTime<Utc>,
        phash: Option<i64>,
        taken_at: Option<DateTime<Utc>>,
    }
);

/// Rows as their read models.
pub(crate) fn all<M, T: From<M>>(rows: Vec<M>) -> Vec<T> {
    rows.into_iter().map(T::from).collect()
}

read_model!(
    /// One changed value of a program or of one of its allocations.
    ProgramChange from program_change {
        program_id: String,
        /// The allocation's kabupaten/kota; none for the program's own values.
        region_code: Option<String>,
        /// `created`, `name`, `fiscal_year`, `funding_source`, `budget_ceiling`,
        /// `workflow`, or `allocation`.
        field: String,
        old_value: Option<String>,
        new_value: String,
        changed_by: String,
        changed_at: DateTime<Utc>,
    }
);

read_model!(
    /// One change made to a user's account: who made it, when, and what
    /// (`added`, `role`, `region`, …; see [`crate::accounts::Change`]).
    UserChange from user_change {
        login: String,
        actor: String,
        at: DateTime<Utc>,
        what: String,
        detail: String,
    }
);
