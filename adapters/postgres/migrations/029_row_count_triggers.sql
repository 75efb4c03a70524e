-- The counts of migrations 024 and 026 kept by row triggers instead of statement triggers, and the
-- open work of migration 025 kept by what changed instead of rewritten.
--
-- A statement trigger fires for every statement on its table, rows or none: an INSERT ... ON
-- CONFLICT DO UPDATE fires both the INSERT and the UPDATE ones, and each built its queries over
-- the transition tables as text and planned them again (EXECUTE). Every stored transition paid for
-- that several times over (on a 2-core machine the triggers took about 8 ms of a human step's store,
-- whose median was 14 ms; now about 2 ms of 10), though most
-- transitions change no count: a complaint's count changes when it opens, when its department,
-- category or severity changes and when it closes. Now each count is kept by a row trigger whose
-- WHEN says whether the row's counted fields changed at all, and whose statements are planned once
-- per connection. One statement adds the row's new contribution and takes back its old one, keys in
-- order (writers of the same keys wait for each other, never deadlock); the counts back at 0 go.
-- The TRUNCATE triggers stay as they were (a TRUNCATE empties the counts). The counts are the same
-- as before, row for row (test/integration/report-rollups.test.ts compares them with a rebuild).
--
-- The open work: the trigger read the case's (kind, who) pairs four times (twice for the old row,
-- twice for the new, each reading the definition's version) and deleted and inserted every row of
-- a case whose pairs changed; now it reads each once, and deletes and inserts only the pairs that
-- went and came.

-- Complaints opened and closed (migration 026), from a row of docket.report_cases.
CREATE FUNCTION docket.report_case_counts_on_row() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, docket AS $$
DECLARE
  o docket.report_cases;
  n docket.report_cases;
BEGIN
  IF TG_OP <> 'INSERT' THEN o := OLD; END IF;
  IF TG_OP <> 'DELETE' THEN n := NEW; END IF;
  INSERT INTO docket.report_complaint_counts AS c (unit, start, department, category, severity, n)
  SELECT u.unit, docket.report_utc_start(u.unit, x.opened_at), x.department, x.category, x.severity, sum(x.d)
    FROM (SELECT o.opened_at, o.department, o.category, o.severity, -1 AS d WHERE o.process_id = 'complaint'
          UNION ALL
          SELECT n.opened_at, n.department, n.category, n.severity, 1 WHERE n.process_id = 'complaint') x
   CROSS JOIN (VALUES ('day'), ('month')) u (unit)
   GROUP BY 1, 2, 3, 4, 5 HAVING sum(x.d) <> 0
   ORDER BY 1, 2, 3, 4, 5
  ON CONFLICT ON CONSTRAINT report_complaint_counts_key DO UPDATE SET n = c.n + EXCLUDED.n;
  INSERT INTO docket.report_closed_counts AS c (unit, start, department, closed, reopened, rated, satisfaction)
  SELECT u.unit, docket.report_utc_start(u.unit, x.closed_at), x.department, sum(x.d),
         coalesce(sum(x.d) FILTER (WHERE docket.report_try_int(x.reopenings) > 0), 0),
         coalesce(sum(x.d) FILTER (WHERE docket.report_try_numeric(x.satisfaction) IS NOT NULL), 0),
         coalesce(sum(x.d * docket.report_try_numeric(x.satisfaction)), 0)
    FROM (SELECT o.closed_at, o.department, o.reopenings, o.satisfaction, -1 AS d
           WHERE o.process_id = 'complaint' AND o.state = 'closed' AND o.closed_at IS NOT NULL
          UNION ALL
          SELECT n.closed_at, n.department, n.reopenings, n.satisfaction, 1
           WHERE n.process_id = 'complaint' AND n.state = 'closed' AND n.closed_at IS NOT NULL) x
   CROSS JOIN (VALUES ('day'), ('month')) u (unit)
   GROUP BY 1, 2, 3
  HAVING (sum(x.d), coalesce(sum(x.d) FILTER (WHERE docket.report_try_int(x.reopenings) > 0), 0),
          coalesce(sum(x.d) FILTER (WHERE docket.report_try_numeric(x.satisfaction) IS NOT NULL), 0),
          coalesce(sum(x.d * docket.report_try_numeric(x.satisfaction)), 0)) <> (0, 0, 0, 0)
   ORDER BY 1, 2, 3
  ON CONFLICT ON CONSTRAINT report_closed_counts_key DO UPDATE
    SET closed = c.closed + EXCLUDED.closed, reopened = c.reopened + EXCLUDED.reopened,
        rated = c.rated + EXCLUDED.rated, satisfaction = c.satisfaction + EXCLUDED.satisfaction;
  IF o.process_id = 'complaint' THEN
    DELETE FROM docket.report_complaint_counts c
     WHERE c.n = 0 AND (c.unit, c.start) IN (SELECT u.unit, docket.report_utc_start(u.unit, o.opened_at) FROM (VALUES ('day'), ('month')) u (unit));
    IF o.state = 'closed' AND o.closed_at IS NOT NULL THEN
      DELETE FROM docket.report_closed_counts c
       WHERE c.closed = 0 AND (c.unit, c.start) IN (SELECT u.unit, docket.report_utc_start(u.unit, o.closed_at) FROM (VALUES ('day'), ('month')) u (unit));
    END IF;
  END IF;
  RETURN NULL;
