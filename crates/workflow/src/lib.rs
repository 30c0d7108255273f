//! Workflow definitions and the pure engine that runs them.
//!
//! Each aid program is a state machine written in a TOML file
//! (`workflows/*.toml`). [`load`] reads one, reporting every problem at its
//! line and column; [`Catalog`] holds all of them by program and version.
//! [`engine::decide`] takes a definition, a case, a command and a
//! [`engine::Context`] (the actor and the time) and returns the event to
//! append and the effects to carry out, or a typed [`Refusal`].
//!
//! Architecture invariant: this crate does no I/O and reads no clock; time,
//! actors and identifiers come in as arguments, effects go out as data.

pub mod case;
mod catalog;
mod check;
mod definition;
mod diagnostic;
pub mod effect;
pub mod engine;
pub mod evidence;
pub mod graph;
mod load;
mod lower;
mod refusal;
pub mod schedule;
pub mod simulate;
mod syntax;
pub mod timeline;
mod value;

pub use case::{Actor, Case, Change, Event, MonevGap, ReplayError, Tranche, Visit};
pub use catalog::Catalog;
pub use definition::*;
pub use diagnostic::{Diagnostic, line_col};
pub use effect::{Effect, Reminder};
pub use engine::{Command, Context, Decision};
pub use load::{load, load_pinned};
pub use lower::Known;
pub use refusal::{FieldError, FieldProblem, GuardFailure, Refusal};
pub use value::{FieldType, Value};
