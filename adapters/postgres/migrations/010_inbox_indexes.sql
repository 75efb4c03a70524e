-- Indexes for the inbox views and the case search, which page by keyset on
-- (opened_at, case_id), newest first (adapters/postgres/case-query.ts):
--   the page order itself;
--   "my role may act": the states of a definition version where the role has an event;
--   "assigned to me" / "claimable": the assignee kept in the case context (jsonb containment);
--   "started by me" / "done by me": the transitions a user sent.
-- No new tables: the grants of migration 005 cover these.

CREATE INDEX cases_page_idx       ON docket.cases (opened_at DESC, case_id DESC);
CREATE INDEX cases_hash_state_idx ON docket.cases (definition_hash, state);
CREATE INDEX cases_context_idx    ON docket.cases USING gin (context jsonb_path_ops);
CREATE INDEX transitions_actor_case_idx ON docket.transitions (actor_user, case_id, seq);