END;
$$;

-- Contracts archived and placed early (migration 026), from a row of docket.report_events.
CREATE FUNCTION docket.report_event_report_counts_on_row() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, docket AS $$
DECLARE
  o docket.report_events;
  n docket.report_events;
BEGIN
  IF TG_OP <> 'INSERT' THEN o := OLD; END IF;
  IF TG_OP <> 'DELETE' THEN n := NEW; END IF;
  INSERT INTO docket.report_contract_counts AS c (unit, start, event, rep, n, amount, late)
  SELECT u.unit, docket.report_utc_start(u.unit, e.at), e.event,
         CASE e.event WHEN 'ARCHIVED' THEN e.facts->>'performanceRep' ELSE e.facts->>'submittedBy' END,
         sum(e.d),
         coalesce(sum(e.d * docket.report_try_numeric(e.facts->>'performanceAmount')) FILTER (WHERE e.event = 'ARCHIVED'), 0),
         coalesce(sum(e.d) FILTER (WHERE e.event = 'EARLY_PLACEMENT_APPROVED'
                                     AND (docket.report_try_boolean(e.facts->>'overdue') IS TRUE
                                          OR docket.report_try_boolean(e.facts->>'formsReturnedLate') IS TRUE)), 0)
    FROM (SELECT o.event, o.at, o.facts, -1 AS d
           WHERE o.process_id = 'contract' AND o.event IN ('ARCHIVED', 'EARLY_PLACEMENT_APPROVED')
          UNION ALL
          SELECT n.event, n.at, n.facts, 1
           WHERE n.process_id = 'contract' AND n.event IN ('ARCHIVED', 'EARLY_PLACEMENT_APPROVED')) e
   CROSS JOIN (VALUES ('day'), ('month')) u (unit)
   GROUP BY 1, 2, 3, 4
  HAVING (sum(e.d),
          coalesce(sum(e.d * docket.report_try_numeric(e.facts->>'performanceAmount')) FILTER (WHERE e.event = 'ARCHIVED'), 0),
          coalesce(sum(e.d) FILTER (WHERE e.event = 'EARLY_PLACEMENT_APPROVED'
                                      AND (docket.report_try_boolean(e.facts->>'overdue') IS TRUE
                                           OR docket.report_try_boolean(e.facts->>'formsReturnedLate') IS TRUE)), 0)) <> (0, 0, 0)
   ORDER BY 1, 2, 3, 4
  ON CONFLICT ON CONSTRAINT report_contract_counts_key DO UPDATE
    SET n = c.n + EXCLUDED.n, amount = c.amount + EXCLUDED.amount, late = c.late + EXCLUDED.late;
  IF o.process_id = 'contract' AND o.event IN ('ARCHIVED', 'EARLY_PLACEMENT_APPROVED') THEN
    DELETE FROM docket.report_contract_counts c
     WHERE c.n = 0 AND (c.unit, c.start) IN (SELECT u.unit, docket.report_utc_start(u.unit, o.at) FROM (VALUES ('day'), ('month')) u (unit));
  END IF;
  RETURN NULL;
END;
$$;

-- Stays and approvals by length (migration 024), from a row of docket.report_stays or docket.report_approvals.
CREATE FUNCTION docket.report_duration_counts_on_row() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, docket AS $$
DECLARE
  -- (kind, process_id, grp, month, bin) of the old row and of the new one; NULL kind: none.
  ok text; op text; og text; om timestamptz; ob integer;
  nk text; np text; ng text; nm timestamptz; nb integer;
