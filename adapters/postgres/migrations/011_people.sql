-- People's work on a case (issue 15): who a case waits on, person by person, kept on the case row for
-- the inbox views (filled from the work the engine records with every transition; see
-- adapters/postgres/work-columns.ts), who acted on someone's behalf, and out-of-office delegations.
-- Rows written before keep working: empty arrays (the inbox falls back to what the definition says),
-- no initiator, and transitions with no one on whose behalf they were sent (hashed as before).

ALTER TABLE docket.cases
  ADD COLUMN assignees       text[] NOT NULL DEFAULT '{}',
  ADD COLUMN candidate_roles text[] NOT NULL DEFAULT '{}',
  ADD COLUMN candidate_users text[] NOT NULL DEFAULT '{}',
  ADD COLUMN cc_users        text[] NOT NULL DEFAULT '{}',
  ADD COLUMN initiator       text;

CREATE INDEX cases_assignees_idx       ON docket.cases USING gin (assignees);
CREATE INDEX cases_candidate_roles_idx ON docket.cases USING gin (candidate_roles);
CREATE INDEX cases_candidate_users_idx ON docket.cases USING gin (candidate_users);
CREATE INDEX cases_cc_users_idx        ON docket.cases USING gin (cc_users);

-- The user whose task a delegate acted on (null unless a delegate acted).
ALTER TABLE docket.transitions ADD COLUMN actor_on_behalf_of text;

-- A user names an out-of-office delegate for a period [starts_at, ends_at). Revoked rows are kept.
-- The API refuses overlapping periods of one user (under a per-user advisory lock).
CREATE TABLE docket.delegations (
  id          text        PRIMARY KEY,
  user_id     text        NOT NULL,
  delegate_id text        NOT NULL,
  starts_at   timestamptz NOT NULL,
  ends_at     timestamptz NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz,
  revoked_by  text,
  CHECK (ends_at > starts_at),
  CHECK (delegate_id <> user_id)
);

CREATE INDEX delegations_user_idx     ON docket.delegations (user_id, starts_at);
CREATE INDEX delegations_delegate_idx ON docket.delegations (delegate_id, starts_at) WHERE revoked_at IS NULL;

-- In-app items a delegate receives for the user who delegated to them.
ALTER TABLE docket.notifications ADD COLUMN for_user_id text;

-- Grants on Docket's tables to the login roles where they exist (`docket db setup` makes them; an
-- installation without them runs as one role): everything on `tables` is revoked from docket_app
-- (the API) and docket_worker, then `app` and `worker` are granted (an empty string grants nothing).
-- Later migrations grant through it.
CREATE FUNCTION docket.grant_to_login_roles(tables text, app text, worker text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'docket_app') THEN
    EXECUTE format('REVOKE ALL ON %s FROM docket_app', tables);
    IF app <> '' THEN
      EXECUTE format('GRANT %s ON %s TO docket_app', app, tables);
    END IF;
  END IF;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'docket_worker') THEN
    EXECUTE format('REVOKE ALL ON %s FROM docket_worker', tables);
    GRANT USAGE ON SCHEMA docket TO docket_worker;
    IF worker <> '' THEN
      EXECUTE format('GRANT %s ON %s TO docket_worker', worker, tables);
    END IF;
  END IF;
END;
$$;

-- The API keeps delegations (adds them and revokes them; never removes a row); the worker reads them
-- to send a user's notifications to their delegate. The logs stay append-only: no grant here touches
-- docket.transitions or docket.security_log.
SELECT docket.grant_to_login_roles('docket.delegations', 'SELECT, INSERT, UPDATE (revoked_at, revoked_by)', 'SELECT');
