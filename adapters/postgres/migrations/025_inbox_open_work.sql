-- The open work of each role and user, narrow and in page order, for the inbox views of open cases
-- (adapters/postgres/case-query.ts): one row per open case and
--   kind 'a'  a role that may act on it now (its `actionable_roles`, migration 018);
--   kind 'u'  a user it waits on (its `assignees`);
--   kind 'r'  a candidate role of an unassigned task (its `candidate_roles`, when `assignees` is empty);
--   kind 'c'  a candidate user of an unassigned task (its `candidate_users`, when `assignees` is empty).
-- Each view reads one range of the key (kind, who) newest first and stops when its page is full,
-- instead of reading every match through the array indexes and sorting them, or walking all open
-- cases in page order. The view still tests each row it lists on the case itself, so this table only
-- says where to look: what it lists is what the case row says.
-- A trigger keeps it in the transaction that writes the case (inserted, updated where one of these
-- columns changed, deleted); a closed case has no rows. Only the trigger (SECURITY DEFINER, as the
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
-- The cases a role may act on of one definition version (the `claimable` view of definitions without tasks).
CREATE INDEX open_work_actionable_version_idx ON docket.open_work (who, definition_hash, opened_at, case_id)
  INCLUDE (process_id) WHERE kind = 'a';

-- The (kind, who) pairs of a case row's work columns.
CREATE FUNCTION docket.open_work_entries(actionable text[], assignees text[], candidate_roles text[], candidate_users text[])
RETURNS TABLE (kind "char", who text)
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog AS $$
  SELECT 'a'::"char", r FROM unnest(actionable) r
  UNION SELECT 'u'::"char", u FROM unnest(assignees) u
  UNION SELECT 'r'::"char", r FROM unnest(candidate_roles) r WHERE assignees = '{}'
  UNION SELECT 'c'::"char", u FROM unnest(candidate_users) u WHERE assignees = '{}'
$$;

CREATE FUNCTION docket.open_work_on_write() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, docket AS $$
BEGIN
  IF TG_OP <> 'INSERT' AND OLD.status = 'open' THEN
    DELETE FROM docket.open_work w
     USING docket.open_work_entries(OLD.actionable_roles, OLD.assignees, OLD.candidate_roles, OLD.candidate_users) e
     WHERE w.kind = e.kind AND w.who = e.who AND w.opened_at = OLD.opened_at AND w.case_id = OLD.case_id;
  END IF;
  IF TG_OP <> 'DELETE' AND NEW.status = 'open' THEN
    INSERT INTO docket.open_work (kind, who, opened_at, case_id, process_id, definition_hash)
    SELECT e.kind, e.who, NEW.opened_at, NEW.case_id, NEW.process_id, NEW.definition_hash
      FROM docket.open_work_entries(NEW.actionable_roles, NEW.assignees, NEW.candidate_roles, NEW.candidate_users) e
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
         OLD.candidate_roles, OLD.candidate_users)
        IS DISTINCT FROM
        (NEW.status, NEW.case_id, NEW.opened_at, NEW.process_id, NEW.definition_hash, NEW.actionable_roles, NEW.assignees,
         NEW.candidate_roles, NEW.candidate_users))
  EXECUTE FUNCTION docket.open_work_on_write();
CREATE TRIGGER cases_open_work_delete
  AFTER DELETE ON docket.cases
  FOR EACH ROW WHEN (OLD.status = 'open')
  EXECUTE FUNCTION docket.open_work_on_write();

INSERT INTO docket.open_work (kind, who, opened_at, case_id, process_id, definition_hash)
SELECT e.kind, e.who, c.opened_at, c.case_id, c.process_id, c.definition_hash
  FROM docket.cases c
 CROSS JOIN LATERAL docket.open_work_entries(c.actionable_roles, c.assignees, c.candidate_roles, c.candidate_users) e
 WHERE c.status = 'open';

ANALYZE docket.open_work;
