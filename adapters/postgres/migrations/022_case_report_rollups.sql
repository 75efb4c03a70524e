-- More of what the reports read instead of the raw rows (adapters/postgres/reports/), kept as they change:
--   report_cases        one row per complaint and improvement measure: the columns of its case a report
--                       reads (when it opened and closed, its state and status) and the fields of its
--                       context, as the text `->>` answers (a field missing is NULL; a report casts
--                       them as it did on the case). The complaints, complaint-quality and measures
--                       reports read these, from an index alone, instead of each case's whole row.
--   report_escalations  one row per escalation in the notification outbox whose transition (the
--                       `<case>:<seq>:<n>` of its id) is in the log, with the state that transition left
--                       (its from_state). The sla report reads these instead of joining each escalation
--                       to the log.
-- A case's row is written by a trigger in the transaction that writes the case (inserted or
-- updated: it follows the case, rewritten only when what it keeps changed; a case deleted takes it
-- along). An escalation's row is written when the escalation is recorded or when its transition is
-- appended, whichever comes second: both triggers take the case's escalation lock (an advisory lock
-- of the transaction) before they look for the other row, so that of two concurrent writers the
-- second sees the first's row. A row stored again is refused by its table's key (ON CONFLICT DO
-- NOTHING fires no trigger). Measures overdue "now" are still counted at read time, from the due date
-- kept. docket.rebuild_report_rollups() now fills these too (this migration's backfill, and the
-- bench seeder's after its COPY). Only the triggers (SECURITY DEFINER, as the owner) write them.

CREATE TABLE docket.report_cases (
  case_id       text        PRIMARY KEY,
  process_id    text        NOT NULL,
  opened_at     timestamptz NOT NULL,
  closed_at     timestamptz,
  state         text        NOT NULL,
  status        text        NOT NULL,
  department    text,
  category      text,
  severity      text,
  reopenings    text,
  satisfaction  text,
  due_escalated text,
  due_date      text
);
-- Complaints and measures opened in a period; complaints closed in a period.
CREATE INDEX report_cases_opened_idx ON docket.report_cases (process_id, opened_at)
  INCLUDE (department, category, severity, status, due_escalated, due_date);
CREATE INDEX report_cases_closed_idx ON docket.report_cases (process_id, state, closed_at)
  INCLUDE (department, reopenings, satisfaction) WHERE closed_at IS NOT NULL;

CREATE TABLE docket.report_escalations (
  id         text        PRIMARY KEY,
  case_id    text        NOT NULL,
  seq        integer     NOT NULL,
  process_id text        NOT NULL,
  created_at timestamptz NOT NULL,
  state      text
);
CREATE INDEX report_escalations_created_idx ON docket.report_escalations (created_at) INCLUDE (process_id, state, case_id, seq);
CREATE INDEX report_escalations_case_idx ON docket.report_escalations (case_id, seq);

-- The seq of the transition an escalation's id `<case>:<seq>:<n>` names (NULL: none, or no integer).
CREATE FUNCTION docket.report_escalation_seq(id text) RETURNS integer
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog AS $$
  SELECT CASE WHEN length(s) <= 9 THEN s::integer END FROM substring(id FROM ':([0-9]+):[0-9]+$') AS s
$$;

-- A case written: its row follows it (a case of another process, or deleted, has none).
CREATE FUNCTION docket.report_cases_on_write() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, docket AS $$
BEGIN
  IF TG_OP <> 'INSERT' AND (TG_OP = 'DELETE' OR NEW.case_id <> OLD.case_id OR NEW.process_id NOT IN ('complaint', 'improvement_measure')) THEN
    DELETE FROM docket.report_cases WHERE case_id = OLD.case_id;
  END IF;
  IF TG_OP <> 'DELETE' AND NEW.process_id IN ('complaint', 'improvement_measure') THEN
    INSERT INTO docket.report_cases AS r (case_id, process_id, opened_at, closed_at, state, status, department, category,
                                          severity, reopenings, satisfaction, due_escalated, due_date)
    VALUES (NEW.case_id, NEW.process_id, NEW.opened_at, NEW.closed_at, NEW.state, NEW.status, NEW.context->>'department',
            NEW.context->>'category', NEW.context->>'severity', NEW.context->>'reopenings', NEW.context->>'satisfactionScore',
            NEW.context->>'dueEscalated', NEW.context->>'dueDate')
    ON CONFLICT (case_id) DO UPDATE SET
      process_id = EXCLUDED.process_id, opened_at = EXCLUDED.opened_at, closed_at = EXCLUDED.closed_at, state = EXCLUDED.state,
      status = EXCLUDED.status, department = EXCLUDED.department, category = EXCLUDED.category, severity = EXCLUDED.severity,
      reopenings = EXCLUDED.reopenings, satisfaction = EXCLUDED.satisfaction, due_escalated = EXCLUDED.due_escalated,
      due_date = EXCLUDED.due_date
    WHERE (r.process_id, r.opened_at, r.closed_at, r.state, r.status, r.department, r.category, r.severity, r.reopenings,
           r.satisfaction, r.due_escalated, r.due_date)
          IS DISTINCT FROM
          (EXCLUDED.process_id, EXCLUDED.opened_at, EXCLUDED.closed_at, EXCLUDED.state, EXCLUDED.status, EXCLUDED.department,
           EXCLUDED.category, EXCLUDED.severity, EXCLUDED.reopenings, EXCLUDED.satisfaction, EXCLUDED.due_escalated,
           EXCLUDED.due_date);
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER cases_report_cases_insert
  AFTER INSERT ON docket.cases
  FOR EACH ROW WHEN (NEW.process_id IN ('complaint', 'improvement_measure'))
  EXECUTE FUNCTION docket.report_cases_on_write();
CREATE TRIGGER cases_report_cases_update
  AFTER UPDATE ON docket.cases
  FOR EACH ROW WHEN (OLD.process_id IN ('complaint', 'improvement_measure') OR NEW.process_id IN ('complaint', 'improvement_measure'))
  EXECUTE FUNCTION docket.report_cases_on_write();
CREATE TRIGGER cases_report_cases_delete
  AFTER DELETE ON docket.cases
  FOR EACH ROW WHEN (OLD.process_id IN ('complaint', 'improvement_measure'))
  EXECUTE FUNCTION docket.report_cases_on_write();

-- An escalation recorded (or its id, case, process, kind or time changed, or deleted): its row
-- follows it, once its transition is in the log.
CREATE FUNCTION docket.report_escalations_on_outbox() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, docket AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    DELETE FROM docket.report_escalations WHERE id = OLD.id;
  END IF;
  IF TG_OP <> 'DELETE' AND NEW.kind = 'escalation' THEN
    PERFORM pg_advisory_xact_lock(hashtext('docket.report_escalations'), hashtext(NEW.case_id));
    INSERT INTO docket.report_escalations (id, case_id, seq, process_id, created_at, state)
    SELECT NEW.id, t.case_id, t.seq, NEW.process_id, NEW.created_at, t.from_state
      FROM docket.transitions t
     WHERE t.case_id = NEW.case_id AND t.seq = docket.report_escalation_seq(NEW.id)
    ON CONFLICT (id) DO UPDATE SET case_id = EXCLUDED.case_id, seq = EXCLUDED.seq, process_id = EXCLUDED.process_id,
                                   created_at = EXCLUDED.created_at, state = EXCLUDED.state;
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER notification_outbox_report_escalations_insert
  AFTER INSERT ON docket.notification_outbox
  FOR EACH ROW WHEN (NEW.kind = 'escalation')
  EXECUTE FUNCTION docket.report_escalations_on_outbox();
CREATE TRIGGER notification_outbox_report_escalations_update
  AFTER UPDATE OF id, case_id, process_id, kind, created_at ON docket.notification_outbox
  FOR EACH ROW WHEN (OLD.kind = 'escalation' OR NEW.kind = 'escalation')
  EXECUTE FUNCTION docket.report_escalations_on_outbox();
CREATE TRIGGER notification_outbox_report_escalations_delete
  AFTER DELETE ON docket.notification_outbox
  FOR EACH ROW WHEN (OLD.kind = 'escalation')
  EXECUTE FUNCTION docket.report_escalations_on_outbox();

-- A transition appended: the escalations recorded before it that name it.
CREATE FUNCTION docket.report_escalations_on_append() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, docket AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('docket.report_escalations'), hashtext(NEW.case_id));
  INSERT INTO docket.report_escalations (id, case_id, seq, process_id, created_at, state)
  SELECT n.id, NEW.case_id, NEW.seq, n.process_id, n.created_at, NEW.from_state
    FROM docket.notification_outbox n
   WHERE n.case_id = NEW.case_id AND n.kind = 'escalation' AND docket.report_escalation_seq(n.id) = NEW.seq
  ON CONFLICT (id) DO NOTHING;
  RETURN NULL;
