//! The filters of `GET /v2/transactions`, as query parameters.

use chrono::{DateTime, SecondsFormat, Utc};

use super::model::{Side, TransactionStatus};

/// Which account to list: Qonto requires `bank_account_id` **or** `iban`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AccountSelector {
    BankAccountId(String),
    Iban(String),
}

impl AccountSelector {
    fn pair(&self) -> (String, String) {
        match self {
            AccountSelector::BankAccountId(id) => ("bank_account_id".into(), id.clone()),
            AccountSelector::Iban(iban) => ("iban".into(), iban.replace(' ', "")),
        }
    }
}

/// A `sort_by` field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortField {
    SettledAt,
    UpdatedAt,
    EmittedAt,
    CreatedAt,
}

/// `sort_by=<field>:<asc|desc>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SortBy {
    pub field: SortField,
    pub descending: bool,
}

impl SortBy {
    pub fn to_param(self) -> String {
        let f = match self.field {
            SortField::SettledAt => "settled_at",
            SortField::UpdatedAt => "updated_at",
            SortField::EmittedAt => "emitted_at",
            SortField::CreatedAt => "created_at",
        };
        format!("{f}:{}", if self.descending { "desc" } else { "asc" })
    }
}

/// Every documented filter of the transaction list. Time bounds are sent as RFC 3339 UTC
/// with milliseconds (`2025-03-04T09:12:05.000Z`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransactionQuery {
    pub account: AccountSelector,
    /// `status[]`; empty sends every documented status (pending ones are not returned by
    /// default, by some accounts' experience, so encaisse always names them).
    pub statuses: Vec<TransactionStatus>,
    pub side: Option<Side>,
    /// `operation_type[]` (`transfer`, `card`, `income`, `direct_debit`…).
    pub operation_types: Vec<String>,
    pub updated_at_from: Option<DateTime<Utc>>,
    pub updated_at_to: Option<DateTime<Utc>>,
    pub settled_at_from: Option<DateTime<Utc>>,
    pub settled_at_to: Option<DateTime<Utc>>,
    pub emitted_at_from: Option<DateTime<Utc>>,
    pub emitted_at_to: Option<DateTime<Utc>>,
    pub created_at_from: Option<DateTime<Utc>>,
    pub created_at_to: Option<DateTime<Utc>>,
    pub with_attachments: Option<bool>,
    /// `includes[]`: `vat_details`, `labels`, `attachments`.
    pub includes: Vec<String>,
    pub sort_by: Option<SortBy>,
}

impl TransactionQuery {
    /// Every transaction of an account, all statuses, oldest settlement first.
    pub fn for_account(account: AccountSelector) -> TransactionQuery {
        TransactionQuery {
            account,
            statuses: Vec::new(),
            side: None,
            operation_types: Vec::new(),
            updated_at_from: None,
            updated_at_to: None,
            settled_at_from: None,
            settled_at_to: None,
            emitted_at_from: None,
            emitted_at_to: None,
            created_at_from: None,
            created_at_to: None,
            with_attachments: None,
            includes: Vec::new(),
            sort_by: None,
        }
    }

    /// The query parameters (without `page`/`per_page`).
    pub fn to_params(&self) -> Vec<(String, String)> {
        let mut q = vec![self.account.pair()];
        let statuses: Vec<TransactionStatus> = if self.statuses.is_empty() {
            TransactionStatus::ALL.to_vec()
        } else {
            self.statuses.clone()
        };
        for s in statuses {
            q.push(("status[]".into(), s.as_str().to_owned()));
        }
        if let Some(side) = self.side {
            q.push(("side".into(), side.as_str().into()));
        }
        for o in &self.operation_types {
            q.push(("operation_type[]".into(), o.clone()));
        }
        let times = [
            ("updated_at_from", self.updated_at_from),
            ("updated_at_to", self.updated_at_to),
            ("settled_at_from", self.settled_at_from),
            ("settled_at_to", self.settled_at_to),
            ("emitted_at_from", self.emitted_at_from),
            ("emitted_at_to", self.emitted_at_to),
            ("created_at_from", self.created_at_from),
            ("created_at_to", self.created_at_to),
        ];
        for (name, t) in times {
            if let Some(t) = t {
                q.push((name.into(), format_time(t)));
            }
        }
        if let Some(w) = self.with_attachments {
            q.push(("with_attachments".into(), w.to_string()));
        }
        for i in &self.includes {
            q.push(("includes[]".into(), i.clone()));
        }
        if let Some(s) = self.sort_by {
            q.push(("sort_by".into(), s.to_param()));
        }
        q
    }
}

/// `2025-03-04T09:12:05.000Z`.
pub fn format_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn every_filter_becomes_its_documented_parameter() {
        let t = Utc.with_ymd_and_hms(2025, 3, 4, 9, 12, 5).unwrap();
        let mut q = TransactionQuery::for_account(AccountSelector::Iban("FR76 1695 8000".into()));
        q.statuses = vec![TransactionStatus::Pending, TransactionStatus::Completed];
        q.side = Some(Side::Credit);
        q.operation_types = vec!["transfer".into(), "income".into()];
        q.updated_at_from = Some(t);
        q.settled_at_to = Some(t);
        q.emitted_at_from = Some(t);
        q.with_attachments = Some(false);
        q.includes = vec!["labels".into()];
        q.sort_by = Some(SortBy {
            field: SortField::UpdatedAt,
            descending: false,
        });
        let p: Vec<String> = q
            .to_params()
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        assert_eq!(
            p,
            [
                "iban=FR7616958000",
                "status[]=pending",
                "status[]=completed",
                "side=credit",
                "operation_type[]=transfer",
                "operation_type[]=income",
                "updated_at_from=2025-03-04T09:12:05.000Z",
                "settled_at_to=2025-03-04T09:12:05.000Z",
                "emitted_at_from=2025-03-04T09:12:05.000Z",
                "with_attachments=false",
                "includes[]=labels",
                "sort_by=updated_at:asc",
            ]
        );
        let all = TransactionQuery::for_account(AccountSelector::BankAccountId("a".into()));
        assert_eq!(all.to_params().len(), 5, "the id and the four statuses");
    }
}
