-- Issued invoices as legal documents: what the documents need from the organization (bank,
-- French company mentions, Factur-X profile, accounting codes, logo) and from the client
-- (business flag, accounting code), and the documents rendered at issue, stored in the
-- transaction that issues the invoice and served byte-identical ever after.
-- Forward-only: never edit once landed.

ALTER TABLE organizations ADD COLUMN bic TEXT;
ALTER TABLE organizations ADD COLUMN legal_form TEXT;
ALTER TABLE organizations ADD COLUMN share_capital TEXT;
ALTER TABLE organizations ADD COLUMN registration TEXT;
ALTER TABLE organizations ADD COLUMN contact_email TEXT;
ALTER TABLE organizations ADD COLUMN phone TEXT;
ALTER TABLE organizations ADD COLUMN website TEXT;
-- Annual late-payment penalty rate in percent (exact decimal as TEXT); NULL: three times the
-- legal interest rate, the French legal minimum.
ALTER TABLE organizations ADD COLUMN late_payment_rate TEXT;
ALTER TABLE organizations ADD COLUMN early_payment_discount TEXT;
-- 'en16931' or 'extended-ctc-fr' (the French CTC extension; needs billing_framework).
ALTER TABLE organizations ADD COLUMN document_profile TEXT NOT NULL DEFAULT 'en16931';
-- BT-23 cadre de facturation (S1, B1, M1…).
ALTER TABLE organizations ADD COLUMN billing_framework TEXT;
ALTER TABLE organizations ADD COLUMN epc_qr INTEGER NOT NULL DEFAULT 0;
-- PNG or JPEG bytes printed on the first page.
ALTER TABLE organizations ADD COLUMN logo BLOB;
ALTER TABLE organizations ADD COLUMN customer_account TEXT NOT NULL DEFAULT '411000';
ALTER TABLE organizations ADD COLUMN revenue_account TEXT NOT NULL DEFAULT '706000';
ALTER TABLE organizations ADD COLUMN vat_account TEXT NOT NULL DEFAULT '445710';
ALTER TABLE organizations ADD COLUMN bank_account TEXT NOT NULL DEFAULT '512000';
ALTER TABLE organizations ADD COLUMN sales_journal TEXT NOT NULL DEFAULT 'VE';
ALTER TABLE organizations ADD COLUMN bank_journal TEXT NOT NULL DEFAULT 'BQ';

-- NULL: a business when the client has a SIREN/SIRET, a UID or a VAT number.
ALTER TABLE clients ADD COLUMN is_business INTEGER;
-- Auxiliary (customer) account in the books and client code in Oxygène; NULL: derived
-- from the name.
ALTER TABLE clients ADD COLUMN accounting_code TEXT;

-- The documents of an issued invoice, rendered once at issue.
CREATE TABLE invoice_documents (
    organization_id TEXT NOT NULL REFERENCES organizations(id),
    invoice_id TEXT NOT NULL REFERENCES invoices(id),
    -- facturx_pdf, cii_xml, ubl_xml, qrbill_pdf, qrbill_svg
    kind TEXT NOT NULL,
    media_type TEXT NOT NULL,
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    bytes BLOB NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (invoice_id, kind)
);
CREATE INDEX invoice_documents_org ON invoice_documents (organization_id, invoice_id);
