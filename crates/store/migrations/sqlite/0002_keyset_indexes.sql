-- Keyset pagination walks (organization_id, id) backwards: one index range per page instead of
-- a sort of the whole organization.
CREATE INDEX invoices_org_id ON invoices (organization_id, id);
CREATE INDEX time_entries_org_id ON time_entries (organization_id, id);