BEGIN
  IF TG_TABLE_NAME = 'report_stays' THEN
    IF TG_OP <> 'INSERT' THEN
      SELECT 'stay', OLD.process_id, OLD.state, docket.report_month(OLD.left_at),
             coalesce(docket.report_duration_bin(extract(epoch FROM OLD.left_at - OLD.entered)), 2147483647)
        INTO ok, op, og, om, ob;
    END IF;
    IF TG_OP <> 'DELETE' THEN
      SELECT 'stay', NEW.process_id, NEW.state, docket.report_month(NEW.left_at),
             coalesce(docket.report_duration_bin(extract(epoch FROM NEW.left_at - NEW.entered)), 2147483647)
        INTO nk, np, ng, nm, nb;
    END IF;
  ELSE
    IF TG_OP <> 'INSERT' THEN
      SELECT 'approval', 'contract', OLD.level, docket.report_month(OLD.at),
             coalesce(docket.report_duration_bin(extract(epoch FROM OLD.at - OLD.started)), 2147483647)
        INTO ok, op, og, om, ob;
    END IF;
    IF TG_OP <> 'DELETE' THEN
      SELECT 'approval', 'contract', NEW.level, docket.report_month(NEW.at),
             coalesce(docket.report_duration_bin(extract(epoch FROM NEW.at - NEW.started)), 2147483647)
        INTO nk, np, ng, nm, nb;
    END IF;
  END IF;
  IF (ok, op, og, om, ob) IS NOT DISTINCT FROM (nk, np, ng, nm, nb) THEN
    RETURN NULL;
  END IF;
  INSERT INTO docket.report_duration_counts AS c (kind, process_id, grp, month, bin, n)
  SELECT x.kind, x.process_id, x.grp, x.month, x.bin, x.d
    FROM (SELECT ok, op, og, om, ob, -1 WHERE ok IS NOT NULL
          UNION ALL
          SELECT nk, np, ng, nm, nb, 1 WHERE nk IS NOT NULL) x (kind, process_id, grp, month, bin, d)
   ORDER BY x.kind, x.process_id, x.month, x.grp, x.bin
  ON CONFLICT (kind, process_id, month, grp, bin) DO UPDATE SET n = c.n + EXCLUDED.n;
  IF ok IS NOT NULL THEN
    DELETE FROM docket.report_duration_counts c
     WHERE c.n = 0 AND (c.kind, c.process_id, c.month, c.grp, c.bin) = (ok, op, om, og, ob);
  END IF;
  RETURN NULL;
END;
$$;

-- Escalations per day and their repeats (migration 024), from a row of docket.report_escalations.
CREATE FUNCTION docket.report_escalation_counts_on_row() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, docket AS $$
DECLARE
  o docket.report_escalations;
  n docket.report_escalations;
BEGIN
  IF TG_OP <> 'INSERT' THEN o := OLD; END IF;
  IF TG_OP <> 'DELETE' THEN n := NEW; END IF;
  INSERT INTO docket.report_escalation_days AS c (day, process_id, state, n)
  SELECT x.day, x.process_id, x.state, sum(x.d)
    FROM (SELECT docket.report_day(o.created_at) AS day, o.process_id, coalesce(o.state, '') AS state, -1 AS d WHERE o.id IS NOT NULL
          UNION ALL
          SELECT docket.report_day(n.created_at), n.process_id, coalesce(n.state, ''), 1 WHERE n.id IS NOT NULL) x
   GROUP BY 1, 2, 3 HAVING sum(x.d) <> 0
   ORDER BY 1, 2, 3
  ON CONFLICT (day, process_id, state) DO UPDATE SET n = c.n + EXCLUDED.n;
  IF o.id IS NOT NULL THEN
    DELETE FROM docket.report_escalation_days c
     WHERE c.n = 0 AND (c.day, c.process_id, c.state) = (docket.report_day(o.created_at), o.process_id, coalesce(o.state, ''));
  END IF;
  -- The repeats of the transitions the old and the new row name, again from their escalations.
  DELETE FROM docket.report_escalation_repeats r
   WHERE (r.case_id = o.case_id AND r.seq = o.seq) OR (r.case_id = n.case_id AND r.seq = n.seq);
  INSERT INTO docket.report_escalation_repeats (id, case_id, seq, process_id, state, created_at, prev_at)
  SELECT id, case_id, seq, process_id, state, created_at, prev_at
    FROM (SELECT e.*, lag(e.created_at) OVER (PARTITION BY e.case_id, e.seq, e.process_id ORDER BY e.created_at, e.id) AS prev_at
            FROM docket.report_escalations e
           WHERE (e.case_id = o.case_id AND e.seq = o.seq) OR (e.case_id = n.case_id AND e.seq = n.seq)) x
   WHERE prev_at IS NOT NULL;
  RETURN NULL;
