-- Business calendars as versions. A version is published once and never changes: a
-- newer version (next year's holidays and make-up days) is published beside it, and
-- open cases adopt it. Each row names who published it, when, and the SHA-256 of its
-- canonical JSON. The newest version of a calendar is the one new cases pin.

CREATE TABLE docket.calendar_versions (
  calendar_id  text        NOT NULL,
  version      integer     NOT NULL CHECK (version > 0),
  hash         text        NOT NULL,
  calendar     jsonb       NOT NULL,
  covers_from  date        NOT NULL,
  covers_until date        NOT NULL,
  published_by text        NOT NULL,
  published_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (calendar_id, version),
  UNIQUE (calendar_id, hash),
  CHECK (covers_until >= covers_from)
);

-- A published calendar version never changes and is never removed: refuse with SQLSTATE DKT03.
CREATE FUNCTION docket.refuse_calendar_version_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'published calendar versions are immutable: % is not allowed', TG_OP
    USING ERRCODE = 'DKT03',
          HINT = 'Publish a new version of the calendar instead of changing an existing one.';
END;
$$;

CREATE TRIGGER calendar_versions_immutable
  BEFORE UPDATE OR DELETE ON docket.calendar_versions
  FOR EACH ROW EXECUTE FUNCTION docket.refuse_calendar_version_change();

CREATE TRIGGER calendar_versions_no_truncate
  BEFORE TRUNCATE ON docket.calendar_versions
  FOR EACH STATEMENT EXECUTE FUNCTION docket.refuse_calendar_version_change();

-- The API publishes (an admin's request) and reads; the worker reads (its start-up warning).
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'docket_app') THEN
    REVOKE ALL ON docket.calendar_versions FROM docket_app;
    GRANT SELECT, INSERT ON docket.calendar_versions TO docket_app;
  END IF;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'docket_worker') THEN
    REVOKE ALL ON docket.calendar_versions FROM docket_worker;
    GRANT USAGE ON SCHEMA docket TO docket_worker;
    GRANT SELECT ON docket.calendar_versions TO docket_worker;
  END IF;
END;
$$;
