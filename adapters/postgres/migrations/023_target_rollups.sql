-- What the targets and lost-deal-causes reports read instead of checking each event of the period
-- (adapters/postgres/reports/targets.ts and sales.ts), kept as the log grows and the cases change:
--   report_first_wins    per customer, the ARCHIVED rows of their contracts at the earliest such
--                        time (one row, or more on a tie), with the contract's performanceRep: the
--                        customers won in a period are the rows of that period.
--   report_first_leads   per customer, their new-customer visit cases opened first (one, or more on
--                        a tie), with the case's owner: the new leads of a period are its rows.
--   report_visit_counts  VISIT_DONE of new-customer visits per owner, counted per UTC day and per UTC
--                        month (`unit` 'day' or 'month', `start` its first instant).
--   report_cause_days    lost-deal causes (CAUSES_IDENTIFIED) per UTC day and dimension: how many,
--                        and how many primary.
-- A period reads the months inside it from the month counts, the whole days left from the day
-- counts, and the part-days at its ends from docket.report_events (as are a rep's own causes, by an
-- index of their rep).
-- The first two follow their cases (customer, process, context fields read) and the log: written
-- by triggers in the transaction that appends the ARCHIVED row or writes the case, each customer's
-- rows under an advisory lock of the transaction on the customer (two writers for one customer take
-- turns, the second seeing the first's rows). The counts follow docket.report_events (migration 021),
-- whose rows follow the events and their cases' contexts: a trigger on that table adds each row's
-- counts and takes back its old ones when it changes (a count back to 0 is deleted); emptying that
-- table (TRUNCATE, as docket.rebuild_report_rollups() does) empties the counts, and its refill
-- counts again.
-- docket.rebuild_target_rollups() fills all four at once (this migration's backfill, and the bench
-- seeder's after its COPY). Only the triggers (SECURITY DEFINER, as the owner) write them.

CREATE TABLE docket.report_first_wins (
  case_id     text        NOT NULL,
  seq         integer     NOT NULL,
  customer_id text        NOT NULL,
  at          timestamptz NOT NULL,
  rep         text,
  PRIMARY KEY (case_id, seq)
);
CREATE INDEX report_first_wins_at_idx ON docket.report_first_wins (at) INCLUDE (rep, customer_id);
CREATE INDEX report_first_wins_customer_idx ON docket.report_first_wins (customer_id, at);

CREATE TABLE docket.report_first_leads (
  case_id     text        PRIMARY KEY,
  customer_id text        NOT NULL,
  opened_at   timestamptz NOT NULL,
  owner       text
);
CREATE INDEX report_first_leads_opened_idx ON docket.report_first_leads (opened_at) INCLUDE (owner, customer_id);
CREATE INDEX report_first_leads_customer_idx ON docket.report_first_leads (customer_id);

CREATE TABLE docket.report_visit_counts (
  unit  text        NOT NULL CHECK (unit IN ('day', 'month')),
  start timestamptz NOT NULL,
  owner text,
  n     integer     NOT NULL,
  CONSTRAINT report_visit_counts_key UNIQUE NULLS NOT DISTINCT (unit, start, owner) INCLUDE (n)
);

CREATE TABLE docket.report_cause_days (
  day       timestamptz NOT NULL,
  dimension text,
  causes    integer     NOT NULL,
  "primary" integer     NOT NULL,
  CONSTRAINT report_cause_days_key UNIQUE NULLS NOT DISTINCT (day, dimension) INCLUDE (causes, "primary")
);

-- A rep's own lost-deal causes (lost-deal-causes narrowed to a rep), by rep and time.
CREATE INDEX report_events_lost_deal_rep_idx ON docket.report_events ((facts->>'salesRep'), at)
  WHERE process_id = 'lost_deal' AND event = 'CAUSES_IDENTIFIED';

-- The first instant of the UTC day or month of `at`.
CREATE FUNCTION docket.report_utc_start(unit text, at timestamptz) RETURNS timestamptz
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog AS $$
  SELECT date_trunc(unit, at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
$$;

-- A customer's first wins again, from their contracts' ARCHIVED rows.
CREATE FUNCTION docket.report_first_wins_refresh(customer text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, docket AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('docket.report_first_wins'), hashtext(customer));
  DELETE FROM docket.report_first_wins WHERE customer_id = customer;
  INSERT INTO docket.report_first_wins (case_id, seq, customer_id, at, rep)
  SELECT w.case_id, w.seq, customer, w.at, w.rep
    FROM (SELECT t.case_id, t.seq, t.at, c.context->>'performanceRep' AS rep, rank() OVER (ORDER BY t.at) AS r
            FROM docket.cases c JOIN docket.transitions t ON t.case_id = c.case_id AND t.event = 'ARCHIVED'
           WHERE c.customer_id = customer AND c.process_id = 'contract' AND t.process_id = 'contract') w
   WHERE w.r = 1;
END;
$$;

-- A contract's ARCHIVED rows (one appended, or its case written): they join, replace or leave its
-- customer's first wins, by their time against those kept.
CREATE FUNCTION docket.report_first_wins_merge(contract text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, docket AS $$
DECLARE
  customer text;
  earliest timestamptz;
  kept timestamptz;
BEGIN
  SELECT c.customer_id INTO customer FROM docket.cases c WHERE c.case_id = contract AND c.process_id = 'contract';
  IF NOT FOUND THEN
    RETURN;
  END IF;
  SELECT min(t.at) INTO earliest FROM docket.transitions t
   WHERE t.case_id = contract AND t.event = 'ARCHIVED' AND t.process_id = 'contract';
  IF earliest IS NULL THEN
    RETURN;
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('docket.report_first_wins'), hashtext(customer));
  SELECT min(w.at) INTO kept FROM docket.report_first_wins w WHERE w.customer_id = customer;
  IF kept < earliest THEN
    RETURN;
  END IF;
  IF kept > earliest THEN
    DELETE FROM docket.report_first_wins WHERE customer_id = customer;
  END IF;
  INSERT INTO docket.report_first_wins (case_id, seq, customer_id, at, rep)
  SELECT t.case_id, t.seq, customer, t.at, c.context->>'performanceRep'
    FROM docket.transitions t JOIN docket.cases c ON c.case_id = t.case_id
   WHERE t.case_id = contract AND t.event = 'ARCHIVED' AND t.process_id = 'contract' AND t.at = earliest
  ON CONFLICT (case_id, seq) DO UPDATE SET customer_id = EXCLUDED.customer_id, at = EXCLUDED.at, rep = EXCLUDED.rep;
END;
$$;

-- A customer's first new-customer visits again (from the partial index of migration 021).
CREATE FUNCTION docket.report_first_leads_refresh(customer text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, docket AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('docket.report_first_leads'), hashtext(customer));
  DELETE FROM docket.report_first_leads WHERE customer_id = customer;
  INSERT INTO docket.report_first_leads (case_id, customer_id, opened_at, owner)
  SELECT c.case_id, c.customer_id, c.opened_at, c.context->>'owner'
    FROM docket.cases c
   WHERE c.customer_id = customer AND c.process_id = 'visit' AND c.context->>'visitType' = 'new_customer'
     AND c.opened_at = (SELECT min(e.opened_at) FROM docket.cases e
                         WHERE e.customer_id = customer AND e.process_id = 'visit' AND e.context->>'visitType' = 'new_customer');
END;
$$;

-- A contract ARCHIVED: its customer's first wins.
CREATE FUNCTION docket.report_first_wins_on_append() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, docket AS $$
BEGIN
  PERFORM docket.report_first_wins_merge(NEW.case_id);
  RETURN NULL;
END;
$$;

CREATE TRIGGER transitions_report_first_wins
  AFTER INSERT ON docket.transitions
  FOR EACH ROW WHEN (NEW.event = 'ARCHIVED' AND NEW.process_id = 'contract')
  EXECUTE FUNCTION docket.report_first_wins_on_append();

-- A contract or visit written (inserted, updated in a field read, deleted): the first wins and
-- first leads of its customer (and of its former customer) follow it.
CREATE FUNCTION docket.report_firsts_on_case() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, docket AS $$
DECLARE
  moved boolean := TG_OP = 'UPDATE' AND (OLD.customer_id IS DISTINCT FROM NEW.customer_id OR OLD.process_id IS DISTINCT FROM NEW.process_id);
BEGIN
  IF TG_OP = 'DELETE' OR moved THEN
    IF OLD.process_id = 'contract' THEN
      PERFORM docket.report_first_wins_refresh(OLD.customer_id);
    END IF;
    IF OLD.process_id = 'visit' THEN
      PERFORM docket.report_first_leads_refresh(OLD.customer_id);
    END IF;
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN NULL;
  END IF;
  IF NEW.process_id = 'contract' THEN
    IF moved THEN
      PERFORM docket.report_first_wins_refresh(NEW.customer_id);
    ELSIF TG_OP = 'INSERT' THEN
      PERFORM docket.report_first_wins_merge(NEW.case_id);
    ELSIF OLD.context->>'performanceRep' IS DISTINCT FROM NEW.context->>'performanceRep' THEN
      UPDATE docket.report_first_wins SET rep = NEW.context->>'performanceRep' WHERE case_id = NEW.case_id;
    END IF;
  END IF;
  IF NEW.process_id = 'visit' AND (moved OR TG_OP = 'INSERT' OR OLD.opened_at IS DISTINCT FROM NEW.opened_at
                                   OR OLD.context->>'visitType' IS DISTINCT FROM NEW.context->>'visitType'
                                   OR OLD.context->>'owner' IS DISTINCT FROM NEW.context->>'owner') THEN
    PERFORM docket.report_first_leads_refresh(NEW.customer_id);
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER cases_report_firsts_insert
  AFTER INSERT ON docket.cases
  FOR EACH ROW WHEN (NEW.process_id = 'contract' OR (NEW.process_id = 'visit' AND NEW.context->>'visitType' = 'new_customer'))
  EXECUTE FUNCTION docket.report_firsts_on_case();
CREATE TRIGGER cases_report_firsts_update
  AFTER UPDATE ON docket.cases
  FOR EACH ROW WHEN ((OLD.process_id IN ('contract', 'visit') OR NEW.process_id IN ('contract', 'visit'))
                     AND (OLD.customer_id IS DISTINCT FROM NEW.customer_id OR OLD.process_id IS DISTINCT FROM NEW.process_id
                          OR OLD.opened_at IS DISTINCT FROM NEW.opened_at
                          OR OLD.context->>'performanceRep' IS DISTINCT FROM NEW.context->>'performanceRep'
                          OR OLD.context->>'visitType' IS DISTINCT FROM NEW.context->>'visitType'
                          OR OLD.context->>'owner' IS DISTINCT FROM NEW.context->>'owner'))
  EXECUTE FUNCTION docket.report_firsts_on_case();
CREATE TRIGGER cases_report_firsts_delete
  AFTER DELETE ON docket.cases
  FOR EACH ROW WHEN (OLD.process_id IN ('contract', 'visit'))
  EXECUTE FUNCTION docket.report_firsts_on_case();

-- The counts of one docket.report_events row, added (sign 1) or taken back (sign -1): a VISIT_DONE
-- of a new-customer visit to its day and month, a lost deal's causes (an array) to their day.
CREATE FUNCTION docket.report_event_counts_add(process_id text, event text, at timestamptz, facts jsonb, sign integer) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, docket AS $$
DECLARE
  bucket text;
BEGIN
  IF process_id = 'visit' AND event = 'VISIT_DONE' AND facts->>'visitType' = 'new_customer' THEN
    FOREACH bucket IN ARRAY ARRAY['day', 'month'] LOOP
      INSERT INTO docket.report_visit_counts AS v (unit, start, owner, n)
      VALUES (bucket, docket.report_utc_start(bucket, at), facts->>'owner', sign)
      ON CONFLICT ON CONSTRAINT report_visit_counts_key DO UPDATE SET n = v.n + EXCLUDED.n;
      IF sign < 0 THEN
        DELETE FROM docket.report_visit_counts v
         WHERE v.unit = bucket AND v.start = docket.report_utc_start(bucket, at)
           AND v.owner IS NOT DISTINCT FROM facts->>'owner' AND v.n = 0;
      END IF;
    END LOOP;
  ELSIF process_id = 'lost_deal' AND event = 'CAUSES_IDENTIFIED' AND jsonb_typeof(facts->'causes') = 'array' THEN
    INSERT INTO docket.report_cause_days AS d (day, dimension, causes, "primary")
    SELECT docket.report_utc_start('day', at), x->>'dimension', sign * count(*), sign * count(*) FILTER (WHERE x->>'weight' = 'primary')
      FROM jsonb_array_elements(facts->'causes') x
     GROUP BY 2
     ORDER BY 2
    ON CONFLICT ON CONSTRAINT report_cause_days_key DO UPDATE SET causes = d.causes + EXCLUDED.causes, "primary" = d."primary" + EXCLUDED."primary";
    IF sign < 0 THEN
      DELETE FROM docket.report_cause_days d WHERE d.day = docket.report_utc_start('day', at) AND d.causes = 0;
    END IF;
  END IF;
END;
$$;

-- A docket.report_events row written: its old counts taken back, its new ones added.
CREATE FUNCTION docket.report_event_counts_on_write() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, docket AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    PERFORM docket.report_event_counts_add(OLD.process_id, OLD.event, OLD.at, OLD.facts, -1);
  END IF;
  IF TG_OP <> 'DELETE' THEN
    PERFORM docket.report_event_counts_add(NEW.process_id, NEW.event, NEW.at, NEW.facts, 1);
  END IF;
  RETURN NULL;
END;
$$;

-- docket.report_events emptied: so are the counts.
CREATE FUNCTION docket.report_event_counts_on_truncate() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, docket AS $$
BEGIN
  TRUNCATE docket.report_visit_counts, docket.report_cause_days;
  RETURN NULL;
END;
$$;

CREATE TRIGGER report_events_counts_insert
  AFTER INSERT ON docket.report_events
  FOR EACH ROW WHEN (NEW.process_id IN ('visit', 'lost_deal'))
  EXECUTE FUNCTION docket.report_event_counts_on_write();
CREATE TRIGGER report_events_counts_update
  AFTER UPDATE ON docket.report_events
  FOR EACH ROW WHEN ((OLD.process_id IN ('visit', 'lost_deal') OR NEW.process_id IN ('visit', 'lost_deal'))
                     AND (OLD.process_id, OLD.event, OLD.at, OLD.facts) IS DISTINCT FROM (NEW.process_id, NEW.event, NEW.at, NEW.facts))
  EXECUTE FUNCTION docket.report_event_counts_on_write();
CREATE TRIGGER report_events_counts_delete
  AFTER DELETE ON docket.report_events
  FOR EACH ROW WHEN (OLD.process_id IN ('visit', 'lost_deal'))
  EXECUTE FUNCTION docket.report_event_counts_on_write();
CREATE TRIGGER report_events_counts_truncate
  AFTER TRUNCATE ON docket.report_events
  FOR EACH STATEMENT EXECUTE FUNCTION docket.report_event_counts_on_truncate();

-- All four tables again: the first wins and leads from the cases and the log, the counts from
-- docket.report_events.
CREATE FUNCTION docket.rebuild_target_rollups() RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, docket SET work_mem = '256MB' AS $$
BEGIN
  TRUNCATE docket.report_first_wins, docket.report_first_leads, docket.report_visit_counts, docket.report_cause_days;
  INSERT INTO docket.report_first_wins (case_id, seq, customer_id, at, rep)
  SELECT case_id, seq, customer_id, at, rep
    FROM (SELECT t.case_id, t.seq, c.customer_id, t.at, c.context->>'performanceRep' AS rep,
                 rank() OVER (PARTITION BY c.customer_id ORDER BY t.at) AS r
            FROM docket.transitions t JOIN docket.cases c ON c.case_id = t.case_id
           WHERE t.event = 'ARCHIVED' AND t.process_id = 'contract' AND c.process_id = 'contract') w
   WHERE r = 1;
  INSERT INTO docket.report_first_leads (case_id, customer_id, opened_at, owner)
  SELECT case_id, customer_id, opened_at, owner
    FROM (SELECT case_id, customer_id, opened_at, context->>'owner' AS owner,
                 rank() OVER (PARTITION BY customer_id ORDER BY opened_at) AS r
            FROM docket.cases
           WHERE process_id = 'visit' AND context->>'visitType' = 'new_customer') l
   WHERE r = 1;
  INSERT INTO docket.report_visit_counts (unit, start, owner, n)
  SELECT u.unit, docket.report_utc_start(u.unit, e.at), e.facts->>'owner', count(*)
    FROM docket.report_events e CROSS JOIN (VALUES ('day'), ('month')) u (unit)
   WHERE e.process_id = 'visit' AND e.event = 'VISIT_DONE' AND e.facts->>'visitType' = 'new_customer'
   GROUP BY 1, 2, 3;
  INSERT INTO docket.report_cause_days (day, dimension, causes, "primary")
  SELECT docket.report_utc_start('day', e.at), x->>'dimension', count(*), count(*) FILTER (WHERE x->>'weight' = 'primary')
    FROM docket.report_events e CROSS JOIN LATERAL jsonb_array_elements(e.facts->'causes') x
   WHERE e.process_id = 'lost_deal' AND e.event = 'CAUSES_IDENTIFIED' AND jsonb_typeof(e.facts->'causes') = 'array'
   GROUP BY 1, 2;
END;
$$;

REVOKE ALL ON FUNCTION docket.rebuild_target_rollups() FROM PUBLIC;
REVOKE ALL ON FUNCTION docket.report_first_wins_refresh(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION docket.report_first_wins_merge(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION docket.report_first_leads_refresh(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION docket.report_first_wins_on_append() FROM PUBLIC;
REVOKE ALL ON FUNCTION docket.report_firsts_on_case() FROM PUBLIC;
REVOKE ALL ON FUNCTION docket.report_event_counts_add(text, text, timestamptz, jsonb, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION docket.report_event_counts_on_write() FROM PUBLIC;
REVOKE ALL ON FUNCTION docket.report_event_counts_on_truncate() FROM PUBLIC;

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'docket_app') THEN
    REVOKE ALL ON docket.report_first_wins, docket.report_first_leads, docket.report_visit_counts, docket.report_cause_days FROM docket_app;
    GRANT SELECT ON docket.report_first_wins, docket.report_first_leads, docket.report_visit_counts, docket.report_cause_days TO docket_app;
  END IF;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'docket_worker') THEN
    REVOKE ALL ON docket.report_first_wins, docket.report_first_leads, docket.report_visit_counts, docket.report_cause_days FROM docket_worker;
    GRANT SELECT ON docket.report_first_wins, docket.report_first_leads, docket.report_visit_counts, docket.report_cause_days TO docket_worker;
  END IF;
END;
$$;

SELECT docket.rebuild_target_rollups();
