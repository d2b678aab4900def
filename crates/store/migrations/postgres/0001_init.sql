-- encaisse initial schema (PostgreSQL). Forward-only: never edit once landed; add a new file.
-- Identifiers are UUID v7 stored as TEXT (time-ordered, identical on both backends); money is
-- BIGINT minor units; exact decimals that are not money (quantities, unit prices, rates) are
-- TEXT; JSON that is hashed (audit) is TEXT so its bytes never change. Identifier columns use
-- the C collation: byte order, whatever the server's locale, so keyset pages are stable.

CREATE TABLE organizations (
    id TEXT COLLATE "C" PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    legal_name TEXT NOT NULL,
    siren TEXT,
    siret TEXT,
    uid TEXT,
    vat_id TEXT COLLATE "C",
    street TEXT,
    building_number TEXT,
    postal_code TEXT NOT NULL,
    city TEXT NOT NULL,
    country TEXT NOT NULL,
    iban TEXT,
    qr_iban TEXT,
    language TEXT NOT NULL,
    currency TEXT NOT NULL,
    payment_terms_days INTEGER NOT NULL,
    invoice_pattern TEXT NOT NULL,
    invoice_reset TEXT NOT NULL,
    credit_note_pattern TEXT NOT NULL,
    credit_note_reset TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE users (
    id TEXT COLLATE "C" PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    language TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE memberships (
    user_id TEXT COLLATE "C" NOT NULL REFERENCES users(id),
    organization_id TEXT COLLATE "C" NOT NULL REFERENCES organizations(id),
    role TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, organization_id)
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT COLLATE "C" NOT NULL REFERENCES users(id),
    organization_id TEXT COLLATE "C" REFERENCES organizations(id),
    csrf_token TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE api_tokens (
    id TEXT COLLATE "C" PRIMARY KEY,
    organization_id TEXT COLLATE "C" NOT NULL REFERENCES organizations(id),
    user_id TEXT COLLATE "C" NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    prefix TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ,
    revoked_at TIMESTAMPTZ
);

CREATE TABLE clients (
    id TEXT COLLATE "C" PRIMARY KEY,
    organization_id TEXT COLLATE "C" NOT NULL REFERENCES organizations(id),
    external_ref TEXT,
    name TEXT NOT NULL,
    siren TEXT,
    siret TEXT,
    uid TEXT,
    vat_id TEXT COLLATE "C",
    street TEXT,
    building_number TEXT,
    postal_code TEXT NOT NULL,
    city TEXT NOT NULL,
    country TEXT NOT NULL,
    email TEXT,
    language TEXT NOT NULL,
    currency TEXT NOT NULL,
    payment_terms_days INTEGER NOT NULL,
    requires_purchase_order BOOLEAN NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (organization_id, external_ref)
);
CREATE INDEX clients_org_name ON clients (organization_id, name);

CREATE TABLE projects (
    id TEXT COLLATE "C" PRIMARY KEY,
    organization_id TEXT COLLATE "C" NOT NULL REFERENCES organizations(id),
    client_id TEXT COLLATE "C" NOT NULL REFERENCES clients(id),
    name TEXT NOT NULL,
    hourly_rate_minor BIGINT,
    currency TEXT,
    external_id TEXT COLLATE "C",
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (organization_id, external_id)
);

CREATE TABLE invoices (
    id TEXT COLLATE "C" PRIMARY KEY,
    organization_id TEXT COLLATE "C" NOT NULL REFERENCES organizations(id),
    client_id TEXT COLLATE "C" NOT NULL REFERENCES clients(id),
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    disputed BOOLEAN NOT NULL,
    number TEXT,
    sequence_period TEXT,
    sequence_value BIGINT,
    currency TEXT NOT NULL,
    issue_date DATE,
    due_date DATE,
    period_start DATE,
    period_end DATE,
    buyer_reference TEXT,
    purchase_order TEXT,
    notes TEXT,
    corrects_invoice_id TEXT COLLATE "C" REFERENCES invoices(id),
    payment_reference_kind TEXT,
    payment_reference TEXT,
    net_minor BIGINT NOT NULL,
    vat_minor BIGINT NOT NULL,
    gross_minor BIGINT NOT NULL,
    paid_minor BIGINT NOT NULL,
    frozen_json TEXT,
    frozen_sha256 TEXT,
    external_ref TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    issued_at TIMESTAMPTZ,
    UNIQUE (organization_id, kind, number),
    UNIQUE (organization_id, external_ref)
);
CREATE INDEX invoices_org_status ON invoices (organization_id, status);
CREATE INDEX invoices_org_client ON invoices (organization_id, client_id);
CREATE INDEX invoices_org_issue_date ON invoices (organization_id, issue_date);

CREATE TABLE invoice_lines (
    id TEXT COLLATE "C" PRIMARY KEY,
    invoice_id TEXT COLLATE "C" NOT NULL REFERENCES invoices(id) ON DELETE CASCADE,
    organization_id TEXT COLLATE "C" NOT NULL REFERENCES organizations(id),
    position INTEGER NOT NULL,
    description TEXT NOT NULL,
    quantity TEXT NOT NULL,
    unit TEXT NOT NULL,
    unit_price TEXT NOT NULL,
    discount_percent TEXT NOT NULL,
    vat_category TEXT NOT NULL,
    vat_percent TEXT NOT NULL,
    net_minor BIGINT NOT NULL,
    time_entry_ids TEXT NOT NULL,
    UNIQUE (invoice_id, position)
);

CREATE TABLE time_entries (
    id TEXT COLLATE "C" PRIMARY KEY,
    organization_id TEXT COLLATE "C" NOT NULL REFERENCES organizations(id),
    project_id TEXT COLLATE "C" NOT NULL REFERENCES projects(id),
    source TEXT NOT NULL,
    external_id TEXT COLLATE "C" NOT NULL,
    user_name TEXT NOT NULL,
    description TEXT NOT NULL,
    started_at TIMESTAMPTZ NOT NULL,
    duration_seconds BIGINT NOT NULL,
    billable BOOLEAN NOT NULL,
    hourly_rate_minor BIGINT,
    rate_currency TEXT,
    invoice_id TEXT COLLATE "C" REFERENCES invoices(id),
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (organization_id, source, external_id)
);
CREATE INDEX time_entries_unbilled ON time_entries (organization_id, invoice_id);

CREATE TABLE payments (
    id TEXT COLLATE "C" PRIMARY KEY,
    organization_id TEXT COLLATE "C" NOT NULL REFERENCES organizations(id),
    invoice_id TEXT COLLATE "C" NOT NULL REFERENCES invoices(id),
    amount_minor BIGINT NOT NULL,
    currency TEXT NOT NULL,
    received_on DATE NOT NULL,
    source TEXT NOT NULL,
    reference TEXT,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX payments_invoice ON payments (organization_id, invoice_id);

CREATE TABLE number_sequences (
    organization_id TEXT COLLATE "C" NOT NULL REFERENCES organizations(id),
    kind TEXT NOT NULL,
    period_key TEXT NOT NULL,
    last_value BIGINT NOT NULL,
    PRIMARY KEY (organization_id, kind, period_key)
);

CREATE TABLE audit_events (
    organization_id TEXT COLLATE "C" NOT NULL,
    seq BIGINT NOT NULL,
    occurred_at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_id TEXT COLLATE "C" NOT NULL,
    before_json TEXT,
    after_json TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (organization_id, seq)
);

CREATE TABLE audit_heads (
    organization_id TEXT COLLATE "C" PRIMARY KEY,
    last_seq BIGINT NOT NULL,
    last_hash TEXT NOT NULL
);

CREATE TABLE jobs (
    id TEXT COLLATE "C" PRIMARY KEY,
    organization_id TEXT COLLATE "C",
    kind TEXT NOT NULL,
    unique_key TEXT NOT NULL UNIQUE,
    payload TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    max_attempts INTEGER NOT NULL,
    run_at TIMESTAMPTZ NOT NULL,
    locked_by TEXT,
    locked_until TIMESTAMPTZ,
    last_error TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX jobs_due ON jobs (status, run_at);

CREATE TABLE outbox (
    id TEXT COLLATE "C" PRIMARY KEY,
    organization_id TEXT COLLATE "C",
    kind TEXT NOT NULL,
    unique_key TEXT NOT NULL UNIQUE,
    payload TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    max_attempts INTEGER NOT NULL,
    run_at TIMESTAMPTZ NOT NULL,
    locked_by TEXT,
    locked_until TIMESTAMPTZ,
    last_error TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX outbox_due ON outbox (status, run_at);
