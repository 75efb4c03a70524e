-- The targets report's intention customers (adapters/postgres/reports/targets.ts) read from rows
-- kept for them, with their customer's owner on each row.
--
-- The count is "customers whose intention grade became A in the period, credited to their owner":
-- the grade changes of the period joined to the customers' records. Over a year of a large
-- organisation that join matched some 6,000 customers against every one of the 50,000 records (the
-- whole owner index read, then hashed: about 30 of the report's 41 ms). Now
--   report_intention_a   one row per grade change to A (from anything but A), with the customer's
--                        current owner: the intention customers of a period are its rows.
-- Kept by triggers as the grades and the owners change:
--   - a change to A appended to docket.customer_grade_changes adds its row, with the owner read
--     from the customer's record (locked FOR SHARE: the grade change's transaction holds it FOR
--     UPDATE already, see customer-store.ts, and an owner change waits for it or it for the owner
--     change, so the row never keeps an owner the record no longer has);
--   - a customer's owner changed (a handover, an edit) moves that customer's rows to the new owner.
-- docket.customer_grade_changes is append-only (migration 012), so rows are never taken back.
-- docket.rebuild_target_rollups() now fills this table too (the bench seeder's rebuild after its
-- COPY); this migration fills it once. Only the triggers (SECURITY DEFINER, as the owner) write it.

CREATE TABLE docket.report_intention_a (
  id          bigint      PRIMARY KEY,
  customer_id text        NOT NULL,
  at          timestamptz NOT NULL,
  owner       text
);
CREATE INDEX report_intention_a_at_idx ON docket.report_intention_a (at) INCLUDE (owner, customer_id);
CREATE INDEX report_intention_a_customer_idx ON docket.report_intention_a (customer_id);

CREATE FUNCTION docket.report_intention_a_on_change() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, docket AS $$
BEGIN
  INSERT INTO docket.report_intention_a (id, customer_id, at, owner)
  SELECT NEW.id, NEW.customer_id, NEW.at, cu.owner_id
    FROM docket.customers cu
   WHERE cu.customer_id = NEW.customer_id
     FOR SHARE
  ON CONFLICT (id) DO NOTHING;
  RETURN NULL;
END;
$$;

CREATE TRIGGER customer_grade_changes_report_intention
  AFTER INSERT ON docket.customer_grade_changes
  FOR EACH ROW WHEN (NEW.grade = 'intention' AND NEW.to_grade = 'A' AND NEW.from_grade IS DISTINCT FROM 'A')
  EXECUTE FUNCTION docket.report_intention_a_on_change();

CREATE FUNCTION docket.report_intention_a_on_owner() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, docket AS $$
BEGIN
  UPDATE docket.report_intention_a SET owner = NEW.owner_id WHERE customer_id = NEW.customer_id;
  RETURN NULL;
END;
$$;

CREATE TRIGGER customers_report_intention_owner
  AFTER UPDATE OF owner_id ON docket.customers
  FOR EACH ROW WHEN (OLD.owner_id IS DISTINCT FROM NEW.owner_id)
  EXECUTE FUNCTION docket.report_intention_a_on_owner();

-- The table from the grade changes and the records, at once.
CREATE FUNCTION docket.rebuild_intention_rollup() RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, docket AS $$
BEGIN
  TRUNCATE docket.report_intention_a;
  INSERT INTO docket.report_intention_a (id, customer_id, at, owner)
  SELECT g.id, g.customer_id, g.at, cu.owner_id
    FROM docket.customer_grade_changes g JOIN docket.customers cu ON cu.customer_id = g.customer_id
   WHERE g.grade = 'intention' AND g.to_grade = 'A' AND g.from_grade IS DISTINCT FROM 'A';
END;
$$;

-- Migration 023's rebuild of the targets' tables, with this one.
CREATE OR REPLACE FUNCTION docket.rebuild_target_rollups() RETURNS void
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
  PERFORM docket.rebuild_intention_rollup();
END;
$$;

REVOKE ALL ON FUNCTION docket.rebuild_intention_rollup() FROM PUBLIC;
REVOKE ALL ON FUNCTION docket.rebuild_target_rollups() FROM PUBLIC;
REVOKE ALL ON FUNCTION docket.report_intention_a_on_change() FROM PUBLIC;
REVOKE ALL ON FUNCTION docket.report_intention_a_on_owner() FROM PUBLIC;

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'docket_app') THEN
    REVOKE ALL ON docket.report_intention_a FROM docket_app;
    GRANT SELECT ON docket.report_intention_a TO docket_app;
  END IF;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'docket_worker') THEN
    REVOKE ALL ON docket.report_intention_a FROM docket_worker;
    GRANT SELECT ON docket.report_intention_a TO docket_worker;
  END IF;
END;
$$;

SELECT docket.rebuild_intention_rollup();
