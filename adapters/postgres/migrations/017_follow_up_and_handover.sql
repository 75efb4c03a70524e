-- Follow-up plans and handovers (adapters/postgres/handover-store.ts, client/follow-ups.ts).
--
-- A grade may be removed: its change is recorded with no new grade (to_grade NULL). Removing the
-- intention grade ends the customer's follow-up plan.
ALTER TABLE docket.customer_grade_changes ALTER COLUMN to_grade DROP NOT NULL;

-- A handover of a leaving rep's customers to another rep: who asked, when, from whom to whom, which
-- customers (those it moved; `requested` the ids asked for, NULL for all of the leaving rep's). Never
-- changed. `request_key` is a hash of who asked and their Idempotency-Key: asking again answers with it.
CREATE TABLE docket.customer_handovers (
  id          bigserial   PRIMARY KEY,
  from_user   text        NOT NULL,
  to_user     text        NOT NULL CHECK (to_user <> from_user),
  customers   text[]      NOT NULL,
  requested   text[],
  reason      text        CHECK (reason IS NULL OR length(reason) BETWEEN 1 AND 2000),
  request_key text        UNIQUE,
  by_user     text        NOT NULL,
  by_role     text        NOT NULL,
  at          timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX customer_handovers_users_idx ON docket.customer_handovers (from_user, to_user);
SELECT docket.make_append_only('customer_handovers');

-- Each customer a handover moved: its owner before, and what moved with it — the cases whose tasks
-- were reassigned and the follow-up plan (`moved`, written once the cases are told: `status` done).
-- A handover interrupted before its cases were told stays pending, and is finished by the next
-- handover between the same reps or by the API's start.
CREATE TABLE docket.customer_handover_items (
  handover_id    bigint      NOT NULL REFERENCES docket.customer_handovers (id),
  customer_id    text        NOT NULL REFERENCES docket.customers (customer_id),
  previous_owner text,
  status         text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done')),
  moved          jsonb       NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(moved) = 'array'),
  done_at        timestamptz,
  PRIMARY KEY (handover_id, customer_id)
);

CREATE INDEX customer_handover_items_customer_idx ON docket.customer_handover_items (customer_id);
CREATE INDEX customer_handover_items_pending_idx ON docket.customer_handover_items (handover_id) WHERE status = 'pending';

-- The API records handovers and finishes their items; the worker reads nothing of them.
SELECT docket.grant_to_login_roles('docket.customer_handovers', 'SELECT, INSERT', '');
SELECT docket.grant_to_login_roles('docket.customer_handover_items', 'SELECT, INSERT, UPDATE (status, moved, done_at)', '');
SELECT docket.grant_to_login_roles('SEQUENCE docket.customer_handovers_id_seq', 'USAGE', '');
