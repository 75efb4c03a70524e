-- The open work of each role and user, narrow and in page order, for the inbox views of open cases
-- (adapters/postgres/case-query.ts): one row per open case and
--   kind 'a'  a role that may act on it now (its `actionable_roles`, migration 018);
--   kind 'f'  such a role, where the case may be claimable by it: its definition declares no tasks
--             and the case names no assignee in the context;
--   kind 'x'  the user a case of a definition without tasks names its assignee in the context;
--   kind 'u'  a user it waits on (its `assignees`);
--   kind 'r'  a candidate role of an unassigned task (its `candidate_roles`, when `assignees` is empty);
--   kind 'c'  a candidate user of an unassigned task (its `candidate_users`, when `assignees` is empty).
-- Each view reads one range of the key (kind, who) newest first and stops when its page is full,
-- instead of reading every match through the array indexes and sorting them, or walking all open
-- cases in page order. The view still tests each row it lists on the case itself, so this table only
-- says where to look: what it lists is what the case row says.
-- A trigger keeps it in the transaction that writes the case (inserted, updated where its rows
-- change, deleted); a closed case has no rows. Only the trigger (SECURITY DEFINER, as the
-- owner) writes it. Rows already there are filled here.

CREATE TABLE docket.open_work (
  kind            "char"      NOT NULL,
  who             text        NOT NULL,
  opened_at       timestamptz NOT NULL,
  case_id         text        NOT NULL,
  process_id      text        NOT NULL,
  definition_hash text        NOT NULL,
  PRIMARY KEY (kind, who, opened_at, case_id) INCLUDE (process_id, definition_hash)
);

-- The (kind, who) pairs of an open case row. What a definition without tasks says (kinds 'f' and
-- 'x') is read from its version in docket.definition_versions: whether it declares tasks, and the
-- context field that keeps its assignee. A case whose version is not there is taken for one without
-- tasks that names no assignee ('f' for every role that may act) and that names as assignee every
-- string at the top of its context ('x'): more rows than it needs, never fewer (each view tests the
-- case itself).
CREATE FUNCTION docket.open_work_entries(c docket.cases)
RETURNS TABLE (kind "char", who text)
LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
  WITH d AS (
    SELECT coalesce(jsonb_typeof(v.definition -> 'humanTasks') = 'object' AND v.definition -> 'humanTasks' <> '{}'::jsonb, false) AS tasked,
           CASE WHEN jsonb_typeof(v.definition -> 'assigneeField') = 'string' THEN v.definition ->> 'assigneeField' END AS field
      FROM docket.definition_versions v
     WHERE v.process_id = c.process_id AND v.version = c.definition_version AND v.hash = c.definition_hash
  ), named AS (
    SELECT c.context ->> d.field AS who
      FROM d WHERE NOT d.tasked AND jsonb_typeof(c.context -> d.field) = 'string'
    UNION ALL
    SELECT e.value #>> '{}'
      FROM jsonb_each(CASE WHEN jsonb_typeof(c.context) = 'object' THEN c.context ELSE '{}'::jsonb END) e
     WHERE NOT EXISTS (SELECT 1 FROM d) AND jsonb_typeof(e.value) = 'string'
  ), free AS (
    SELECT NOT EXISTS (SELECT 1 FROM d)
           OR EXISTS (SELECT 1 FROM d WHERE NOT d.tasked
                        AND (jsonb_typeof(c.context -> d.field) IS DISTINCT FROM 'string' OR c.context ->> d.field = '')) AS yes
  )
  SELECT 'a'::"char", r FROM unnest(c.actionable_roles) r
  UNION SELECT 'f'::"char", r FROM unnest(c.actionable_roles) r, free WHERE free.yes
  UNION SELECT 'x'::"char", n.who FROM named n WHERE n.who <> ''
  UNION SELECT 'u'::"char", u FROM unnest(c.assignees) u
  UNION SELECT 'r'::"char", r FROM unnest(c.candidate_roles) r WHERE c.assignees = '{}'
  UNION SELECT 'c'::"char", u FROM unnest(c.candidate_users) u WHERE c.assignees = '{}'
$$;

CREATE FUNCTION docket.open_work_on_write() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, docket AS $$
DECLARE
  before text[];
  after  text[];
BEGIN
  IF TG_OP <> 'INSERT' AND OLD.status = 'open' THEN
    before := ARRAY(SELECT e.kind::text || e.who FROM docket.open_work_entries(OLD) e ORDER BY 1);
  END IF;
  IF TG_OP <> 'DELETE' AND NEW.status = 'open' THEN
    after := ARRAY(SELECT e.kind::text || e.who FROM docket.open_work_entries(NEW) e ORDER BY 1);
  END IF;
  -- Most transitions change none of it.
  IF TG_OP = 'UPDATE' AND before = after
     AND (OLD.case_id, OLD.opened_at, OLD.process_id, OLD.definition_hash) = (NEW.case_id, NEW.opened_at, NEW.process_id, NEW.definition_hash) THEN
    RETURN NULL;
  END IF;
  IF before IS NOT NULL THEN
    DELETE FROM docket.open_work w
     USING docket.open_work_entries(OLD) e
     WHERE w.kind = e.kind AND w.who = e.who AND w.opened_at = OLD.opened_at AND w.case_id = OLD.case_id;
  END IF;
  IF after IS NOT NULL THEN
    INSERT INTO docket.open_work (kind, who, opened_at, case_id, process_id, definition_hash)
    SELECT e.kind, e.who, NEW.opened_at, NEW.case_id, NEW.process_id, NEW.definition_hash
      FROM docket.open_work_entries(NEW) e
    ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER cases_open_work_insert
  AFTER INSERT ON docket.cases
  FOR EACH ROW WHEN (NEW.status = 'open')
  EXECUTE FUNCTION docket.open_work_on_write();
CREATE TRIGGER cases_open_work_update
  AFTER UPDATE ON docket.cases
  FOR EACH ROW WHEN ((OLD.status = 'open' OR NEW.status = 'open')
    AND (OLD.status, OLD.case_id, OLD.opened_at, OLD.process_id, OLD.definition_hash, OLD.actionable_roles, OLD.assignees,
         OLD.candidate_roles, OLD.candidate_users, OLD.context, OLD.definition_version)
        IS DISTINCT FROM
        (NEW.status, NEW.case_id, NEW.opened_at, NEW.process_id, NEW.definition_hash, NEW.actionable_roles, NEW.assignees,
         NEW.candidate_roles, NEW.candidate_users, NEW.context, NEW.definition_version))
  EXECUTE FUNCTION docket.open_work_on_write();
CREATE TRIGGER cases_open_work_delete
  AFTER DELETE ON docket.cases
  FOR EACH ROW WHEN (OLD.status = 'open')
  EXECUTE FUNCTION docket.open_work_on_write();

INSERT INTO docket.open_work (kind, who, opened_at, case_id, process_id, definition_hash)
SELECT e.kind, e.who, c.opened_at, c.case_id, c.process_id, c.definition_hash
  FROM docket.cases c
 CROSS JOIN LATERAL docket.open_work_entries(c) e
 WHERE c.status = 'open';

ANALYZE docket.open_work;