END;
$$;

DROP TRIGGER report_cases_counts_insert ON docket.report_cases;
DROP TRIGGER report_cases_counts_update ON docket.report_cases;
DROP TRIGGER report_cases_counts_delete ON docket.report_cases;
CREATE TRIGGER report_cases_counts_insert AFTER INSERT ON docket.report_cases
  FOR EACH ROW WHEN (NEW.process_id = 'complaint') EXECUTE FUNCTION docket.report_case_counts_on_row();
CREATE TRIGGER report_cases_counts_update AFTER UPDATE ON docket.report_cases
  FOR EACH ROW WHEN ((OLD.process_id = 'complaint' OR NEW.process_id = 'complaint')
    AND ((OLD.process_id, OLD.opened_at, OLD.department, OLD.category, OLD.severity)
           IS DISTINCT FROM (NEW.process_id, NEW.opened_at, NEW.department, NEW.category, NEW.severity)
         OR ((OLD.state = 'closed' OR NEW.state = 'closed')
             AND (OLD.state, OLD.closed_at, OLD.reopenings, OLD.satisfaction)
                   IS DISTINCT FROM (NEW.state, NEW.closed_at, NEW.reopenings, NEW.satisfaction))))
  EXECUTE FUNCTION docket.report_case_counts_on_row();
CREATE TRIGGER report_cases_counts_delete AFTER DELETE ON docket.report_cases
  FOR EACH ROW WHEN (OLD.process_id = 'complaint') EXECUTE FUNCTION docket.report_case_counts_on_row();

DROP TRIGGER report_events_report_counts_insert ON docket.report_events;
DROP TRIGGER report_events_report_counts_update ON docket.report_events;
DROP TRIGGER report_events_report_counts_delete ON docket.report_events;
CREATE TRIGGER report_events_report_counts_insert AFTER INSERT ON docket.report_events
  FOR EACH ROW WHEN (NEW.process_id = 'contract' AND NEW.event IN ('ARCHIVED', 'EARLY_PLACEMENT_APPROVED'))
  EXECUTE FUNCTION docket.report_event_report_counts_on_row();
CREATE TRIGGER report_events_report_counts_update AFTER UPDATE ON docket.report_events
  FOR EACH ROW WHEN (((OLD.process_id = 'contract' AND OLD.event IN ('ARCHIVED', 'EARLY_PLACEMENT_APPROVED'))
                      OR (NEW.process_id = 'contract' AND NEW.event IN ('ARCHIVED', 'EARLY_PLACEMENT_APPROVED')))
                     AND (OLD.process_id, OLD.event, OLD.at, OLD.facts) IS DISTINCT FROM (NEW.process_id, NEW.event, NEW.at, NEW.facts))
  EXECUTE FUNCTION docket.report_event_report_counts_on_row();
CREATE TRIGGER report_events_report_counts_delete AFTER DELETE ON docket.report_events
  FOR EACH ROW WHEN (OLD.process_id = 'contract' AND OLD.event IN ('ARCHIVED', 'EARLY_PLACEMENT_APPROVED'))
  EXECUTE FUNCTION docket.report_event_report_counts_on_row();

DROP TRIGGER report_stays_counts_insert ON docket.report_stays;
DROP TRIGGER report_stays_counts_update ON docket.report_stays;
DROP TRIGGER report_stays_counts_delete ON docket.report_stays;
CREATE TRIGGER report_stays_counts_insert AFTER INSERT ON docket.report_stays
  FOR EACH ROW EXECUTE FUNCTION docket.report_duration_counts_on_row();
CREATE TRIGGER report_stays_counts_update AFTER UPDATE ON docket.report_stays
  FOR EACH ROW WHEN ((OLD.process_id, OLD.state, OLD.entered, OLD.left_at) IS DISTINCT FROM (NEW.process_id, NEW.state, NEW.entered, NEW.left_at))
  EXECUTE FUNCTION docket.report_duration_counts_on_row();
CREATE TRIGGER report_stays_counts_delete AFTER DELETE ON docket.report_stays
  FOR EACH ROW EXECUTE FUNCTION docket.report_duration_counts_on_row();

DROP TRIGGER report_approvals_counts_insert ON docket.report_approvals;
DROP TRIGGER report_approvals_counts_update ON docket.report_approvals;
DROP TRIGGER report_approvals_counts_delete ON docket.report_approvals;
CREATE TRIGGER report_approvals_counts_insert AFTER INSERT ON docket.report_approvals
  FOR EACH ROW EXECUTE FUNCTION docket.report_duration_counts_on_row();
