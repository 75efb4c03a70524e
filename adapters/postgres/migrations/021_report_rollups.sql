-- What the reports read instead of the raw log (adapters/postgres/reports/), kept as the log grows:
--   report_stays      one row per stay in a state that ended: the change of state that ended it (the
--                     row's case and seq), the state, when it was entered and when it was left. The
--                     state-times report reads these instead of stepping back along each case's log.
--   report_approvals  one row per approval of a contract (an APPROVE in or into approval), its level
--                     (the approver's role) and when the approver's turn started (NULL: no turn found).
--                     The contract-approvals report reads these.
--   report_events     one row per event a counting report counts (a contract ARCHIVED or
--                     EARLY_PLACEMENT_APPROVED, a VISIT_DONE, a lost deal's CAUSES_IDENTIFIED), with
--                     the fields of its case's context that the report reads (`facts`, the same JSON
--                     values): the contracts, targets (visits) and lost-deal-causes reports read these
--                     instead of joining each event to its case.
-- Stays and approvals are a function of the transition log alone (append-only): each row is written
-- by a trigger in the transaction that appends the transition; a row stored again is refused by the
-- log's primary key (ON CONFLICT DO NOTHING fires no trigger), and a row appended out of order (a gap
-- filled later) also rewrites the stay or approvals after it. The counting reports count by the
-- case's current context, so an event's `facts` follows it: written when the event is appended (from
-- the case's row as it is then) and rewritten, in the same transaction, when the case's context is.
-- Each row is its own (case, seq): concurrent writers of different cases touch different rows.
-- docket.rebuild_report_rollups() fills all three from the whole log (this migration's backfill, and
-- the bench seeder's after its COPY). Only the triggers (SECURITY DEFINER, as the owner) write them;
-- the API and the worker read them. Two partial indexes of new-customer visits serve the targets'
-- new leads.

CREATE TABLE docket.report_stays (
  case_id    text        NOT NULL,
  seq        integer     NOT NULL,
  process_id text        NOT NULL,
  state      text        NOT NULL,
  entered    timestamptz NOT NULL,
  left_at    timestamptz NOT NULL,
  PRIMARY KEY (case_id, seq)
);
CREATE INDEX report_stays_process_left_idx ON docket.report_stays (process_id, left_at) INCLUDE (state, entered);

CREATE TABLE docket.report_approvals (
  case_id text        NOT NULL,
  seq     integer     NOT NULL,
  at      timestamptz NOT NULL,
  level   text        NOT NULL,
  started timestamptz,
  PRIMARY KEY (case_id, seq)
);
CREATE INDEX report_approvals_at_idx ON docket.report_approvals (at) INCLUDE (level, started);

CREATE TABLE docket.report_events (
  case_id    text        NOT NULL,
  seq        integer     NOT NULL,
  process_id text        NOT NULL,
  event      text        NOT NULL,
  at         timestamptz NOT NULL,
  facts      jsonb       NOT NULL,
  PRIMARY KEY (case_id, seq)
);
CREATE INDEX report_events_event_at_idx ON docket.report_events (process_id, event, at) INCLUDE (facts);

-- The targets' new leads: new-customer visits opened in the period, each checked against the
-- customer's earlier ones (the check answered from the index alone).
CREATE INDEX cases_new_customer_visits_idx ON docket.cases (opened_at)
  WHERE process_id = 'visit' AND context->>'visitType' = 'new_customer';
CREATE INDEX cases_customer_new_visits_idx ON docket.cases (customer_id, opened_at)
  WHERE process_id = 'visit' AND context->>'visitType' = 'new_customer';

-- The fields of a case's context a counting report reads for `event`, as they are there (a field
-- missing stays missing); NULL: not an event counted.
CREATE FUNCTION docket.report_event_facts(process_id text, event text, context jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog AS $$
  SELECT (SELECT coalesce(jsonb_object_agg(f.key, f.value), '{}'::jsonb) FROM jsonb_each(CASE WHEN jsonb_typeof(context) = 'object' THEN context ELSE '{}' END) f
           WHERE f.key = ANY (k.keys))
    FROM (SELECT CASE
            WHEN process_id = 'contract' AND event = 'ARCHIVED' THEN ARRAY['performanceRep', 'performanceAmount']
            WHEN process_id = 'contract' AND event = 'EARLY_PLACEMENT_APPROVED' THEN ARRAY['submittedBy', 'overdue', 'formsReturnedLate']
            WHEN process_id = 'visit' AND event = 'VISIT_DONE' THEN ARRAY['owner', 'visitType']
            WHEN process_id = 'lost_deal' AND event = 'CAUSES_IDENTIFIED' THEN ARRAY['salesRep', 'causes']
          END AS keys) k
   WHERE k.keys IS NOT NULL
$$;

-- The stay a change of state ends: from the case's previous change of state (by seq).
CREATE FUNCTION docket.report_stays_on_append() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, docket AS $$
BEGIN
  INSERT INTO docket.report_stays (case_id, seq, process_id, state, entered, left_at)
  SELECT l.case_id, l.seq, l.process_id, e.to_state, e.at, l.at
    FROM (SELECT NEW.case_id, NEW.seq, NEW.process_id, NEW.at
          UNION ALL
          (SELECT n.case_id, n.seq, n.process_id, n.at FROM docket.transitions n
            WHERE n.case_id = NEW.case_id AND n.seq > NEW.seq AND n.from_state IS DISTINCT FROM n.to_state
            ORDER BY n.seq LIMIT 1)) l (case_id, seq, process_id, at)
   CROSS JOIN LATERAL (
     SELECT t.to_state, t.at FROM docket.transitions t
      WHERE t.case_id = l.case_id AND t.seq < l.seq AND t.from_state IS DISTINCT FROM t.to_state
      ORDER BY t.seq DESC LIMIT 1) e
  ON CONFLICT (case_id, seq) DO UPDATE SET state = EXCLUDED.state, entered = EXCLUDED.entered;
  RETURN NULL;
END;
$$;

CREATE TRIGGER transitions_report_stays
  AFTER INSERT ON docket.transitions
  FOR EACH ROW WHEN (NEW.from_state IS DISTINCT FROM NEW.to_state)
  EXECUTE FUNCTION docket.report_stays_on_append();

-- The approvals of the case from this row on, each with the start of its turn: the latest earlier
-- row where the contract entered approval or a previous level approved.
CREATE FUNCTION docket.report_approvals_on_append() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, docket AS $$
BEGIN
  INSERT INTO docket.report_approvals (case_id, seq, at, level, started)
  SELECT u.case_id, u.seq, u.at, u.actor_role, turn.started
    FROM docket.transitions u
    LEFT JOIN LATERAL (
      SELECT t.at AS started FROM docket.transitions t
       WHERE t.case_id = u.case_id AND t.seq < u.seq
         AND ((t.to_state = 'approval' AND t.from_state IS DISTINCT FROM 'approval') OR (t.event = 'APPROVE' AND t.from_state = 'approval'))
       ORDER BY t.seq DESC LIMIT 1) turn ON true
   WHERE u.case_id = NEW.case_id AND u.seq >= NEW.seq AND u.process_id = 'contract' AND u.event = 'APPROVE'
     AND (u.from_state = 'approval' OR (u.to_state = 'approval' AND u.from_state IS DISTINCT FROM 'approval'))
  ON CONFLICT (case_id, seq) DO UPDATE SET started = EXCLUDED.started;
  RETURN NULL;
END;
$$;

CREATE TRIGGER transitions_report_approvals
  AFTER INSERT ON docket.transitions
  FOR EACH ROW WHEN (NEW.process_id = 'contract' AND (NEW.from_state = 'approval' OR NEW.to_state = 'approval'))
  EXECUTE FUNCTION docket.report_approvals_on_append();

-- An event counted, appended: its facts from its case's row as it is now (none yet: the case's
-- insert writes them).
CREATE FUNCTION docket.report_events_on_append() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, docket AS $$
BEGIN
  INSERT INTO docket.report_events (case_id, seq, process_id, event, at, facts)
  SELECT NEW.case_id, NEW.seq, NEW.process_id, NEW.event, NEW.at, docket.report_event_facts(NEW.process_id, NEW.event, c.context)
    FROM docket.cases c
   WHERE c.case_id = NEW.case_id
  ON CONFLICT (case_id, seq) DO UPDATE SET facts = EXCLUDED.facts;
  RETURN NULL;
END;
$$;

CREATE TRIGGER transitions_report_events
  AFTER INSERT ON docket.transitions
  FOR EACH ROW WHEN (NEW.event IN ('ARCHIVED', 'EARLY_PLACEMENT_APPROVED', 'VISIT_DONE', 'CAUSES_IDENTIFIED')
                     AND docket.report_event_facts(NEW.process_id, NEW.event, '{}') IS NOT NULL)
  EXECUTE FUNCTION docket.report_events_on_append();

-- A case's context written: the facts of its events counted follow it.
CREATE FUNCTION docket.report_events_on_context() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, docket AS $$
BEGIN
  INSERT INTO docket.report_events (case_id, seq, process_id, event, at, facts)
  SELECT t.case_id, t.seq, t.process_id, t.event, t.at, docket.report_event_facts(t.process_id, t.event, NEW.context)
    FROM docket.transitions t
   WHERE t.case_id = NEW.case_id AND t.event IN ('ARCHIVED', 'EARLY_PLACEMENT_APPROVED', 'VISIT_DONE', 'CAUSES_IDENTIFIED')
     AND docket.report_event_facts(t.process_id, t.event, '{}') IS NOT NULL
  ON CONFLICT (case_id, seq) DO UPDATE SET facts = EXCLUDED.facts
   WHERE docket.report_events.facts IS DISTINCT FROM EXCLUDED.facts;
  RETURN NULL;
END;
$$;

CREATE TRIGGER cases_report_events_insert
  AFTER INSERT ON docket.cases
  FOR EACH ROW WHEN (NEW.process_id IN ('contract', 'visit', 'lost_deal'))
  EXECUTE FUNCTION docket.report_events_on_context();
CREATE TRIGGER cases_report_events_update
  AFTER UPDATE OF context ON docket.cases
  FOR EACH ROW WHEN (NEW.process_id IN ('contract', 'visit', 'lost_deal') AND OLD.context IS DISTINCT FROM NEW.context)
  EXECUTE FUNCTION docket.report_events_on_context();

-- All three tables again from the whole log, in one pass each.
CREATE FUNCTION docket.rebuild_report_rollups() RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, docket SET work_mem = '256MB' AS $$
BEGIN
  TRUNCATE docket.report_stays, docket.report_approvals, docket.report_events;
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
END;
$$;

REVOKE ALL ON FUNCTION docket.rebuild_report_rollups() FROM PUBLIC;
REVOKE ALL ON FUNCTION docket.report_stays_on_append() FROM PUBLIC;
REVOKE ALL ON FUNCTION docket.report_approvals_on_append() FROM PUBLIC;
REVOKE ALL ON FUNCTION docket.report_events_on_append() FROM PUBLIC;
REVOKE ALL ON FUNCTION docket.report_events_on_context() FROM PUBLIC;

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'docket_app') THEN
    REVOKE ALL ON docket.report_stays, docket.report_approvals, docket.report_events FROM docket_app;
    GRANT SELECT ON docket.report_stays, docket.report_approvals, docket.report_events TO docket_app;
  END IF;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'docket_worker') THEN
    REVOKE ALL ON docket.report_stays, docket.report_approvals, docket.report_events FROM docket_worker;
    GRANT SELECT ON docket.report_stays, docket.report_approvals, docket.report_events TO docket_worker;
  END IF;
END;
$$;

SELECT docket.rebuild_report_rollups();
