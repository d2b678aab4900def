-- The validation workflow: who wrote a draft, approval rounds and decisions, delegations while
-- someone is away, the validation settings of each organization, in-app notifications, and the
-- interface language a user chose. Forward-only: never edit once landed.

ALTER TABLE invoices ADD COLUMN created_by TEXT REFERENCES users(id);
ALTER TABLE users ADD COLUMN ui_language TEXT;

-- Everyone who created, edited or submitted a draft: none of them may approve it.
CREATE TABLE invoice_contributors (
    organization_id TEXT NOT NULL REFERENCES organizations(id),
    invoice_id TEXT NOT NULL REFERENCES invoices(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id),
    PRIMARY KEY (invoice_id, user_id)
);

-- One submission of a draft: its rule results, its route and how it ended.
CREATE TABLE approval_rounds (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations(id),
    invoice_id TEXT NOT NULL REFERENCES invoices(id) ON DELETE CASCADE,
    round INTEGER NOT NULL,
    submitted_by TEXT REFERENCES users(id),
    submitted_by_label TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    route_json TEXT NOT NULL,
    results_json TEXT NOT NULL,
    outcome TEXT NOT NULL,
    closed_at TEXT,
    UNIQUE (invoice_id, round)
);
CREATE INDEX approval_rounds_org_outcome ON approval_rounds (organization_id, outcome);

CREATE TABLE approval_decisions (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations(id),
    round_id TEXT NOT NULL REFERENCES approval_rounds(id) ON DELETE CASCADE,
    level INTEGER NOT NULL,
    decided_by TEXT REFERENCES users(id),
    decided_by_label TEXT NOT NULL,
    on_behalf_of TEXT REFERENCES users(id),
    decision TEXT NOT NULL,
    comment TEXT,
    decided_at TEXT NOT NULL,
    UNIQUE (round_id, level)
);

CREATE TABLE approval_delegations (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations(id),
    from_user_id TEXT NOT NULL REFERENCES users(id),
    to_user_id TEXT NOT NULL REFERENCES users(id),
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX approval_delegations_org ON approval_delegations (organization_id, ends_on);

-- The organization's `[validation]` configuration (JSON of the versioned format); absent: the
-- installation's `encaisse.toml`, then the built-in defaults.
CREATE TABLE validation_settings (
    organization_id TEXT PRIMARY KEY REFERENCES organizations(id),
    config_json TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE notifications (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL,
    invoice_id TEXT REFERENCES invoices(id) ON DELETE CASCADE,
    payload TEXT NOT NULL,
    unique_key TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    read_at TEXT
);
CREATE INDEX notifications_user_unread ON notifications (user_id, organization_id, read_at);