CREATE TRIGGER report_approvals_counts_update AFTER UPDATE ON docket.report_approvals
  FOR EACH ROW WHEN ((OLD.level, OLD.started, OLD.at) IS DISTINCT FROM (NEW.level, NEW.started, NEW.at))
  EXECUTE FUNCTION docket.report_duration_counts_on_row();
CREATE TRIGGER report_approvals_counts_delete AFTER DELETE ON docket.report_approvals
  FOR EACH ROW EXECUTE FUNCTION docket.report_duration_counts_on_row();

DROP TRIGGER report_escalations_counts_insert ON docket.report_escalations;
DROP TRIGGER report_escalations_counts_update ON docket.report_escalations;
DROP TRIGGER report_escalations_counts_delete ON docket.report_escalations;
CREATE TRIGGER report_escalations_counts_insert AFTER INSERT ON docket.report_escalations
  FOR EACH ROW EXECUTE FUNCTION docket.report_escalation_counts_on_row();
CREATE TRIGGER report_escalations_counts_update AFTER UPDATE ON docket.report_escalations
  FOR EACH ROW WHEN ((OLD.id, OLD.case_id, OLD.seq, OLD.process_id, OLD.created_at, OLD.state)
                     IS DISTINCT FROM (NEW.id, NEW.case_id, NEW.seq, NEW.process_id, NEW.created_at, NEW.state))
  EXECUTE FUNCTION docket.report_escalation_counts_on_row();
CREATE TRIGGER report_escalations_counts_delete AFTER DELETE ON docket.report_escalations
  FOR EACH ROW EXECUTE FUNCTION docket.report_escalation_counts_on_row();

-- The open work: each side's pairs read once; only the pairs that went are deleted and only those
-- that came are inserted (all of them when the row's key changed).
CREATE OR REPLACE FUNCTION docket.open_work_on_write() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, docket AS $$
DECLARE
  before text[] := '{}';
  after  text[] := '{}';
  same   boolean;
  gone   text[];
  came   text[];
BEGIN
  IF TG_OP <> 'INSERT' AND OLD.status = 'open' THEN
    before := ARRAY(SELECT DISTINCT e.kind::text || e.who FROM docket.open_work_entries(OLD) e ORDER BY 1);
  END IF;
  IF TG_OP <> 'DELETE' AND NEW.status = 'open' THEN
    after := ARRAY(SELECT DISTINCT e.kind::text || e.who FROM docket.open_work_entries(NEW) e ORDER BY 1);
  END IF;
  same := TG_OP = 'UPDATE'
          AND (OLD.case_id, OLD.opened_at, OLD.process_id, OLD.definition_hash) = (NEW.case_id, NEW.opened_at, NEW.process_id, NEW.definition_hash);
  -- Most transitions change none of it.
  IF same AND before = after THEN
    RETURN NULL;
  END IF;
  gone := CASE WHEN same THEN ARRAY(SELECT unnest(before) EXCEPT SELECT unnest(after)) ELSE before END;
  came := CASE WHEN same THEN ARRAY(SELECT unnest(after) EXCEPT SELECT unnest(before)) ELSE after END;
  IF cardinality(gone) > 0 THEN
    DELETE FROM docket.open_work w
     USING unnest(gone) g (pair)
     WHERE w.kind = substr(g.pair, 1, 1)::"char" AND w.who = substr(g.pair, 2) AND w.opened_at = OLD.opened_at AND w.case_id = OLD.case_id;
  END IF;
  IF cardinality(came) > 0 THEN
    INSERT INTO docket.open_work (kind, who, opened_at, case_id, process_id, definition_hash)
    SELECT substr(c.pair, 1, 1)::"char", substr(c.pair, 2), NEW.opened_at, NEW.case_id, NEW.process_id, NEW.definition_hash
      FROM unnest(came) c (pair)
     ORDER BY 1, 2
    ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END;
$$;

REVOKE ALL ON FUNCTION docket.report_case_counts_on_row() FROM PUBLIC;
REVOKE ALL ON FUNCTION docket.report_event_report_counts_on_row() FROM PUBLIC;
REVOKE ALL ON FUNCTION docket.report_duration_counts_on_row() FROM PUBLIC;
REVOKE ALL ON FUNCTION docket.report_escalation_counts_on_row() FROM PUBLIC;
