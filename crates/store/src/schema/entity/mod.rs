//! sea-orm entities, one module per table. Times are UTC.

pub mod allocation;
pub mod attachment;
pub mod beneficiary;
pub mod beneficiary_location;
pub mod case;
pub mod cooperative_year;
pub mod decree;
pub mod decree_item;
pub mod decree_scan;
pub mod definition;
pub mod event;
pub mod outbox;
pub mod photo_band;
pub mod program;
pub mod region;
pub mod reminder;
pub mod session;
pub mod sign_in_attempt;
pub mod tranche;
pub mod upload;
pub mod upload_part;
pub mod user;
pub mod user_change;
pub mod user_link;
pub mod visit;
pub mod visit_photo;
