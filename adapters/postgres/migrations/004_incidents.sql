-- Incidents: effects of cases that failed for good (a row PostgreSQL refused, a notification that
-- cannot be delivered, ...). The workflow holds the effect until an operator retries it; this table
-- is the operators' list. One row per incident, brought up to date as it fails again or is resolved.
CREATE TABLE docket.incidents (
  id text PRIMARY KEY,
  case_id text NOT NULL,
  process_id text NOT NULL,
  effect text NOT NULL,
  seq integer,
  description text NOT NULL,
  error_type text NOT NULL,
  error_message text NOT NULL,
  attempts integer NOT NULL,
  opened_at timestamptz NOT NULL,
  resolved_at timestamptz,
  resolved_by text
);

CREATE INDEX incidents_open ON docket.incidents (opened_at) WHERE resolved_at IS NULL;
CREATE INDEX incidents_case ON docket.incidents (case_id);

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'docket_app') THEN
    GRANT SELECT, INSERT, UPDATE ON docket.incidents TO docket_app;
  END IF;
END;
$$;
