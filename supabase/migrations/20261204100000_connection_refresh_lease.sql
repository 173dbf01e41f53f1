-- An OAuth token refresh is claimed with a short lease instead of a row lock held across the
-- provider's HTTP call: a transaction open while waiting on the network ties up a pooled
-- connection (docs/architecture.md, "Connections and credentials").
alter table area.user_services add column refresh_lease_until timestamptz;
