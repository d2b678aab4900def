//! What a person may do in an organization.

use serde::{Deserialize, Serialize};

/// A user's role in one organization.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Everything, including users, settings and secrets.
    Owner,
    /// Approves or rejects drafts; reads everything.
    Approver,
    /// Prepares drafts, issues approved invoices, records payments, exports.
    Accountant,
    /// Reads only.
    Viewer,
}

/// An action that needs a permission.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Permission {
    Read,
    EditDrafts,
    Approve,
    Issue,
    RecordPayments,
    ManageOrganization,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Owner, Role::Approver, Role::Accountant, Role::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Approver => "approver",
            Role::Accountant => "accountant",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s.trim().to_ascii_lowercase())
    }

    pub fn allows(self, p: Permission) -> bool {
        use Permission::*;
        match self {
            Role::Owner => true,
            Role::Approver => matches!(p, Read | Approve),
            Role::Accountant => matches!(p, Read | EditDrafts | Issue | RecordPayments),
            Role::Viewer => matches!(p, Read),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn viewer_only_reads_and_accountant_cannot_approve() {
        assert!(Role::Viewer.allows(Permission::Read));
        assert!(!Role::Viewer.allows(Permission::Approve));
        assert!(!Role::Accountant.allows(Permission::Approve));
        assert!(Role::Approver.allows(Permission::Approve));
        assert!(Role::ALL.iter().all(|r| r.allows(Permission::Read)));
    }
}
