//! The users a case's `user` answers may name.

use pantau_domain::{Lang, Role};
use pantau_workflow::Definition;

use super::{ActionView, UserChoice};
use crate::App;
use crate::error::ApiError;

/// Fills each `user` answer of `actions` with the users it may name: the
/// active users of the field's role whose region covers the case's.
pub(super) async fn offer_users(
    app: &App,
    def: &Definition,
    actions: &mut [ActionView],
    region: Option<&str>,
    lang: Lang,
) -> Result<(), ApiError> {
    for a in actions.iter_mut() {
        for f in a.fields.iter_mut().filter(|f| f.kind == "user") {
            let role = def
                .action(&a.id)
                .into_iter()
                .flat_map(|x| def.inputs(x))
                .find(|x| x.id == f.id)
                .and_then(|x| x.role)
                .unwrap_or(Role::FieldOfficer);
            f.users = app
                .store
                .people_of(role, region.unwrap_or_default())
                .await
                .map_err(|e| ApiError::from_store(e, lang))?
                .into_iter()
                .map(|u| UserChoice {
                    login: u.login,
                    name: u.name,
                })
                .collect();
        }
    }
    Ok(())
}
