-- Indexes for two reads that read far more than they answer at scale:
--   the case search by process and state (adapters/postgres/case-query.ts) lists a page in
--   opening order: with an index on (process_id, state) alone, the planner either sorts every
--   case in that state or walks all cases in opening order until it has found a page of them
--   (thousands of rows for a state of a few hundred cases). cases_process_state_idx now also
--   holds the opening order, so a page is the first rows of one range; it still serves what the
--   old one did (its columns lead);
--   the targets report's intention customers (adapters/postgres/reports/targets.ts) joins the
--   grade changes of the period to each customer's owner: both indexes now hold the columns the
--   join reads, so it reads neither table's rows (the customers' were a pass over the whole table).
-- The indexes keep their names (tests and plans name them). No new tables, no new grants.

DROP INDEX docket.cases_process_state_idx;
CREATE INDEX cases_process_state_idx ON docket.cases (process_id, state, opened_at DESC, case_id DESC);

DROP INDEX docket.customer_grade_changes_at_idx;
CREATE INDEX customer_grade_changes_at_idx ON docket.customer_grade_changes (grade, to_grade, at) INCLUDE (customer_id, from_grade);

CREATE INDEX customers_owner_of_idx ON docket.customers (customer_id) INCLUDE (owner_id);
