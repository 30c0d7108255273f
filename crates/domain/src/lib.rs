//! Pantau's vocabulary: the small value types every other crate speaks in.
//!
//! Each type parses at the edge and cannot hold an invalid value afterwards
//! ("parse, don't validate"): a [`Rupiah`] is never negative, a [`GeoPoint`]
//! is always on the globe, a [`Role`] is one of the six that exist.
//!
//! This crate does no I/O and reads no clock.

pub mod access;
pub mod format;
mod geo;
mod ids;
mod lang;
mod role;
mod rupiah;
mod zone;

pub use geo::{GeoError, GeoPoint};
pub use ids::{IdError, IdProblem, LegalEntityNumber, Nib, Nik, NikKoperasi, RegionCode};
pub use lang::{Label, Lang};
pub use role::{Role, UnknownRole};
pub use rupiah::{Rupiah, RupiahError};
pub use zone::{Zone, long_date, month_year};
