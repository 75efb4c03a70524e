-- Users and API tokens, the security log, the hash chain of the transition log,
-- and `docket_app`: the role the API runs as, which may append to the transition
-- log but never change or remove a row of it.

CREATE TABLE docket.users (
  user_id      text        PRIMARY KEY CHECK (user_id ~ '^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$'),
  display_name text        NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
  email        text        CHECK (email IS NULL OR length(email) <= 320),
  roles        text[]      NOT NULL CHECK (cardinality(roles) > 0),
  status       text        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);

-- An API token is shown once; only its SHA-256 is kept. `token_id` is the public
-- part of the token, used to find the row and to name the token in listings.
CREATE TABLE docket.api_tokens (
  token_id     text        PRIMARY KEY,
  user_id      text        NOT NULL REFERENCES docket.users (user_id),
  token_hash   text        NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at   timestamptz
);

CREATE INDEX api_tokens_user_idx ON docket.api_tokens (user_id);

-- Refused attempts (unauthenticated, forbidden, not allowed in the case's state).
-- Kept apart from cases: a refusal never touches a case's history.
CREATE TABLE docket.security_log (
  id        bigserial   PRIMARY KEY,
  at        timestamptz NOT NULL DEFAULT now(),
  code      text        NOT NULL,
  user_id   text,
  role      text,
  method    text,
  path      text,
  case_id   text,
  event     text,
  message   text        NOT NULL,
  remote_ip text
);

CREATE INDEX security_log_at_idx   ON docket.security_log (at DESC);
CREATE INDEX security_log_user_idx ON docket.security_log (user_id, at DESC);

CREATE FUNCTION docket.refuse_security_log_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'docket.security_log is append-only: % is not allowed', TG_OP USING ERRCODE = 'DKT01';
END;
$$;

CREATE TRIGGER security_log_no_update_delete
  BEFORE UPDATE OR DELETE ON docket.security_log
  FOR EACH ROW EXECUTE FUNCTION docket.refuse_security_log_change();

-- The hash chain: each row's hash covers its content and the previous row's hash
-- (the definition hash for seq 0); see audit/chain.ts. Rows written before this
-- migration have none and are reported as unsealed by a verification.
ALTER TABLE docket.transitions ADD COLUMN prev_hash text, ADD COLUMN hash text;

CREATE INDEX transitions_actor_idx ON docket.transitions (actor_user, at);

-- The application role. Roles belong to the whole server, so creating it may race
-- with another database's migration, or be impossible without CREATEROLE: either
-- way the grants below are applied only when the role exists.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'docket_app') THEN
    CREATE ROLE docket_app NOLOGIN;
  END IF;
EXCEPTION
  WHEN duplicate_object OR unique_violation THEN NULL;
  WHEN insufficient_privilege THEN
    RAISE NOTICE 'cannot create role docket_app; create it and grant it as in 002_auth_audit.sql';
END;
$$;

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'docket_app') THEN
    GRANT USAGE ON SCHEMA docket TO docket_app;
    GRANT SELECT, INSERT, UPDATE, DELETE ON docket.cases, docket.notification_outbox, docket.users, docket.api_tokens TO docket_app;
    GRANT SELECT, INSERT ON docket.transitions, docket.security_log TO docket_app;
    GRANT SELECT ON docket.schema_migrations TO docket_app;
    GRANT USAGE ON SEQUENCE docket.security_log_id_seq TO docket_app;
    REVOKE UPDATE, DELETE, TRUNCATE ON docket.transitions, docket.security_log FROM docket_app;
    -- Tables of later migrations are usable by the application unless a migration says otherwise.
    ALTER DEFAULT PRIVILEGES IN SCHEMA docket GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO docket_app;
    ALTER DEFAULT PRIVILEGES IN SCHEMA docket GRANT USAGE, SELECT ON SEQUENCES TO docket_app;
  END IF;
END;
$$;
