//! `pantau demo`: a realistic, repeatable picture to explore.
//!
//! Lampung's 15 kabupaten/kota with about 2,016 cooperatives and 168,938
//! UMKM (`scale` shrinks them, keeping the proportions); Lampung's 2019
//! strategic programs worth Rp 4.924.000.000 (market revitalisation, a
//! PLUT, startup capital); West Sumatra's 2014 PKL registration in five
//! kabupaten/kota; bansos for KUDs and capital strengthening for KSPs;
//! cases in every state of every workflow, driven through the store like
//! any other command, with visits done, due and overdue; and for each
//! program approved by decree, an SK listing a proposal per kabupaten/kota;
//! and, last, Lampung's treasurer paying through the bank: accounts, a
//! batch the bank paid, one with failures and one awaiting the bank.
//!
//! The same seed and the same `as_of` date give the same data.

mod beneficiaries;
mod cases;
mod coop_years;
mod decrees;
mod payments;
mod programs;
pub mod users;

/// A one-page PDF of lines of text (the demo's scanned decrees; a real PDF for tests too).
pub use decrees::scan as pdf;

use chrono::{DateTime, Utc};
use pantau_store::{Store, StoreError};
use pantau_workflow::Catalog;

/// How to fill.
#[derive(Debug, Clone)]
pub struct Options {
    pub seed: u64,
    /// 1.0 is the full size of the sources' figures.
    pub scale: f64,
    /// The demo's "today": histories end here, and visits are due or overdue relative to it.
    pub as_of: DateTime<Utc>,
    /// Cases per state of each workflow.
    pub cases_per_state: usize,
    /// The argon2id hash every demo user signs in with (none: they cannot sign in).
    pub password_hash: Option<String>,
}

/// What the demo made.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub cooperatives: u64,
    pub umkm: u64,
    pub pkl: u64,
    pub entrepreneurs: u64,
    pub programs: Vec<(String, String, i64)>,
    pub cases: usize,
    pub users: usize,
    pub transitions: usize,
    /// (workflow, state, cases) for every state of every workflow.
    pub states: Vec<(String, String, usize)>,
    pub visits_done: usize,
    pub visits_due: usize,
    pub visits_overdue: usize,
    /// Yearly statuses of cooperatives (for the indicators).
    pub cooperative_years: usize,
    /// (number, cases taken, cases refused) of each decree (SK).
    pub decrees: Vec<(String, usize, usize)>,
    /// Each payment batch, with its lines by standing.
    pub batches: Vec<pantau_store::payments::BatchView>,
}

#[derive(Debug)]
pub enum DemoError {
    Store(StoreError),
    /// A workflow state no sequence of actions reaches.
    Unreachable {
        workflow: String,
        state: String,
    },
    /// The database already holds demo data from another seed or date.
    AlreadyFilled,
    /// A payment the demo makes was refused.
    Payment(String),
}

impl std::fmt::Display for DemoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DemoError::Store(e) => write!(f, "{e}"),
            DemoError::Unreachable { workflow, state } => {
                write!(f, "no path reaches state `{state}` of {workflow}")
            }
            DemoError::AlreadyFilled => write!(
                f,
                "this database already holds cases; run the demo on an empty one (e.g. a fresh PANTAU_DATA_DIR)"
            ),
            DemoError::Payment(why) => write!(f, "the demo's payments: {why}"),
        }
    }
}

impl From<StoreError> for DemoError {
    fn from(e: StoreError) -> Self {
        DemoError::Store(e)
    }
}

/// Fills `store`. Refuses a database that already holds cases.
pub async fn fill(store: &Store, catalog: &Catalog, opts: &Options) -> Result<Summary, DemoError> {
    if !store.cases(1).await?.is_empty() {
        return Err(DemoError::AlreadyFilled);
    }
    let mut rng = fastrand::Rng::with_seed(opts.seed);
    let mut summary = Summary::default();
    let people = beneficiaries::fill(store, &mut rng, opts, &mut summary).await?;
    summary.cooperative_years = coop_years::fill(store, opts, &people.cooperatives).await?;
    summary.users = users::fill(store, opts.as_of, opts.password_hash.as_deref()).await?;
    let programs = programs::fill(store, catalog, &mut summary).await?;
    cases::fill(
        store,
        catalog,
        &programs,
        &people,
        &mut rng,
        opts,
        &mut summary,
    )
    .await?;
    decrees::fill(store, catalog, &programs, &people, opts, &mut summary).await?;
    // Last: nothing drawn before changes.
    payments::fill(store, catalog, opts, &mut summary).await?;
    let (done, due, overdue) = store.visit_counts(opts.as_of).await?;
    (
        summary.visits_done,
        summary.visits_due,
        summary.visits_overdue,
    ) = (done, due, overdue);
    Ok(summary)
}

impl std::error::Error for DemoError {}
