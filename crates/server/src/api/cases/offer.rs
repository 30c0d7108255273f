//! An action's fields as the API shows them, and the users a case's
//! `user` answers may name.

use pantau_domain::{Lang, Role};
use pantau_workflow::Definition;

use super::{ActionView, FieldView, UserChoice};
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

pub fn field_views<'a>(
    def: &'a Definition,
    action: &'a pantau_workflow::Action,
    lang: Lang,
) -> impl Iterator<Item = FieldView> + 'a {
    def.inputs(action).map(move |f| FieldView {
        id: f.id.clone(),
        kind: serde_json::to_value(f.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
        label: f.label.get(lang).to_string(),
        required: f.required,
        one_line: f.one_line(),
        options: f.options.clone(),
        users: Vec::new(),
    })
}
