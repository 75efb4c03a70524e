-- What the complaints, complaint-quality and contracts reports read instead of every row of the
-- period (adapters/postgres/reports/complaints.ts and sales.ts), counted per UTC day and per UTC
-- month (`unit` 'day' or 'month', `start` its first instant):
--   report_complaint_counts  complaints opened (docket.report_cases, migration 022), per
--                            department, category and severity.
--   report_closed_counts     complaints closed (state 'closed', by closed_at), per department: how
--                            many, how many reopened at least once, and the satisfaction scores
--                            given (how many, and their sum).
--   report_contract_counts   contracts' ARCHIVED (per performanceRep: how many, the sum of
--                            performanceAmount) and EARLY_PLACEMENT_APPROVED (per submittedBy: how
--                            many, how many overdue or with forms returned late) from
--                            docket.report_events (migration 021).
-- A period reads the months inside it from the month counts, the whole days left from the day
-- counts, and the part-days at its ends from the rows (adapters/postgres/reports/buckets.ts).
-- Statement-level triggers on the two source tables add each statement's new rows and take back
-- its old ones (a count back to 0 is deleted); a TRUNCATE of a source empties its counts, so
-- docket.rebuild_report_rollups() (its TRUNCATE and INSERTs) rebuilds them as it goes.
-- The context's fields are cast as the reports cast them; a value that does not cast (where the
-- row-by-row query would fail) counts as absent rather than failing the write.
-- docket.rebuild_report_counts() fills all three at once (this migration's backfill, and the bench
-- seeder's after the other rebuilds). Only the triggers (SECURITY DEFINER, as the owner) write them.

CREATE TABLE docket.report_complaint_counts (
  unit       text        NOT NULL CHECK (unit IN ('day', 'month')),
  start      timestamptz NOT NULL,
  department text,
  category   text,
  severity   text,
  n          bigint      NOT NULL,
  CONSTRAINT report_complaint_counts_key UNIQUE NULLS NOT DISTINCT (unit, start, department, category, severity) INCLUDE (n)
);

CREATE TABLE docket.report_closed_counts (
  unit         text        NOT NULL CHECK (unit IN ('day', 'month')),
  start        timestamptz NOT NULL,
  department   text,
  closed       bigint      NOT NULL,
  reopened     bigint      NOT NULL,
  rated        bigint      NOT NULL,
  satisfaction numeric     NOT NULL,
  CONSTRAINT report_closed_counts_key UNIQUE NULLS NOT DISTINCT (unit, start, department)
    INCLUDE (closed, reopened, rated, satisfaction)
);

CREATE TABLE docket.report_contract_counts (
  unit   text        NOT NULL CHECK (unit IN ('day', 'month')),
  start  timestamptz NOT NULL,
  event  text        NOT NULL,
  rep    text,
  n      bigint      NOT NULL,
  amount numeric     NOT NULL,
  late   bigint      NOT NULL,
  CONSTRAINT report_contract_counts_key UNIQUE NULLS NOT DISTINCT (unit, start, event, rep) INCLUDE (n, amount, late)
);

-- Casts as the reports make them, NULL where they would fail.
CREATE FUNCTION docket.report_try_int(v text) RETURNS integer
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog AS $$
BEGIN
  RETURN v::int;
EXCEPTION WHEN others THEN
  RETURN NULL;
END;
$$;
CREATE FUNCTION docket.report_try_numeric(v text) RETURNS numeric
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog AS $$
BEGIN
  RETURN v::numeric;
EXCEPTION WHEN others THEN
  RETURN NULL;
END;
$$;
CREATE FUNCTION docket.report_try_boolean(v text) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog AS $$
BEGIN
  RETURN v::boolean;
EXCEPTION WHEN others THEN
  RETURN NULL;
END;
$$;

-- The counted rows of a source table's rows (a table or a statement's transition table), with
-- their sign; each kept table's counts from them (`%1$s` the rows, `%2$s` the sign).
CREATE FUNCTION docket.report_counts_sql(source text, changes text) RETURNS text[]
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog AS $$
  SELECT CASE source
    WHEN 'report_cases' THEN ARRAY[
      format($q$
        SELECT u.unit, docket.report_utc_start(u.unit, r.opened_at) AS start, r.department, r.category, r.severity, sum(r.d) AS n
          FROM (%s) r CROSS JOIN (VALUES ('day'), ('month')) u (unit)
         WHERE r.process_id = 'complaint'
         GROUP BY 1, 2, 3, 4, 5$q$, changes),
      format($q$
        SELECT u.unit, docket.report_utc_start(u.unit, r.closed_at) AS start, r.department, sum(r.d) AS closed,
               coalesce(sum(r.d) FILTER (WHERE docket.report_try_int(r.reopenings) > 0), 0) AS reopened,
               coalesce(sum(r.d) FILTER (WHERE docket.report_try_numeric(r.satisfaction) IS NOT NULL), 0) AS rated,
               coalesce(sum(r.d * docket.report_try_numeric(r.satisfaction)), 0) AS satisfaction
          FROM (%s) r CROSS JOIN (VALUES ('day'), ('month')) u (unit)
         WHERE r.process_id = 'complaint' AND r.state = 'closed' AND r.closed_at IS NOT NULL
         GROUP BY 1, 2, 3$q$, changes)]
    ELSE ARRAY[
      format($q$
        SELECT u.unit, docket.report_utc_start(u.unit, e.at) AS start, e.event,
               CASE e.event WHEN 'ARCHIVED' THEN e.facts->>'performanceRep' ELSE e.facts->>'submittedBy' END AS rep,
               sum(e.d) AS n,
               coalesce(sum(e.d * docket.report_try_numeric(e.facts->>'performanceAmount')) FILTER (WHERE e.event = 'ARCHIVED'), 0) AS amount,
               coalesce(sum(e.d) FILTER (WHERE e.event = 'EARLY_PLACEMENT_APPROVED'
                                           AND (docket.report_try_boolean(e.facts->>'overdue') IS TRUE
                                                OR docket.report_try_boolean(e.facts->>'formsReturnedLate') IS TRUE)), 0) AS late
          FROM (%s) e CROSS JOIN (VALUES ('day'), ('month')) u (unit)
         WHERE e.process_id = 'contract' AND e.event IN ('ARCHIVED', 'EARLY_PLACEMENT_APPROVED')
         GROUP BY 1, 2, 3, 4$q$, changes)]
  END
