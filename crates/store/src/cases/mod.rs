//! Cases and their chain: opening a case and applying commands, each in one
//! transaction (`apply`), the batched writes of a transition (`write`),
//! reading and verifying cases (`query`), the definition texts cases were
//! opened on (`pin`), what a visit's evidence says (`evidence`) and files
//! sent in parts (`upload`).

pub(crate) mod apply;
pub mod evidence;
pub(crate) mod pin;
pub(crate) mod query;
pub mod upload;
/// The batched writes, open to the benches' hand-written baseline only.
#[cfg(feature = "inspect")]
pub mod write;
#[cfg(not(feature = "inspect"))]
pub(crate) mod write;
