//! A beneficiary's bank account: set or changed with who and why (a new
//! row, the one before marked replaced), its holder's name compared with
//! the beneficiary's, and a mismatch held until a verifier accepts it.

use pantau_domain::access::Scope;
use pantau_registry::bank::{account, banks};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect,
};

use super::{Account, PayError, Problem, retry};
use crate::registry::programs::Author;
use crate::schema::entity::{bank_account, beneficiary};
use crate::{Store, StoreError};

/// An account as a form or a file gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAccount {
    pub bank_code: String,
    pub account_no: String,
    pub holder_name: String,
    /// Why it is set or changed; required for a change.
    pub reason: String,
}

impl Store {
    /// Sets `beneficiary`'s account (within `scope`, else not found). The
    /// same bank, number and holder as now changes nothing; anything else
    /// is a new version, the old one kept as replaced.
    pub async fn set_account(
        &self,
        beneficiary: &str,
        scope: &Scope,
        new: &NewAccount,
        by: Author<'_>,
    ) -> Result<Account, PayError> {
        let mut problems = Vec::new();
        let bank = banks::bank(&new.bank_code);
        if bank.is_none() {
            problems.push(Problem::new(
                "bank_code",
                format!(
                    "kode bank `{}` tidak dikenal (kode Bank Indonesia, tiga angka)",
                    new.bank_code
                ),
                format!(
                    "unknown bank code `{}` (Bank Indonesia's three-digit code)",
                    new.bank_code
                ),
            ));
        }
        let number = account::account_number(&new.account_no);
        if let Err(reason) = &number {
            problems.push(Problem {
                line: None,
                field: "account_no".into(),
                reason: reason.clone(),
            });
        }
        let holder = new
            .holder_name
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if holder.is_empty() {
            problems.push(Problem::new(
                "holder_name",
                "nama pemilik rekening wajib diisi",
                "the account holder's name is required",
            ));
        }
        let (Some(bank), Ok(number), true) = (bank, number, problems.is_empty()) else {
            return Err(PayError::Refused(problems));
        };
        let new = NewAccount {
            bank_code: bank.code.clone(),
            account_no: number,
            holder_name: holder,
            reason: new.reason.trim().to_string(),
        };
        retry(|| self.set_account_once(beneficiary, scope, &new, by)).await
    }

    async fn set_account_once(
        &self,
        beneficiary: &str,
        scope: &Scope,
        new: &NewAccount,
        by: Author<'_>,
    ) -> Result<Account, PayError> {
        let txn = self.begin_write().await?;
        let Some(owner) = beneficiary::Entity::find_by_id(beneficiary)
            .lock_exclusive()
            .one(&txn)
            .await?
            .filter(|b| scope.covers(Some(&b.region_code)))
        else {
            return Err(StoreError::NotFound(format!("beneficiary {beneficiary}")).into());
        };
        let current = current(&txn, beneficiary).await?;
        if let Some(c) = &current
            && c.bank_code == new.bank_code
            && c.account_no == new.account_no
            && c.holder_name == new.holder_name
        {
            txn.commit().await?;
            return Ok(view(c.clone()));
        }
        if current.is_some() && new.reason.is_empty() {
            return Err(PayError::one(
                "reason",
                "alasan perubahan rekening wajib diisi",
                "a reason for changing the account is required",
            ));
        }
        if let Some(c) = current {
            let mut old = c.into_active_model();
            old.replaced_at = Set(Some(by.at));
            old.update(&txn).await?;
        }
        let row = bank_account::Model {
            id: uuid::Uuid::new_v4().to_string(),
            beneficiary_id: owner.id.clone(),
            bank_code: new.bank_code.clone(),
            account_no: new.account_no.clone(),
            holder_name: new.holder_name.clone(),
            name_matches: account::holder_matches(&new.holder_name, &owner.name),
            accepted_by: None,
            accepted_at: None,
            reason: match new.reason.is_empty() {
                true => "rekening pertama (first account)".into(),
                false => new.reason.clone(),
            },
            created_by: by.login.to_string(),
            created_at: by.at,
            replaced_at: None,
        };
        bank_account::Entity::insert(row.clone().into_active_model())
            .exec_without_returning(&txn)
            .await?;
        txn.commit().await?;
        Ok(view(row))
    }

    /// `beneficiary`'s current account, if any.
    pub async fn account(&self, beneficiary: &str) -> Result<Option<Account>, StoreError> {
        Ok(current(&self.db, beneficiary).await?.map(view))
    }

    /// Every version of `beneficiary`'s account, the newest first.
    pub async fn account_history(&self, beneficiary: &str) -> Result<Vec<Account>, StoreError> {
        Ok(bank_account::Entity::find()
            .filter(bank_account::Column::BeneficiaryId.eq(beneficiary))
            .order_by_desc(bank_account::Column::CreatedAt)
            .all(&self.db)
            .await?
            .into_iter()
            .map(view)
            .collect())
    }

    /// A verifier accepts the holder name of `beneficiary`'s current
    /// account (within `scope`): its tranches may then be paid.
    pub async fn accept_holder(
        &self,
        beneficiary: &str,
        scope: &Scope,
        by: Author<'_>,
    ) -> Result<Account, PayError> {
        let txn = self.begin_write().await?;
        let visible = beneficiary::Entity::find_by_id(beneficiary)
            .one(&txn)
            .await?
            .is_some_and(|b| scope.covers(Some(&b.region_code)));
        let Some(c) = current(&txn, beneficiary).await?.filter(|_| visible) else {
            return Err(StoreError::NotFound(format!("account of {beneficiary}")).into());
        };
        if c.name_matches || c.accepted_at.is_some() {
            txn.commit().await?;
            return Ok(view(c));
        }
        let mut row = c.into_active_model();
        row.accepted_by = Set(Some(by.login.to_string()));
        row.accepted_at = Set(Some(by.at));
        let row = row.update(&txn).await?;
        txn.commit().await?;
        Ok(view(row))
    }
}

pub(super) async fn current(
    db: &impl sea_orm::ConnectionTrait,
    beneficiary: &str,
) -> Result<Option<bank_account::Model>, StoreError> {
    Ok(bank_account::Entity::find()
        .filter(bank_account::Column::BeneficiaryId.eq(beneficiary))
        .filter(bank_account::Column::ReplacedAt.is_null())
        .one(db)
        .await?)
}

pub(super) fn view(r: bank_account::Model) -> Account {
    Account {
        bank_name: banks::bank(&r.bank_code)
            .map(|b| b.name.clone())
            .unwrap_or_default(),
        id: r.id,
        beneficiary_id: r.beneficiary_id,
        bank_code: r.bank_code,
        account_no: r.account_no,
        holder_name: r.holder_name,
        name_matches: r.name_matches,
        accepted_by: r.accepted_by,
        accepted_at: r.accepted_at,
        reason: r.reason,
        created_by: r.created_by,
        created_at: r.created_at,
        replaced_at: r.replaced_at,
    }
}
