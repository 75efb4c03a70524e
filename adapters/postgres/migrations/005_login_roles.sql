-- Login roles with only the rights they need (see adapters/postgres/roles.ts, which creates them):
--   docket_api    the HTTP API, a member of docket_app: reads cases, transitions, the outbox and incidents;
--                 manages users, tokens, definitions; appends to the security log.
--   docket_worker the Temporal worker: appends transitions, keeps the case projection, the outbox and
--                 the incidents.
-- Neither may change or remove a row of docket.transitions or docket.security_log, truncate a table,
-- create an object, or alter a table (and so disable a trigger): only the owner of the schema may.
-- Roles are created by `docket db setup` (or the embedded database's start-up); when they do not exist
-- yet, the grants are applied by that setup calling docket.grant_login_roles() after migrating.

CREATE FUNCTION docket.grant_login_roles() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'docket_app') THEN
    -- The API reads what the worker writes; it writes none of it.
    REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER
      ON docket.cases, docket.transitions, docket.notification_outbox FROM docket_app;
    REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON docket.incidents FROM docket_app;
    REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON docket.security_log FROM docket_app;
    -- Users are disabled, tokens revoked: rows are kept.
    REVOKE DELETE, TRUNCATE, REFERENCES, TRIGGER ON docket.users, docket.api_tokens FROM docket_app;
    REVOKE TRUNCATE, REFERENCES, TRIGGER ON docket.definition_versions FROM docket_app;
    GRANT USAGE ON SCHEMA docket TO docket_app;
    GRANT SELECT ON docket.cases, docket.transitions, docket.notification_outbox, docket.incidents,
      docket.schema_migrations TO docket_app;
    GRANT SELECT, INSERT ON docket.security_log TO docket_app;
    GRANT USAGE ON SEQUENCE docket.security_log_id_seq TO docket_app;
    GRANT SELECT, INSERT, UPDATE ON docket.users, docket.api_tokens TO docket_app;
    GRANT SELECT, INSERT, UPDATE, DELETE ON docket.definition_versions TO docket_app;
  END IF;

  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'docket_worker') THEN
    GRANT USAGE ON SCHEMA docket TO docket_worker;
    GRANT SELECT, INSERT ON docket.transitions TO docket_worker;
    GRANT SELECT, INSERT, UPDATE ON docket.cases, docket.notification_outbox, docket.incidents TO docket_worker;
    GRANT SELECT ON docket.schema_migrations TO docket_worker;
  END IF;

  -- Tables of later migrations: the API may read and write them, the worker read and append to them,
  -- unless that migration grants otherwise. (Default privileges belong to the role running this.)
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'docket_app') THEN
    ALTER DEFAULT PRIVILEGES IN SCHEMA docket GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO docket_app;
    ALTER DEFAULT PRIVILEGES IN SCHEMA docket GRANT USAGE, SELECT ON SEQUENCES TO docket_app;
  END IF;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'docket_worker') THEN
    ALTER DEFAULT PRIVILEGES IN SCHEMA docket GRANT SELECT, INSERT ON TABLES TO docket_worker;
    ALTER DEFAULT PRIVILEGES IN SCHEMA docket GRANT USAGE, SELECT ON SEQUENCES TO docket_worker;
  END IF;
END;
$$;

REVOKE ALL ON FUNCTION docket.grant_login_roles() FROM PUBLIC;

SELECT docket.grant_login_roles();

-- The security log refuses TRUNCATE too, like the transition log.
CREATE TRIGGER security_log_no_truncate
  BEFORE TRUNCATE ON docket.security_log
  FOR EACH STATEMENT EXECUTE FUNCTION docket.refuse_security_log_change();
