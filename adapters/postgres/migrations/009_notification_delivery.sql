-- Notifications where people are. The outbox becomes a queue drained by every worker process
-- (adapters/notify/delivery.ts): a row is claimed with FOR UPDATE SKIP LOCKED and leased until
-- next_attempt_at under a claim token, so two workers never deliver it at once; a failed attempt is
-- retried with exponential backoff until it is sent or gives up (status 'failed').
ALTER TABLE docket.notification_outbox
  ADD COLUMN next_attempt_at    timestamptz NOT NULL DEFAULT now(),
  ADD COLUMN claim_token        text,
  ADD COLUMN delivered_channels text[]      NOT NULL DEFAULT '{}',
  ADD COLUMN updated_at         timestamptz;

CREATE INDEX notification_outbox_due_idx ON docket.notification_outbox (next_attempt_at) WHERE status = 'pending';
CREATE INDEX notification_outbox_listing_idx ON docket.notification_outbox (created_at DESC, id DESC);

-- The in-app notification centre: one row per notification and addressee (a role's notification is
-- resolved to the users holding the role when it is delivered). Only the addressee reads it.
CREATE TABLE docket.notifications (
  id         bigserial   PRIMARY KEY,
  user_id    text        NOT NULL,
  outbox_id  text        NOT NULL REFERENCES docket.notification_outbox (id),
  case_id    text        NOT NULL,
  process_id text        NOT NULL,
  kind       text        NOT NULL,
  template   text        NOT NULL,
  subject    jsonb       NOT NULL,
  state      text,
  created_at timestamptz NOT NULL,
  read_at    timestamptz,
  UNIQUE (outbox_id, user_id)
);

CREATE INDEX notifications_user_idx ON docket.notifications (user_id, id DESC);
CREATE INDEX notifications_unread_idx ON docket.notifications (user_id) WHERE read_at IS NULL;

-- A user's channels: in-app is always on; mail may be turned off. No row: the defaults.
CREATE TABLE docket.notification_preferences (
  user_id    text        PRIMARY KEY,
  mail       boolean     NOT NULL DEFAULT true,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- The API lists the caller's notifications and marks them read, keeps preferences, reads the outbox
-- (admins); the worker's delivery loop claims and updates outbox rows (005 grants it that), adds
-- in-app rows, reads preferences and the users holding a role (not their tokens or names).
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'docket_app') THEN
    REVOKE ALL ON docket.notifications, docket.notification_preferences FROM docket_app;
    GRANT SELECT ON docket.notifications TO docket_app;
    GRANT UPDATE (read_at) ON docket.notifications TO docket_app;
    GRANT SELECT, INSERT, UPDATE ON docket.notification_preferences TO docket_app;
  END IF;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'docket_worker') THEN
    REVOKE ALL ON docket.notifications, docket.notification_preferences FROM docket_worker;
    GRANT USAGE ON SCHEMA docket TO docket_worker;
    GRANT SELECT, INSERT ON docket.notifications TO docket_worker;
    GRANT USAGE ON SEQUENCE docket.notifications_id_seq TO docket_worker;
    GRANT SELECT ON docket.notification_preferences TO docket_worker;
    GRANT SELECT (user_id, email, roles, status) ON docket.users TO docket_worker;
  END IF;
END;
$$;
