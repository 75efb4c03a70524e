-- Process definitions as versions. A published version is immutable and is
-- identified by (process_id, version) and the SHA-256 of its canonical JSON; a
-- process has at most one draft, the next version being prepared.

CREATE TABLE docket.definition_versions (
  process_id   text        NOT NULL,
  version      integer     NOT NULL CHECK (version > 0),
  hash         text        NOT NULL,
  definition   jsonb       NOT NULL,
  status       text        NOT NULL CHECK (status IN ('draft', 'published')),
  created_by   text        NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  published_by text,
  published_at timestamptz,
  PRIMARY KEY (process_id, version),
  CHECK ((status = 'published') = (published_by IS NOT NULL AND published_at IS NOT NULL))
);

CREATE UNIQUE INDEX definition_versions_one_draft ON docket.definition_versions (process_id) WHERE status = 'draft';
CREATE UNIQUE INDEX definition_versions_hash ON docket.definition_versions (process_id, hash) WHERE status = 'published';

-- A published version never changes and is never removed: refuse with SQLSTATE DKT02.
CREATE FUNCTION docket.refuse_published_definition_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' OR OLD.status = 'published' THEN
    RAISE EXCEPTION 'published definition versions are immutable: % is not allowed', TG_OP
      USING ERRCODE = 'DKT02',
            HINT = 'Publish a new version instead of changing an existing one.';
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END;
$$;

CREATE TRIGGER definition_versions_immutable
  BEFORE UPDATE OR DELETE ON docket.definition_versions
  FOR EACH ROW EXECUTE FUNCTION docket.refuse_published_definition_change();

CREATE TRIGGER definition_versions_no_truncate
  BEFORE TRUNCATE ON docket.definition_versions
  FOR EACH STATEMENT EXECUTE FUNCTION docket.refuse_published_definition_change();

-- The API's role (002_auth_audit.sql), when it exists, manages drafts and publishes; the trigger keeps published rows as they are.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'docket_app') THEN
    GRANT SELECT, INSERT, UPDATE, DELETE ON docket.definition_versions TO docket_app;
  END IF;
END;
$$;