$$;

-- The statements that add the changes of one statement (or a whole table, sign 1) to the kept
-- counts, and delete the counts back to 0 (run by the caller: a statement's transition tables are
-- seen by its trigger function only).
CREATE FUNCTION docket.report_counts_statements(source text, changes text, deletes boolean) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, docket AS $$
DECLARE
  q text[] := docket.report_counts_sql(source, changes);
  s text[] := ARRAY[]::text[];
BEGIN
  IF source = 'report_cases' THEN
    s := s || format($q$
      INSERT INTO docket.report_complaint_counts AS c (unit, start, department, category, severity, n)
      SELECT * FROM (%s) x WHERE n <> 0 ORDER BY 1, 2, 3, 4, 5
      ON CONFLICT ON CONSTRAINT report_complaint_counts_key DO UPDATE SET n = c.n + EXCLUDED.n$q$, q[1]);
    s := s || format($q$
      INSERT INTO docket.report_closed_counts AS c (unit, start, department, closed, reopened, rated, satisfaction)
      SELECT * FROM (%s) x WHERE (closed, reopened, rated, satisfaction) <> (0, 0, 0, 0) ORDER BY 1, 2, 3
      ON CONFLICT ON CONSTRAINT report_closed_counts_key DO UPDATE
        SET closed = c.closed + EXCLUDED.closed, reopened = c.reopened + EXCLUDED.reopened,
            rated = c.rated + EXCLUDED.rated, satisfaction = c.satisfaction + EXCLUDED.satisfaction$q$, q[2]);
    IF deletes THEN
      s := s || format($q$
      DELETE FROM docket.report_complaint_counts c USING (SELECT DISTINCT unit, start FROM (%s) x) x
       WHERE c.n = 0 AND c.unit = x.unit AND c.start = x.start$q$, q[1]);
      s := s || format($q$
      DELETE FROM docket.report_closed_counts c USING (SELECT DISTINCT unit, start FROM (%s) x) x
       WHERE c.closed = 0 AND c.unit = x.unit AND c.start = x.start$q$, q[2]);
    END IF;
  ELSE
    s := s || format($q$
      INSERT INTO docket.report_contract_counts AS c (unit, start, event, rep, n, amount, late)
      SELECT * FROM (%s) x WHERE (n, amount, late) <> (0, 0, 0) ORDER BY 1, 2, 3, 4
      ON CONFLICT ON CONSTRAINT report_contract_counts_key DO UPDATE
        SET n = c.n + EXCLUDED.n, amount = c.amount + EXCLUDED.amount, late = c.late + EXCLUDED.late$q$, q[1]);
    IF deletes THEN
      s := s || format($q$
      DELETE FROM docket.report_contract_counts c USING (SELECT DISTINCT unit, start FROM (%s) x) x
       WHERE c.n = 0 AND c.unit = x.unit AND c.start = x.start$q$, q[1]);
    END IF;
  END IF;
  RETURN s;
END;
$$;

