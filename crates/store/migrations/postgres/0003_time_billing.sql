-- Hours to draft invoices: what the time-tracking connectors, file imports and billing rules
-- need. Forward-only: never edit once landed; add a new file.

-- Where an entry stands at its source, and whether it needs a human look: an entry changed
-- or deleted at the source after it was billed is flagged, never altered.
ALTER TABLE time_entries ADD COLUMN task_name TEXT;
ALTER TABLE time_entries ADD COLUMN task_ref TEXT COLLATE "C";
ALTER TABLE time_entries ADD COLUMN user_ref TEXT COLLATE "C";
ALTER TABLE time_entries ADD COLUMN source_hash TEXT;
ALTER TABLE time_entries ADD COLUMN source_updated_at TIMESTAMPTZ;
ALTER TABLE time_entries ADD COLUMN source_deleted_at TIMESTAMPTZ;
ALTER TABLE time_entries ADD COLUMN source_invoiced_at TIMESTAMPTZ;
ALTER TABLE time_entries ADD COLUMN review_reason TEXT;
ALTER TABLE time_entries ADD COLUMN review_detail TEXT;
CREATE INDEX time_entries_org_started ON time_entries (organization_id, started_at);

-- hourly | fixed_fee (billed by milestone).
ALTER TABLE projects ADD COLUMN billing_mode TEXT NOT NULL DEFAULT 'hourly';

-- How a client is billed; client_id '' holds the organization's defaults. NULL: inherited.
CREATE TABLE billing_terms (
    organization_id TEXT COLLATE "C" NOT NULL REFERENCES organizations(id),
    client_id TEXT COLLATE "C" NOT NULL,
    hourly_rate_minor BIGINT,
    rate_currency TEXT,
    rounding_minutes INTEGER,
    rounding_scope TEXT,
    minimum_minutes INTEGER,
    line_grouping TEXT,
    discount_percent TEXT,
    vat_category TEXT,
    vat_percent TEXT,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (organization_id, client_id)
);

-- Rates a source defines beyond the project's own (Clockify: workspace, team member, task,
-- project member), keyed by the source's ids.
CREATE TABLE rate_cards (
    organization_id TEXT COLLATE "C" NOT NULL REFERENCES organizations(id),
    source TEXT NOT NULL,
    scope TEXT NOT NULL,
    scope_key TEXT NOT NULL,
    rate_minor BIGINT NOT NULL,
    currency TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (organization_id, source, scope, scope_key)
);

-- Fixed-fee milestones: billed once reached, carrying the project's hours.
CREATE TABLE milestones (
    id TEXT COLLATE "C" PRIMARY KEY,
    organization_id TEXT COLLATE "C" NOT NULL REFERENCES organizations(id),
    project_id TEXT COLLATE "C" NOT NULL REFERENCES projects(id),
    name TEXT NOT NULL,
    amount_minor BIGINT NOT NULL,
    currency TEXT NOT NULL,
    reached_on DATE,
    invoice_id TEXT COLLATE "C" REFERENCES invoices(id),
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (organization_id, project_id, name)
);

-- A connection to a third-party account (one per organization and connector).
CREATE TABLE connector_accounts (
    organization_id TEXT COLLATE "C" NOT NULL REFERENCES organizations(id),
    connector TEXT NOT NULL,
    workspace_id TEXT NOT NULL,
    api_base TEXT NOT NULL,
    reports_base TEXT NOT NULL,
    api_key TEXT NOT NULL,
    webhook_token_sha256 TEXT,
    time_zone TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (organization_id, connector)
);

-- Which local client or project an external one is.
CREATE TABLE external_links (
    organization_id TEXT COLLATE "C" NOT NULL REFERENCES organizations(id),
    source TEXT NOT NULL,
    kind TEXT NOT NULL,
    external_id TEXT COLLATE "C" NOT NULL,
    local_id TEXT COLLATE "C" NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (organization_id, source, kind, external_id)
);

CREATE TABLE sync_states (
    organization_id TEXT COLLATE "C" NOT NULL REFERENCES organizations(id),
    connector TEXT NOT NULL,
    synced_until TIMESTAMPTZ,
    last_started_at TIMESTAMPTZ,
    last_finished_at TIMESTAMPTZ,
    last_report TEXT,
    PRIMARY KEY (organization_id, connector)
);

-- Inbound webhooks, stored as received; a job does the work.
CREATE TABLE webhook_events (
    id TEXT COLLATE "C" PRIMARY KEY,
    organization_id TEXT COLLATE "C" NOT NULL REFERENCES organizations(id),
    connector TEXT NOT NULL,
    event_type TEXT NOT NULL,
    dedupe_key TEXT NOT NULL UNIQUE,
    payload TEXT NOT NULL,
    received_at TIMESTAMPTZ NOT NULL,
    processed_at TIMESTAMPTZ,
    outcome TEXT
);
