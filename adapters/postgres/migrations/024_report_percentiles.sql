-- Exact percentiles and distinct counts without reading a whole period (adapters/postgres/reports/):
--   report_duration_counts  how many stays (kind 'stay': per process and state) and approvals (kind
--                           'approval': per level) ended in each UTC month, per bin of their length.
--                           A bin is a range of lengths (docket.report_duration_bin: about 5% wide,
--                           zero and negative lengths each in a bin of their own, no length in
--                           2147483647), so the state-times and contract-approvals reports find the
--                           bin that holds the k-th length of a period from these counts, then read
--                           only that bin's rows of the period, in order of length, along the index
--                           of each table by group, bin and time below: the medians and 90th
--                           percentiles are the exact ones percentile_cont gives.
--   report_escalation_days  how many escalations (rows of docket.report_escalations) were recorded on
--                           each UTC day, per process and state ('' for none).
--   report_escalation_repeats  the escalations that are not the first of their transition (case, seq)
--                           and process, in order of (created_at, id), each with the time of the one
--                           before it (`prev_at`). The sla report counts each transition once per
--                           period: the escalations of a period, less those whose previous one is in
--                           the same period, which are few.
-- All three follow the rows they count: statement triggers on report_stays, report_approvals and
-- report_escalations (SECURITY DEFINER, as the owner) add and subtract what each statement inserted,
-- changed or deleted, in the same transaction, keys in order (a statement that touched no row costs
-- one look at its transition tables); a TRUNCATE empties them, so
-- docket.rebuild_report_rollups() (its TRUNCATE and INSERTs) rebuilds them as it goes.
-- docket.rebuild_report_percentiles() builds them from the kept rows at once (this migration's backfill).
-- A count is one row per (month or day, group, bin): writers of the same one wait for each other's
-- commit.

-- The bin of a length in seconds: in order of length (NULL for none).
CREATE FUNCTION docket.report_duration_bin(seconds numeric) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN seconds IS NULL THEN NULL
              WHEN seconds < 0 THEN -1000001
              WHEN seconds = 0 THEN -1000000
              ELSE pg_catalog.floor(pg_catalog.ln(seconds::float8) * 20)::integer END
$$;

-- The UTC month or day an instant falls in, as the instant it starts.
CREATE FUNCTION docket.report_month(at timestamptz) RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT pg_catalog.date_trunc('month', at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
$$;
CREATE FUNCTION docket.report_day(at timestamptz) RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT pg_catalog.date_trunc('day', at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
$$;

CREATE TABLE docket.report_duration_counts (
  kind       text        NOT NULL,
  process_id text        NOT NULL,
  grp        text        NOT NULL,
  month      timestamptz NOT NULL,
  bin        integer     NOT NULL,
  n          bigint      NOT NULL,
  PRIMARY KEY (kind, process_id, month, grp, bin) INCLUDE (n)
);

-- A group's stays or approvals of one bin in a period, in order of length.
CREATE INDEX report_stays_bin_idx ON docket.report_stays
  (process_id, state, docket.report_duration_bin(extract(epoch FROM left_at - entered)), left_at) INCLUDE (entered);
CREATE INDEX report_approvals_bin_idx ON docket.report_approvals
  (level, docket.report_duration_bin(extract(epoch FROM at - started)), at) INCLUDE (started);

CREATE TABLE docket.report_escalation_days (
  day        timestamptz NOT NULL,
  process_id text        NOT NULL,
  state      text        NOT NULL,
  n          bigint      NOT NULL,
  PRIMARY KEY (day, process_id, state) INCLUDE (n)
);

CREATE TABLE docket.report_escalation_repeats (
  id         text        PRIMARY KEY,
  case_id    text        NOT NULL,
  seq        integer     NOT NULL,
  process_id text        NOT NULL,
  state      text,
  created_at timestamptz NOT NULL,
  prev_at    timestamptz NOT NULL
);
CREATE INDEX report_escalation_repeats_created_idx ON docket.report_escalation_repeats (created_at) INCLUDE (prev_at, process_id, state);
CREATE INDEX report_escalation_repeats_key_idx ON docket.report_escalation_repeats (case_id, seq);

-- The statements that apply `changes` (a query of (kind, process_id, grp, month, bin, d) over a
-- trigger's transition tables) to the counts: adding them in key order, then (needed only when
-- something was taken off) removing the counts that fell to 0.
CREATE FUNCTION docket.report_count_changes_sql(changes text) RETURNS text[]
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog AS $$
  SELECT ARRAY[
    format($q$
      INSERT INTO docket.report_duration_counts AS c (kind, process_id, grp, month, bin, n)
      SELECT kind, process_id, grp, month, bin, sum(d) FROM (%s) x
       GROUP BY kind, process_id, month, grp, bin HAVING sum(d) <> 0
       ORDER BY kind, process_id, month, grp, bin
      ON CONFLICT (kind, process_id, month, grp, bin) DO UPDATE SET n = c.n + EXCLUDED.n$q$, changes),
    format($q$
      DELETE FROM docket.report_duration_counts c
       USING (SELECT DISTINCT kind, process_id, grp, month, bin FROM (%s) x) x
       WHERE c.n = 0 AND (c.kind, c.process_id, c.month, c.grp, c.bin) = (x.kind, x.process_id, x.month, x.grp, x.bin)$q$, changes)]
$$;

-- Stays: what a statement inserted counts up, what it changed or deleted counts down.
CREATE FUNCTION docket.report_stay_counts_on_change() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, docket AS $$
DECLARE
  stays CONSTANT text := $q$SELECT 'stay' AS kind, process_id, state AS grp, docket.report_month(left_at) AS month,
         coalesce(docket.report_duration_bin(extract(epoch FROM left_at - entered)), 2147483647) AS bin, %s::bigint AS d FROM %s$q$;
  changes text;
  touched boolean;
  stmts text[];
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    DELETE FROM docket.report_duration_counts WHERE kind = 'stay';
    RETURN NULL;
  END IF;
  changes := CASE TG_OP
    WHEN 'INSERT' THEN format(stays, 1, 'report_new_rows')
    WHEN 'DELETE' THEN format(stays, -1, 'report_old_rows')
    ELSE format(stays, 1, 'report_new_rows') || ' UNION ALL ' || format(stays, -1, 'report_old_rows') END;
  EXECUTE format('SELECT EXISTS (%s)', changes) INTO touched;
  IF NOT touched THEN
    RETURN NULL;
  END IF;
  stmts := docket.report_count_changes_sql(changes);
  EXECUTE stmts[1];
  IF TG_OP <> 'INSERT' THEN
    EXECUTE stmts[2];
  END IF;
  RETURN NULL;
END;
$$;

-- Approvals: the same, by level (process 'contract').
CREATE FUNCTION docket.report_approval_counts_on_change() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, docket AS $$
DECLARE
  approvals CONSTANT text := $q$SELECT 'approval' AS kind, 'contract' AS process_id, level AS grp, docket.report_month(at) AS month,
         coalesce(docket.report_duration_bin(extract(epoch FROM at - started)), 2147483647) AS bin, %s::bigint AS d FROM %s$q$;
  changes text;
  touched boolean;
  stmts text[];
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    DELETE FROM docket.report_duration_counts WHERE kind = 'approval';
    RETURN NULL;
  END IF;
  changes := CASE TG_OP
    WHEN 'INSERT' THEN format(approvals, 1, 'report_new_rows')
    WHEN 'DELETE' THEN format(approvals, -1, 'report_old_rows')
    ELSE format(approvals, 1, 'report_new_rows') || ' UNION ALL ' || format(approvals, -1, 'report_old_rows') END;
  EXECUTE format('SELECT EXISTS (%s)', changes) INTO touched;
  IF NOT touched THEN
    RETURN NULL;
  END IF;
  stmts := docket.report_count_changes_sql(changes);
  EXECUTE stmts[1];
  IF TG_OP <> 'INSERT' THEN
    EXECUTE stmts[2];
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER report_stays_counts_insert AFTER INSERT ON docket.report_stays
  REFERENCING NEW TABLE AS report_new_rows FOR EACH STATEMENT EXECUTE FUNCTION docket.report_stay_counts_on_change();
CREATE TRIGGER report_stays_counts_update AFTER UPDATE ON docket.report_stays
  REFERENCING OLD TABLE AS report_old_rows NEW TABLE AS report_new_rows FOR EACH STATEMENT EXECUTE FUNCTION docket.report_stay_counts_on_change();
CREATE TRIGGER report_stays_counts_delete AFTER DELETE ON docket.report_stays
  REFERENCING OLD TABLE AS report_old_rows FOR EACH STATEMENT EXECUTE FUNCTION docket.report_stay_counts_on_change();
CREATE TRIGGER report_stays_counts_truncate AFTER TRUNCATE ON docket.report_stays
  FOR EACH STATEMENT EXECUTE FUNCTION docket.report_stay_counts_on_change();

CREATE TRIGGER report_approvals_counts_insert AFTER INSERT ON docket.report_approvals
  REFERENCING NEW TABLE AS report_new_rows FOR EACH STATEMENT EXECUTE FUNCTION docket.report_approval_counts_on_change();
CREATE TRIGGER report_approvals_counts_update AFTER UPDATE ON docket.report_approvals
  REFERENCING OLD TABLE AS report_old_rows NEW TABLE AS report_new_rows FOR EACH STATEMENT EXECUTE FUNCTION docket.report_approval_counts_on_change();
CREATE TRIGGER report_approvals_counts_delete AFTER DELETE ON docket.report_approvals
  REFERENCING OLD TABLE AS report_old_rows FOR EACH STATEMENT EXECUTE FUNCTION docket.report_approval_counts_on_change();
CREATE TRIGGER report_approvals_counts_truncate AFTER TRUNCATE ON docket.report_approvals
  FOR EACH STATEMENT EXECUTE FUNCTION docket.report_approval_counts_on_change();

-- Escalations: counts per day up and down, and the repeats of the transitions (case, seq) the
-- statement's rows name, again from their escalations.
CREATE FUNCTION docket.report_escalation_counts_on_change() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, docket AS $$
DECLARE
  escalations CONSTANT text := $q$SELECT case_id, seq, process_id, coalesce(state, '') AS state, docket.report_day(created_at) AS day,
         %s::bigint AS d FROM %s$q$;
  changes text;
  touched boolean;
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    DELETE FROM docket.report_escalation_days;
    DELETE FROM docket.report_escalation_repeats;
    RETURN NULL;
  END IF;
  changes := CASE TG_OP
    WHEN 'INSERT' THEN format(escalations, 1, 'report_new_rows')
    WHEN 'DELETE' THEN format(escalations, -1, 'report_old_rows')
    ELSE format(escalations, 1, 'report_new_rows') || ' UNION ALL ' || format(escalations, -1, 'report_old_rows') END;
  EXECUTE format('SELECT EXISTS (%s)', changes) INTO touched;
  IF NOT touched THEN
    RETURN NULL;
  END IF;
  EXECUTE format($q$
    INSERT INTO docket.report_escalation_days AS c (day, process_id, state, n)
    SELECT day, process_id, state, sum(d) FROM (%s) x
     GROUP BY day, process_id, state HAVING sum(d) <> 0
     ORDER BY day, process_id, state
    ON CONFLICT (day, process_id, state) DO UPDATE SET n = c.n + EXCLUDED.n$q$, changes);
  IF TG_OP <> 'INSERT' THEN
    EXECUTE format($q$
    DELETE FROM docket.report_escalation_days c
     USING (SELECT DISTINCT day, process_id, state FROM (%s) x) x
     WHERE c.n = 0 AND (c.day, c.process_id, c.state) = (x.day, x.process_id, x.state)$q$, changes);
  END IF;
  EXECUTE format($q$
    DELETE FROM docket.report_escalation_repeats r
     USING (SELECT DISTINCT case_id, seq FROM (%s) x) k
     WHERE r.case_id = k.case_id AND r.seq = k.seq$q$, changes);
  EXECUTE format($q$
    INSERT INTO docket.report_escalation_repeats (id, case_id, seq, process_id, state, created_at, prev_at)
    SELECT id, case_id, seq, process_id, state, created_at, prev_at
      FROM (SELECT e.*, lag(e.created_at) OVER (PARTITION BY e.case_id, e.seq, e.process_id ORDER BY e.created_at, e.id) AS prev_at
              FROM docket.report_escalations e
              JOIN (SELECT DISTINCT case_id, seq FROM (%s) x) k ON e.case_id = k.case_id AND e.seq = k.seq) x
     WHERE prev_at IS NOT NULL$q$, changes);
  RETURN NULL;
END;
$$;

CREATE TRIGGER report_escalations_counts_insert AFTER INSERT ON docket.report_escalations
  REFERENCING NEW TABLE AS report_new_rows FOR EACH STATEMENT EXECUTE FUNCTION docket.report_escalation_counts_on_change();
CREATE TRIGGER report_escalations_counts_update AFTER UPDATE ON docket.report_escalations
  REFERENCING OLD TABLE AS report_old_rows NEW TABLE AS report_new_rows FOR EACH STATEMENT EXECUTE FUNCTION docket.report_escalation_counts_on_change();
CREATE TRIGGER report_escalations_counts_delete AFTER DELETE ON docket.report_escalations
  REFERENCING OLD TABLE AS report_old_rows FOR EACH STATEMENT EXECUTE FUNCTION docket.report_escalation_counts_on_change();
CREATE TRIGGER report_escalations_counts_truncate AFTER TRUNCATE ON docket.report_escalations
  FOR EACH STATEMENT EXECUTE FUNCTION docket.report_escalation_counts_on_change();

-- All three again from the kept rows, in one pass each.
CREATE FUNCTION docket.rebuild_report_percentiles() RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, docket SET work_mem = '256MB' AS $$
BEGIN
  TRUNCATE docket.report_duration_counts, docket.report_escalation_days, docket.report_escalation_repeats;
  INSERT INTO docket.report_duration_counts (kind, process_id, grp, month, bin, n)
  SELECT 'stay', process_id, state, docket.report_month(left_at),
         coalesce(docket.report_duration_bin(extract(epoch FROM left_at - entered)), 2147483647), count(*)
    FROM docket.report_stays GROUP BY 1, 2, 3, 4, 5;
  INSERT INTO docket.report_duration_counts (kind, process_id, grp, month, bin, n)
  SELECT 'approval', 'contract', level, docket.report_month(at),
         coalesce(docket.report_duration_bin(extract(epoch FROM at - started)), 2147483647), count(*)
    FROM docket.report_approvals GROUP BY 1, 2, 3, 4, 5;
  INSERT INTO docket.report_escalation_days (day, process_id, state, n)
  SELECT docket.report_day(created_at), process_id, coalesce(state, ''), count(*)
    FROM docket.report_escalations GROUP BY 1, 2, 3;
  INSERT INTO docket.report_escalation_repeats (id, case_id, seq, process_id, state, created_at, prev_at)
  SELECT id, case_id, seq, process_id, state, created_at, prev_at
    FROM (SELECT e.*, lag(e.created_at) OVER (PARTITION BY e.case_id, e.seq, e.process_id ORDER BY e.created_at, e.id) AS prev_at
            FROM docket.report_escalations e) x
   WHERE prev_at IS NOT NULL;
END;
$$;

REVOKE ALL ON FUNCTION docket.rebuild_report_percentiles() FROM PUBLIC;
REVOKE ALL ON FUNCTION docket.report_stay_counts_on_change() FROM PUBLIC;
REVOKE ALL ON FUNCTION docket.report_approval_counts_on_change() FROM PUBLIC;
REVOKE ALL ON FUNCTION docket.report_escalation_counts_on_change() FROM PUBLIC;

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'docket_app') THEN
    REVOKE ALL ON docket.report_duration_counts, docket.report_escalation_days, docket.report_escalation_repeats FROM docket_app;
    GRANT SELECT ON docket.report_duration_counts, docket.report_escalation_days, docket.report_escalation_repeats TO docket_app;
  END IF;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'docket_worker') THEN
    REVOKE ALL ON docket.report_duration_counts, docket.report_escalation_days, docket.report_escalation_repeats FROM docket_worker;
    GRANT SELECT ON docket.report_duration_counts, docket.report_escalation_days, docket.report_escalation_repeats TO docket_worker;
  END IF;
END;
$$;

SELECT docket.rebuild_report_percentiles();
