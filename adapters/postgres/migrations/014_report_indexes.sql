-- Indexes for the managers' reports (adapters/postgres/reports/), so that a report over a period reads
-- only the rows of that period, also on years of history:
--   the events a report counts (VISIT_DONE, ARCHIVED, APPROVE, CAUSES_IDENTIFIED, …), by process and time;
--   cases by process and when they opened or closed (complaints, measures);
--   the escalations (deadlines missed) by time: a small partial index beside the notification outbox;
--   intention-grade changes by time (the intention-customer target).
-- No new tables: the grants of migrations 005 and 012 cover these.

CREATE INDEX transitions_process_event_at_idx ON docket.transitions (process_id, event, at);
CREATE INDEX cases_process_opened_idx         ON docket.cases (process_id, opened_at);
CREATE INDEX cases_process_closed_idx         ON docket.cases (process_id, closed_at) WHERE closed_at IS NOT NULL;
CREATE INDEX notification_outbox_escalation_idx ON docket.notification_outbox (created_at) WHERE kind = 'escalation';
CREATE INDEX customer_grade_changes_at_idx    ON docket.customer_grade_changes (grade, to_grade, at);
