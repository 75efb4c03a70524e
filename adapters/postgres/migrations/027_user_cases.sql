-- The cases each user started and sent an event to, narrow and in page order, for the inbox views
-- `started` and `done` (adapters/postgres/case-query.ts): one row per user, kind and case, where
--   kind 's'  the user started the case (its transition 0 is theirs);
--   kind 'd'  the user sent an event to it (a later transition is theirs).
-- A view reads one range of the key (user, kind) newest first and stops when its page is full,
-- instead of collecting every case of the user's transitions and sorting them. The view still tests
-- each row it lists on the case itself (the filters), so this table only says where to look.
-- Triggers keep it in the transaction that stores the transition or writes the case (whichever
-- comes second finds the other); a deleted case takes its rows along. Only the triggers
-- (SECURITY DEFINER, as the owner) write it. Rows already there are filled here.

CREATE TABLE docket.user_cases (
  user_id    text        NOT NULL,
  kind       "char"      NOT NULL,
  opened_at  timestamptz NOT NULL,
  case_id    text        NOT NULL,
  process_id text        NOT NULL,
  PRIMARY KEY (user_id, kind, opened_at, case_id) INCLUDE (process_id)
);
CREATE INDEX user_cases_case_idx ON docket.user_cases (case_id);

CREATE FUNCTION docket.user_cases_on_transition() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, docket AS $$
BEGIN
  INSERT INTO docket.user_cases (user_id, kind, opened_at, case_id, process_id)
  SELECT NEW.actor_user, CASE WHEN NEW.seq = 0 THEN 's' ELSE 'd' END::"char", c.opened_at, c.case_id, c.process_id
    FROM docket.cases c
   WHERE c.case_id = NEW.case_id
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END;
$$;

CREATE FUNCTION docket.user_cases_on_case() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, docket AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    DELETE FROM docket.user_cases WHERE case_id = OLD.case_id;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO docket.user_cases (user_id, kind, opened_at, case_id, process_id)
    SELECT DISTINCT t.actor_user, CASE WHEN t.seq = 0 THEN 's' ELSE 'd' END::"char", NEW.opened_at, NEW.case_id, NEW.process_id
      FROM docket.transitions t
     WHERE t.case_id = NEW.case_id
    ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER transitions_user_cases
  AFTER INSERT ON docket.transitions
  FOR EACH ROW EXECUTE FUNCTION docket.user_cases_on_transition();
CREATE TRIGGER cases_user_cases_insert
  AFTER INSERT ON docket.cases
  FOR EACH ROW EXECUTE FUNCTION docket.user_cases_on_case();
CREATE TRIGGER cases_user_cases_update
  AFTER UPDATE ON docket.cases
  FOR EACH ROW WHEN ((OLD.case_id, OLD.opened_at, OLD.process_id) IS DISTINCT FROM (NEW.case_id, NEW.opened_at, NEW.process_id))
  EXECUTE FUNCTION docket.user_cases_on_case();
CREATE TRIGGER cases_user_cases_delete
  AFTER DELETE ON docket.cases
  FOR EACH ROW EXECUTE FUNCTION docket.user_cases_on_case();

-- Every row again from the log and the cases (the migration, and a bulk load with the triggers off).
CREATE FUNCTION docket.rebuild_user_cases() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, docket AS $$
BEGIN
  TRUNCATE docket.user_cases;
  INSERT INTO docket.user_cases (user_id, kind, opened_at, case_id, process_id)
  SELECT DISTINCT t.actor_user, CASE WHEN t.seq = 0 THEN 's' ELSE 'd' END::"char", c.opened_at, c.case_id, c.process_id
    FROM docket.transitions t
    JOIN docket.cases c ON c.case_id = t.case_id;
  ANALYZE docket.user_cases;
END;
$$;

REVOKE ALL ON FUNCTION docket.user_cases_on_transition() FROM PUBLIC;
REVOKE ALL ON FUNCTION docket.user_cases_on_case() FROM PUBLIC;
REVOKE ALL ON FUNCTION docket.rebuild_user_cases() FROM PUBLIC;

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'docket_app') THEN
    REVOKE ALL ON docket.user_cases FROM docket_app;
    GRANT SELECT ON docket.user_cases TO docket_app;
  END IF;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'docket_worker') THEN
    REVOKE ALL ON docket.user_cases FROM docket_worker;
    GRANT SELECT ON docket.user_cases TO docket_worker;
  END IF;
END;
$$;

SELECT docket.rebuild_user_cases();
