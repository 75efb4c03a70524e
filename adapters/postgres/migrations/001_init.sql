-- Docket schema: the case projection, the append-only transition log and the
-- notification outbox. All objects live in schema `docket` (created by the
-- migration runner before the first migration).

-- The read model of each case, rewritten after every transition.
CREATE TABLE docket.cases (
  case_id            text        PRIMARY KEY,
  process_id         text        NOT NULL,
  definition_version integer     NOT NULL,
  definition_hash    text        NOT NULL,
  customer_id        text        NOT NULL,
  state              text        NOT NULL,
  status             text        NOT NULL CHECK (status IN ('open', 'completed')),
  context            jsonb       NOT NULL DEFAULT '{}'::jsonb,
  deadlines          jsonb       NOT NULL DEFAULT '[]'::jsonb,
  last_seq           integer     NOT NULL CHECK (last_seq >= 0),
  opened_at          timestamptz NOT NULL,
  updated_at         timestamptz NOT NULL,
  closed_at          timestamptz
);

CREATE INDEX cases_process_state_idx ON docket.cases (process_id, state);
CREATE INDEX cases_state_idx         ON docket.cases (state);
CREATE INDEX cases_status_idx        ON docket.cases (status, updated_at DESC);
CREATE INDEX cases_customer_idx      ON docket.cases (customer_id, updated_at DESC);
CREATE INDEX cases_updated_idx       ON docket.cases (updated_at DESC, case_id);

-- One row per applied event of a case. Never updated, never deleted.
CREATE TABLE docket.transitions (
  case_id            text        NOT NULL,
  seq                integer     NOT NULL CHECK (seq >= 0),
  process_id         text        NOT NULL,
  definition_version integer     NOT NULL,
  definition_hash    text        NOT NULL,
  event              text        NOT NULL,
  payload            jsonb       NOT NULL DEFAULT '{}'::jsonb,
  actor_user         text        NOT NULL,
  actor_role         text        NOT NULL,
  request_id         text,
  from_state         text,
  to_state           text        NOT NULL,
  status             text        NOT NULL CHECK (status IN ('open', 'completed')),
  at                 timestamptz NOT NULL,
  recorded_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (case_id, seq)
);

CREATE INDEX transitions_process_at_idx ON docket.transitions (process_id, at);
CREATE INDEX transitions_request_idx    ON docket.transitions (request_id) WHERE request_id IS NOT NULL;

-- The log is append-only: refuse UPDATE, DELETE and TRUNCATE with SQLSTATE DKT01.
CREATE FUNCTION docket.refuse_transition_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'docket.transitions is append-only: % is not allowed', TG_OP
    USING ERRCODE = 'DKT01',
          HINT = 'Record a new transition instead of changing or removing an existing one.';
END;
$$;

CREATE TRIGGER transitions_no_update_delete
  BEFORE UPDATE OR DELETE ON docket.transitions
  FOR EACH ROW EXECUTE FUNCTION docket.refuse_transition_change();

CREATE TRIGGER transitions_no_truncate
  BEFORE TRUNCATE ON docket.transitions
  FOR EACH STATEMENT EXECUTE FUNCTION docket.refuse_transition_change();

-- Notifications to deliver; `id` is the Notification idempotency key.
CREATE TABLE docket.notification_outbox (
  id         text        PRIMARY KEY,
  case_id    text        NOT NULL,
  process_id text        NOT NULL,
  kind       text        NOT NULL,
  recipients jsonb       NOT NULL,
  template   text        NOT NULL,
  subject    jsonb       NOT NULL,
  data       jsonb       NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL,
  status     text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
  attempts   integer     NOT NULL DEFAULT 0,
  last_error text,
  sent_at    timestamptz
);

CREATE INDEX notification_outbox_unsent_idx ON docket.notification_outbox (created_at) WHERE status <> 'sent';
CREATE INDEX notification_outbox_case_idx   ON docket.notification_outbox (case_id);
