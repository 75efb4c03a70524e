-- Indexes for the targets report (adapters/postgres/reports/targets.ts) on years of history: each
-- new lead and each customer won is checked against the customer's earlier cases of the process
--   a customer's cases of one process, by when they opened (the new-customer visits before this one,
--   the customer's contracts);
--   the archiving of a contract, by case (a tiny partial index: one row per archived contract).
-- No new tables: the grants of migration 005 cover these.

CREATE INDEX cases_customer_process_idx ON docket.cases (customer_id, process_id, opened_at);
CREATE INDEX transitions_archived_idx   ON docket.transitions (case_id, at) WHERE event = 'ARCHIVED';
