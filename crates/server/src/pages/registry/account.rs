//! The "Rekening bank" section of a beneficiary's page: its account now
//! (the bank named from its code, the number, the holder, and "nama tidak
//! sama" when the holder's name is not the beneficiary's), every version
//! before with who, when and why; the form that sets or changes it
//! (`Permission::Correct`, a reason required for a change), and a
//! verifier's acceptance of a holder name unlike the beneficiary's
//! (`Permission::AcceptHolder`).

use std::collections::BTreeMap;

use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use pantau_domain::access::Permission;
use pantau_registry::bank::banks;
use pantau_store::payments::{Account, NewAccount, PayError};
use pantau_store::registry::Author;
use serde::{Deserialize, Serialize};

use crate::App;
use crate::error::ApiError;
use crate::pages::format;
use crate::pages::guard;
use crate::pages::users::Choice;
use crate::pages::view::{OrFail, PageResult, Viewer};

/// The account form as typed.
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct AccountForm {
    bank_code: String,
    account_no: String,
    holder_name: String,
    reason: String,
    #[serde(skip_serializing)]
    _csrf: String,
}

#[derive(Serialize)]
struct Shown {
    bank: String,
    bank_code: String,
    account_no: String,
    holder: String,
    /// The holder's name is not the beneficiary's.
    mismatch: bool,
    /// Who accepted the holder's name, and when.
    accepted: Option<String>,
    held: bool,
    why: String,
    who: String,
    when: String,
    replaced: Option<String>,
}

/// The section as the page shows it.
#[derive(Serialize)]
pub(super) struct BankSection {
    current: Option<Shown>,
    history: Vec<Shown>,
    may_set: bool,
    may_accept: bool,
    form: AccountForm,
    banks: Vec<Choice>,
    problems: BTreeMap<String, String>,
    saved: bool,
    accepted: bool,
}

fn shown(v: &Viewer, a: &Account) -> Shown {
    let (zone, lang) = (v.caller.zone, v.caller.lang);
    Shown {
        bank: banks::bank(&a.bank_code).map_or_else(|| a.bank_name.clone(), |b| b.name.clone()),
        bank_code: a.bank_code.clone(),
        account_no: a.account_no.clone(),
        holder: a.holder_name.clone(),
        mismatch: !a.name_matches,
        accepted: match (&a.accepted_by, a.accepted_at) {
            (Some(by), Some(at)) => Some(
                v.text("rekening.diterima_oleh")
                    .replace("{siapa}", by)
                    .replace("{kapan}", &format::when(zone, at, lang)),
            ),
            _ => None,
        },
        held: !a.payable(),
        why: a.reason.clone(),
        who: a.created_by.clone(),
        when: format::when(zone, a.created_at, lang),
        replaced: a.replaced_at.map(|t| format::when(zone, t, lang)),
    }
}

/// The section of beneficiary `id` (which the reader may see), with a
/// refused form kept as typed.
pub(super) async fn section(
    app: &App,
    v: &Viewer,
    id: &str,
    form: Option<AccountForm>,
    problems: BTreeMap<String, String>,
) -> Result<BankSection, ApiError> {
    let lang = v.caller.lang;
    let err = |e| ApiError::from_store(e, lang);
    let current = app.store.account(id).await.map_err(err)?;
    let history = app.store.account_history(id).await.map_err(err)?;
    let form = form.unwrap_or_else(|| AccountForm {
        bank_code: current
            .as_ref()
            .map(|a| a.bank_code.clone())
            .unwrap_or_default(),
        account_no: current
            .as_ref()
            .map(|a| a.account_no.clone())
            .unwrap_or_default(),
        holder_name: current
            .as_ref()
            .map(|a| a.holder_name.clone())
            .unwrap_or_default(),
        ..AccountForm::default()
    });
    let chosen = banks::bank(&form.bank_code).map(|b| b.code.clone());
    let mut choices = vec![Choice {
        value: String::new(),
        label: v.text("rekening.pilih_bank"),
        selected: chosen.is_none(),
    }];
    choices.extend(banks::all().iter().map(|b| Choice {
        value: b.code.clone(),
        label: format!("{} · {}", b.code, b.short),
        selected: chosen.as_deref() == Some(b.code.as_str()),
    }));
    let here = &v.look.here;
    Ok(BankSection {
        may_accept: v.caller.may(Permission::AcceptHolder)
            && current.as_ref().is_some_and(|a| !a.payable()),
        current: current.as_ref().map(|a| shown(v, a)),
        history: history
            .iter()
            .filter(|a| a.replaced_at.is_some())
            .map(|a| shown(v, a))
            .collect(),
        may_set: v.caller.may(Permission::Correct),
        form,
        banks: choices,
        problems,
        saved: here.contains("rekening=1"),
        accepted: here.contains("rekening=diterima"),
    })
}

