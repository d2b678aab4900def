-- Cash in: bank accounts and their balances, bank transactions (from statement files and bank
-- APIs, one row per movement whatever the source), allocations of transactions to invoices
-- (applied, suggested, rejected, undone), what confirmations taught the matcher, client credit
-- from over-payments, alerts, and invoices imported from another tool. Forward-only.

-- Invoices issued by another tool (`encaisse invoice import`): `origin = 'external'`, number
-- from the file, no frozen document. Ours are `origin = 'encaisse'`.
ALTER TABLE invoices ADD COLUMN origin TEXT NOT NULL DEFAULT 'encaisse';

CREATE TABLE bank_accounts (
    id TEXT COLLATE "C" PRIMARY KEY,
    organization_id TEXT COLLATE "C" NOT NULL REFERENCES organizations(id),
    -- The IBAN (electronic form) when known, else the bank's own account identifier.
    account_ref TEXT NOT NULL,
    iban TEXT,
    currency TEXT NOT NULL,
    label TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (organization_id, account_ref)
);

-- A balance the bank stated (statement opening/closing, API snapshot).
CREATE TABLE bank_balances (
    id TEXT COLLATE "C" PRIMARY KEY,
    organization_id TEXT COLLATE "C" NOT NULL REFERENCES organizations(id),
    account_id TEXT COLLATE "C" NOT NULL REFERENCES bank_accounts(id),
    kind TEXT NOT NULL,
    balance_date DATE NOT NULL,
    amount_minor BIGINT NOT NULL,
    currency TEXT NOT NULL,
    source TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (organization_id, account_id, kind, balance_date)
);

CREATE TABLE bank_transactions (
    id TEXT COLLATE "C" PRIMARY KEY,
    organization_id TEXT COLLATE "C" NOT NULL REFERENCES organizations(id),
    account_id TEXT COLLATE "C" NOT NULL REFERENCES bank_accounts(id),
    -- The first key the movement was seen under; every key is in bank_transaction_keys.
    dedup_key TEXT NOT NULL,
    source TEXT NOT NULL,
    bank_reference TEXT NOT NULL,
    booking_date DATE NOT NULL,
    value_date DATE,
    amount_minor BIGINT NOT NULL,
    currency TEXT NOT NULL,
    -- booked | pending | informational | declined | reversed
    status TEXT NOT NULL,
    is_reversal BOOLEAN NOT NULL,
    counterparty_name TEXT,
    counterparty_iban TEXT,
    counterparty_account TEXT,
    ultimate_counterparty_name TEXT,
    remittance TEXT,
    structured_reference TEXT,
    end_to_end_id TEXT,
    additional_info TEXT,
    bank_transaction_code TEXT,
    raw_json TEXT NOT NULL,
    -- unmatched | suggested | matched | ignored
    reconciliation TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (organization_id, dedup_key)
);
CREATE INDEX bank_transactions_org_reconciliation ON bank_transactions (organization_id, reconciliation);
CREATE INDEX bank_transactions_org_booking ON bank_transactions (organization_id, booking_date);
CREATE INDEX bank_transactions_fingerprint ON bank_transactions (organization_id, account_id, booking_date, amount_minor);

-- Every key a movement was seen under (file dedup key, API transaction id…): one movement, one row.
CREATE TABLE bank_transaction_keys (
    organization_id TEXT COLLATE "C" NOT NULL REFERENCES organizations(id),
    dedup_key TEXT NOT NULL,
    transaction_id TEXT COLLATE "C" NOT NULL REFERENCES bank_transactions(id),
    source TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (organization_id, dedup_key)
);

-- Money of a transaction applied (or proposed) to an invoice. Rows of one decision share a
-- match_id: a grouped payment is one match over several invoices.
CREATE TABLE bank_allocations (
    id TEXT COLLATE "C" PRIMARY KEY,
    organization_id TEXT COLLATE "C" NOT NULL REFERENCES organizations(id),
    match_id TEXT COLLATE "C" NOT NULL,
    transaction_id TEXT COLLATE "C" NOT NULL REFERENCES bank_transactions(id),
    invoice_id TEXT COLLATE "C" NOT NULL REFERENCES invoices(id),
    -- Rank of the candidate among the suggestions of its transaction (1 = best).
    candidate_rank INTEGER NOT NULL,
    amount_minor BIGINT NOT NULL,
    fee_minor BIGINT NOT NULL,
    currency TEXT NOT NULL,
    method TEXT NOT NULL,
    confidence TEXT NOT NULL,
    -- applied | suggested | rejected | undone | superseded
    status TEXT NOT NULL,
    explanation TEXT NOT NULL,
    -- The invoice as it stood before this allocation was applied (for an exact undo).
    invoice_paid_before_minor BIGINT,
    invoice_status_before TEXT,
    created_by TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    decided_by TEXT,
    decided_at TIMESTAMPTZ
);
CREATE INDEX bank_allocations_org_status ON bank_allocations (organization_id, status);
CREATE INDEX bank_allocations_match ON bank_allocations (organization_id, match_id);
CREATE INDEX bank_allocations_transaction ON bank_allocations (organization_id, transaction_id);

-- Money a client paid beyond what its invoices owed.
CREATE TABLE client_credits (
    id TEXT COLLATE "C" PRIMARY KEY,
    organization_id TEXT COLLATE "C" NOT NULL REFERENCES organizations(id),
    client_id TEXT COLLATE "C" NOT NULL REFERENCES clients(id),
    transaction_id TEXT COLLATE "C" NOT NULL REFERENCES bank_transactions(id),
    match_id TEXT COLLATE "C" NOT NULL,
    amount_minor BIGINT NOT NULL,
    currency TEXT NOT NULL,
    -- open | undone
    status TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX client_credits_client ON client_credits (organization_id, client_id);

-- What confirmations and rejections taught the matcher. kind: iban_of | name_of | pays_for |
-- not_client_iban | not_client_name; subject: the IBAN, the normalized name or the payer client.
CREATE TABLE reconciliation_facts (
    organization_id TEXT COLLATE "C" NOT NULL REFERENCES organizations(id),
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    client_id TEXT COLLATE "C" NOT NULL REFERENCES clients(id),
    created_by TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (organization_id, kind, subject, client_id)
);

CREATE TABLE alerts (
    id TEXT COLLATE "C" PRIMARY KEY,
    organization_id TEXT COLLATE "C" NOT NULL REFERENCES organizations(id),
    -- overdue_30 | overdue_60 | overdue_90 | partial_payment | cash_position
    kind TEXT NOT NULL,
    unique_key TEXT NOT NULL,
    invoice_id TEXT COLLATE "C" REFERENCES invoices(id),
    account_id TEXT COLLATE "C" REFERENCES bank_accounts(id),
    amount_minor BIGINT,
    currency TEXT,
    message TEXT NOT NULL,
    as_of DATE NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    resolved_at TIMESTAMPTZ,
    UNIQUE (organization_id, unique_key)
);
CREATE INDEX alerts_org_open ON alerts (organization_id, resolved_at);
