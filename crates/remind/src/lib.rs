//! Reminder rounds and the sender. Each zone (WIB, WITA, WIT) has its own
//! round at the schedule's time on its own clock: the reminders of cases in
//! that zone's regions, then the digests, monthly reports and yearly-data
//! reminders of that zone's people. Between rounds, every tick (at most a minute) addresses the
//! notices that go at once (a transition's notifications, a decree's) and
//! sends what is ready. A round that fails is logged and tried again at
//! the next tick; nothing stops the schedule but the process ending.
//!
//! [`plan`] decides, without a clock, which rounds fell due between two
//! times; [`Runner`] drives [`Work`] by a [`Clock`] (the machine's, or a
//! test's that lets a day pass at once); [`Rounds`] is the work itself on a
//! store, and [`Sender`] how emails leave.

pub mod clock;
mod monthly;
pub mod plan;
mod rounds;
mod runner;
pub mod sender;
mod yearly;

pub use clock::{Clock, Fixed, SystemClock};
pub use plan::Plan;
pub use rounds::Rounds;
pub use runner::{Runner, Work};
pub use sender::{Sender, Sent};

/// Why a round or a send could not be done (it is tried again at the next tick).
#[derive(Debug, thiserror::Error)]
pub enum RemindError {
    #[error(transparent)]
    Store(#[from] pantau_store::StoreError),
    #[error(transparent)]
    Report(#[from] pantau_report::ReportError),
    #[error("{0}")]
    Other(String),
}
