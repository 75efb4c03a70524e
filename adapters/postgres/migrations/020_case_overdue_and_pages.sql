-- What makes a case overdue, kept on its row so that the search's `overdue` filter reads an index
-- instead of evaluating every case (adapters/postgres/case-query.ts):
--   next_due_at: the earliest running deadline (the least `dueAt` of `deadlines`), NULL for none;
--   escalated:   an escalation was raised since the case entered its current state (the workflow's
--                own flag, workflows/case/transitions.ts).
-- The worker writes both with every projection (adapters/postgres/case-store.ts). Rows written
-- before are filled here from what the search evaluated until now: the deadlines, and the
-- escalations in the outbox since the case's last change of state.
-- Table-level grants of migration 005 cover the new columns.

ALTER TABLE docket.cases
  ADD COLUMN next_due_at timestamptz,
  ADD COLUMN escalated   boolean NOT NULL DEFAULT false;

UPDATE docket.cases c
   SET next_due_at = (SELECT min((d->>'dueAt')::timestamptz) FROM jsonb_array_elements(c.deadlines) d)
 WHERE jsonb_typeof(c.deadlines) = 'array' AND jsonb_array_length(c.deadlines) > 0;

UPDATE docket.cases c
   SET escalated = true
 WHERE c.status = 'open'
   AND EXISTS (
     SELECT 1 FROM docket.notification_outbox n
      WHERE n.case_id = c.case_id AND n.kind = 'escalation'
        AND n.created_at >= coalesce((SELECT max(t.at) FROM docket.transitions t
                                       WHERE t.case_id = c.case_id AND t.from_state IS DISTINCT FROM t.to_state), c.opened_at));

-- Overdue open cases: by due time, and those escalated (both small next to the open cases).
CREATE INDEX cases_open_due_idx       ON docket.cases (next_due_at) WHERE status = 'open' AND next_due_at IS NOT NULL;
CREATE INDEX cases_open_escalated_idx ON docket.cases (opened_at DESC, case_id DESC) WHERE status = 'open' AND escalated;
-- The open cases in page order (newest first): the inbox views of open cases read a page of them
-- and stop, instead of reading every match and sorting.
CREATE INDEX cases_open_page_idx      ON docket.cases (opened_at DESC, case_id DESC) WHERE status = 'open';
-- A customer's cases in page order (the timeline's cases, GET /customers/{id}/cases): a page of a key
-- account's thousands of cases without sorting them all.
CREATE INDEX cases_customer_page_idx  ON docket.cases (customer_id, opened_at DESC, case_id DESC);