-- A statement on docket.report_cases or docket.report_events: its new rows added, its old rows
-- taken back; a TRUNCATE empties the counts of that table.
CREATE FUNCTION docket.report_counts_on_change() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, docket AS $$
DECLARE
  picked CONSTANT text := 'SELECT *, %s::bigint AS d FROM %s';
  changes text;
  touched boolean;
  statement text;
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    IF TG_TABLE_NAME = 'report_cases' THEN
      DELETE FROM docket.report_complaint_counts;
      DELETE FROM docket.report_closed_counts;
    ELSE
      DELETE FROM docket.report_contract_counts;
    END IF;
    RETURN NULL;
  END IF;
  changes := CASE TG_OP
    WHEN 'INSERT' THEN format(picked, 1, 'report_new_rows')
    WHEN 'DELETE' THEN format(picked, -1, 'report_old_rows')
    ELSE format(picked, 1, 'report_new_rows') || ' UNION ALL ' || format(picked, -1, 'report_old_rows') END;
  EXECUTE format($q$SELECT EXISTS (SELECT 1 FROM (%s) x WHERE %s)$q$, changes,
                 CASE TG_TABLE_NAME WHEN 'report_cases' THEN $w$x.process_id = 'complaint'$w$
                 ELSE $w$x.process_id = 'contract' AND x.event IN ('ARCHIVED', 'EARLY_PLACEMENT_APPROVED')$w$ END)
    INTO touched;
  IF touched THEN
    FOREACH statement IN ARRAY docket.report_counts_statements(TG_TABLE_NAME, changes, TG_OP <> 'INSERT') LOOP
      EXECUTE statement;
    END LOOP;
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER report_cases_counts_insert AFTER INSERT ON docket.report_cases
  REFERENCING NEW TABLE AS report_new_rows FOR EACH STATEMENT EXECUTE FUNCTION docket.report_counts_on_change();
CREATE TRIGGER report_cases_counts_update AFTER UPDATE ON docket.report_cases
  REFERENCING OLD TABLE AS report_old_rows NEW TABLE AS report_new_rows FOR EACH STATEMENT EXECUTE FUNCTION docket.report_counts_on_change();
CREATE TRIGGER report_cases_counts_delete AFTER DELETE ON docket.report_cases
  REFERENCING OLD TABLE AS report_old_rows FOR EACH STATEMENT EXECUTE FUNCTION docket.report_counts_on_change();
CREATE TRIGGER report_cases_counts_truncate AFTER TRUNCATE ON docket.report_cases
  FOR EACH STATEMENT EXECUTE FUNCTION docket.report_counts_on_change();

CREATE TRIGGER report_events_report_counts_insert AFTER INSERT ON docket.report_events
  REFERENCING NEW TABLE AS report_new_rows FOR EACH STATEMENT EXECUTE FUNCTION docket.report_counts_on_change();
CREATE TRIGGER report_events_report_counts_update AFTER UPDATE ON docket.report_events
  REFERENCING OLD TABLE AS report_old_rows NEW TABLE AS report_new_rows FOR EACH STATEMENT EXECUTE FUNCTION docket.report_counts_on_change();
CREATE TRIGGER report_events_report_counts_delete AFTER DELETE ON docket.report_events
  REFERENCING OLD TABLE AS report_old_rows FOR EACH STATEMENT EXECUTE FUNCTION docket.report_counts_on_change();
CREATE TRIGGER report_events_report_counts_truncate AFTER TRUNCATE ON docket.report_events
  FOR EACH STATEMENT EXECUTE FUNCTION docket.report_counts_on_change();

-- All three again from the source tables, in one pass each.
CREATE FUNCTION docket.rebuild_report_counts() RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, docket SET work_mem = '256MB' AS $$
DECLARE
  statement text;
BEGIN
  TRUNCATE docket.report_complaint_counts, docket.report_closed_counts, docket.report_contract_counts;
  FOREACH statement IN ARRAY docket.report_counts_statements('report_cases', 'SELECT *, 1::bigint AS d FROM docket.report_cases', false)
                             || docket.report_counts_statements('report_events', 'SELECT *, 1::bigint AS d FROM docket.report_events', false) LOOP
    EXECUTE statement;
  END LOOP;
END;
$$;

REVOKE ALL ON FUNCTION docket.rebuild_report_counts() FROM PUBLIC;
REVOKE ALL ON FUNCTION docket.report_counts_statements(text, text, boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION docket.report_counts_on_change() FROM PUBLIC;

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'docket_app') THEN
    REVOKE ALL ON docket.report_complaint_counts, docket.report_closed_counts, docket.report_contract_counts FROM docket_app;
    GRANT SELECT ON docket.report_complaint_counts, docket.report_closed_counts, docket.report_contract_counts TO docket_app;
  END IF;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'docket_worker') THEN
    REVOKE ALL ON docket.report_complaint_counts, docket.report_closed_counts, docket.report_contract_counts FROM docket_worker;
    GRANT SELECT ON docket.report_complaint_counts, docket.report_closed_counts, docket.report_contract_counts TO docket_worker;
  END IF;
END;
$$;

SELECT docket.rebuild_report_counts();