END;
$$;

CREATE TRIGGER transitions_report_escalations
  AFTER INSERT ON docket.transitions
  FOR EACH ROW EXECUTE FUNCTION docket.report_escalations_on_append();

-- All five tables again from the whole log, in one pass each.
CREATE OR REPLACE FUNCTION docket.rebuild_report_rollups() RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, docket SET work_mem = '256MB' AS $$
BEGIN
  TRUNCATE docket.report_stays, docket.report_approvals, docket.report_events, docket.report_cases, docket.report_escalations;
  INSERT INTO docket.report_stays (case_id, seq, process_id, state, entered, left_at)
  SELECT case_id, seq, process_id, entered_state, entered, at
    FROM (SELECT case_id, seq, process_id, at,
                 lag(to_state) OVER w AS entered_state, lag(at) OVER w AS entered, lag(seq) OVER w AS entered_seq
            FROM docket.transitions
           WHERE from_state IS DISTINCT FROM to_state
          WINDOW w AS (PARTITION BY case_id ORDER BY seq)) s
   WHERE entered_seq IS NOT NULL;
  INSERT INTO docket.report_approvals (case_id, seq, at, level, started)
  SELECT u.case_id, u.seq, u.at, u.actor_role, turn.started
    FROM docket.transitions u
    LEFT JOIN LATERAL (
      SELECT t.at AS started FROM docket.transitions t
       WHERE t.case_id = u.case_id AND t.seq < u.seq
         AND ((t.to_state = 'approval' AND t.from_state IS DISTINCT FROM 'approval') OR (t.event = 'APPROVE' AND t.from_state = 'approval'))
       ORDER BY t.seq DESC LIMIT 1) turn ON true
   WHERE u.process_id = 'contract' AND u.event = 'APPROVE'
     AND (u.from_state = 'approval' OR (u.to_state = 'approval' AND u.from_state IS DISTINCT FROM 'approval'));
  INSERT INTO docket.report_events (case_id, seq, process_id, event, at, facts)
  SELECT t.case_id, t.seq, t.process_id, t.event, t.at, docket.report_event_facts(t.process_id, t.event, c.context)
    FROM docket.transitions t JOIN docket.cases c ON c.case_id = t.case_id
   WHERE (t.process_id, t.event) IN (('contract', 'ARCHIVED'), ('contract', 'EARLY_PLACEMENT_APPROVED'),
                                     ('visit', 'VISIT_DONE'), ('lost_deal', 'CAUSES_IDENTIFIED'));
  INSERT INTO docket.report_cases (case_id, process_id, opened_at, closed_at, state, status, department, category, severity,
                                   reopenings, satisfaction, due_escalated, due_date)
  SELECT case_id, process_id, opened_at, closed_at, state, status, context->>'department', context->>'category',
         context->>'severity', context->>'reopenings', context->>'satisfactionScore', context->>'dueEscalated', context->>'dueDate'
    FROM docket.cases
   WHERE process_id IN ('complaint', 'improvement_measure');
  INSERT INTO docket.report_escalations (id, case_id, seq, process_id, created_at, state)
  SELECT n.id, t.case_id, t.seq, n.process_id, n.created_at, t.from_state
    FROM docket.notification_outbox n
    JOIN docket.transitions t ON t.case_id = n.case_id AND t.seq = docket.report_escalation_seq(n.id)
   WHERE n.kind = 'escalation';
END;
$$;

REVOKE ALL ON FUNCTION docket.rebuild_report_rollups() FROM PUBLIC;
REVOKE ALL ON FUNCTION docket.report_cases_on_write() FROM PUBLIC;
REVOKE ALL ON FUNCTION docket.report_escalations_on_outbox() FROM PUBLIC;
REVOKE ALL ON FUNCTION docket.report_escalations_on_append() FROM PUBLIC;

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'docket_app') THEN
    REVOKE ALL ON docket.report_cases, docket.report_escalations FROM docket_app;
    GRANT SELECT ON docket.report_cases, docket.report_escalations TO docket_app;
  END IF;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'docket_worker') THEN
    REVOKE ALL ON docket.report_cases, docket.report_escalations FROM docket_worker;
    GRANT SELECT ON docket.report_cases, docket.report_escalations TO docket_worker;
  END IF;
END;
$$;

SELECT docket.rebuild_report_rollups();
