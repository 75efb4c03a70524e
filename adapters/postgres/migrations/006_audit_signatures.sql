-- Keyed audit: the worker signs each row's chain hash with an Ed25519 key held
-- outside the database (audit/signature.ts), so a row forged with database access
-- alone fails verification. Rows written before this migration have no signature;
-- a checkpoint signed when keyed audit began vouches for them.
ALTER TABLE docket.transitions ADD COLUMN key_id text, ADD COLUMN signature text;

-- The public keys that have signed rows (public parts only: no secret is ever
-- stored here). For reference and exports; verifiers pin the keyring file instead,
-- since whoever can write this table could add a key of their own.
CREATE TABLE docket.audit_keys (
  key_id     text        PRIMARY KEY,
  algorithm  text        NOT NULL CHECK (algorithm = 'ed25519'),
  public_key text        NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Signed statements that a case's log ended at (seq, hash) when keyed audit began.
CREATE TABLE docket.audit_checkpoints (
  case_id   text        NOT NULL,
  seq       integer     NOT NULL CHECK (seq >= 0),
  hash      text        NOT NULL,
  key_id    text        NOT NULL,
  signature text        NOT NULL,
  signed_at timestamptz NOT NULL,
  PRIMARY KEY (case_id, seq)
);

CREATE FUNCTION docket.refuse_audit_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '%.% is append-only: % is not allowed', TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_OP USING ERRCODE = 'DKT01';
END;
$$;

CREATE TRIGGER audit_checkpoints_no_update_delete
  BEFORE UPDATE OR DELETE ON docket.audit_checkpoints
  FOR EACH ROW EXECUTE FUNCTION docket.refuse_audit_change();

CREATE TRIGGER audit_keys_no_update_delete
  BEFORE UPDATE OR DELETE ON docket.audit_keys
  FOR EACH ROW EXECUTE FUNCTION docket.refuse_audit_change();

-- The API's role reads keys and checkpoints and writes neither (the default
-- privileges of 002_auth_audit.sql would grant it more).
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'docket_app') THEN
    REVOKE ALL ON docket.audit_keys, docket.audit_checkpoints FROM docket_app;
    GRANT SELECT ON docket.audit_keys, docket.audit_checkpoints TO docket_app;
  END IF;
END;
$$;