/// Sets or changes the account; or the page again with each bad field
/// named and what was typed kept.
pub async fn set(
    State(app): State<App>,
    v: Viewer,
    headers: HeaderMap,
    Path(id): Path<String>,
    form: Result<Form<AccountForm>, FormRejection>,
) -> PageResult {
    let Ok(Form(f)) = form else {
        return Err(ApiError::invalid("form", v.text("galat.csrf"))).or_fail(&v);
    };
    guard::form(&v.look, &headers, v.caller.csrf.as_deref(), Some(&f._csrf)).or_fail(&v)?;
    v.caller.require(Permission::Correct).or_fail(&v)?;
    super::one::visible(&app, &v, &id).await.or_fail(&v)?;
    let new = NewAccount {
        bank_code: f.bank_code.trim().to_string(),
        account_no: f.account_no.trim().to_string(),
        holder_name: f.holder_name.trim().to_string(),
        reason: f.reason.trim().to_string(),
    };
    let by = Author {
        login: &v.caller.login,
        at: app.now(),
    };
    match app.store.set_account(&id, &v.caller.scope, &new, by).await {
        Ok(_) => Ok(v
            .look
            .redirect(&format!("/registri/{id}?rekening=1#rekening"))),
        Err(PayError::Refused(problems)) => {
            let lang = v.caller.lang;
            let mut by_field = BTreeMap::new();
            for p in problems {
                by_field
                    .entry(p.field.clone())
                    .or_insert_with(|| p.reason.get(lang).to_string());
            }
            super::one::again(&app, &v, &id, Some(f), by_field).await
        }
        Err(PayError::Store(e)) => Err(ApiError::from_store(e, v.caller.lang)).or_fail(&v),
    }
}

/// A verifier accepts the holder's name of the current account.
pub async fn accept(
    State(app): State<App>,
    v: Viewer,
    headers: HeaderMap,
    Path(id): Path<String>,
    form: Result<Form<AccountForm>, FormRejection>,
) -> PageResult {
    let Ok(Form(f)) = form else {
        return Err(ApiError::invalid("form", v.text("galat.csrf"))).or_fail(&v);
    };
    guard::form(&v.look, &headers, v.caller.csrf.as_deref(), Some(&f._csrf)).or_fail(&v)?;
    v.caller.require(Permission::AcceptHolder).or_fail(&v)?;
    super::one::visible(&app, &v, &id).await.or_fail(&v)?;
    let by = Author {
        login: &v.caller.login,
        at: app.now(),
    };
    let lang = v.caller.lang;
    match app.store.accept_holder(&id, &v.caller.scope, by).await {
        Ok(_) => Ok(v
            .look
            .redirect(&format!("/registri/{id}?rekening=diterima#rekening"))),
        Err(PayError::Refused(problems)) => {
            let reason = problems
                .first()
                .map(|p| p.reason.get(lang).to_string())
                .unwrap_or_default();
            Err(ApiError::invalid("account", reason)).or_fail(&v)
        }
        Err(PayError::Store(pantau_store::StoreError::NotFound(_))) => {
            Err(ApiError::not_found("rekening", &id, lang)).or_fail(&v)
        }
        Err(PayError::Store(e)) => Err(ApiError::from_store(e, lang)).or_fail(&v),
    }
}
