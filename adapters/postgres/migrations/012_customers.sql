-- Customer records, their grade history and their contact log (adapters/postgres/customer-store.ts).
-- A case names its customer by id (docket.cases.customer_id); a record of that id is the customer's
-- file. Names, contact persons, phones and e-mails are personal data: they live here only, never in
-- workflow ids, search attributes or logs.
CREATE TABLE docket.customers (
  customer_id     text        PRIMARY KEY CHECK (customer_id ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
  name            text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  -- [{name, position, phone, email, wechat}]
  contacts        jsonb       NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(contacts) = 'array'),
  industry        text,
  size            text,
  business_scope  text,
  need_type       text,
  owner_id        text,
  value_grade     text        CHECK (value_grade IN ('high', 'medium', 'low')),
  intention_grade text        CHECK (intention_grade IN ('A', 'B', 'C')),
  -- 'entered' by staff, or 'imported' from the ids open cases named (`docket customer import-from-cases`).
  origin          text        NOT NULL DEFAULT 'entered' CHECK (origin IN ('entered', 'imported')),
  created_at      timestamptz NOT NULL DEFAULT now(),
  created_by      text        NOT NULL,
  updated_at      timestamptz NOT NULL DEFAULT now(),
  updated_by      text        NOT NULL
);

CREATE INDEX customers_page_idx  ON docket.customers (created_at DESC, customer_id DESC);
CREATE INDEX customers_owner_idx ON docket.customers (owner_id);
CREATE INDEX customers_name_idx  ON docket.customers (lower(name) text_pattern_ops);

-- Who changed a grade, when, from what to what and why: one row per change, never changed.
CREATE TABLE docket.customer_grade_changes (
  id          bigserial   PRIMARY KEY,
  customer_id text        NOT NULL REFERENCES docket.customers (customer_id),
  grade       text        NOT NULL CHECK (grade IN ('value', 'intention')),
  from_grade  text,
  to_grade    text        NOT NULL,
  reason      text        NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
  changed_by  text        NOT NULL,
  changed_as  text        NOT NULL,
  at          timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX customer_grade_changes_customer_idx ON docket.customer_grade_changes (customer_id, id DESC);

-- Calls, e-mails, messages and visits, in and out (电话联系登记表): one row per contact, never changed.
CREATE TABLE docket.customer_contacts (
  id          bigserial   PRIMARY KEY,
  customer_id text        NOT NULL REFERENCES docket.customers (customer_id),
  channel     text        NOT NULL CHECK (channel IN ('phone', 'email', 'message', 'visit')),
  direction   text        NOT NULL CHECK (direction IN ('in', 'out')),
  summary     text        NOT NULL CHECK (length(summary) BETWEEN 1 AND 4000),
  at          timestamptz NOT NULL,
  by_user     text        NOT NULL,
  by_role     text        NOT NULL,
  case_id     text,
  recorded_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX customer_contacts_customer_idx ON docket.customer_contacts (customer_id, at DESC, id DESC);

-- Makes a table append-only: UPDATE, DELETE and TRUNCATE are refused with SQLSTATE DKT01 (by
-- docket.refuse_audit_change, migration 006). Later migrations use it for their logs.
CREATE FUNCTION docket.make_append_only(tbl text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE OR DELETE ON docket.%I FOR EACH ROW EXECUTE FUNCTION docket.refuse_audit_change()',
                 tbl || '_no_update_delete', tbl);
  EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON docket.%I FOR EACH STATEMENT EXECUTE FUNCTION docket.refuse_audit_change()',
                 tbl || '_no_truncate', tbl);
END;
$$;

-- Both histories are append-only.
SELECT docket.make_append_only('customer_grade_changes');
SELECT docket.make_append_only('customer_contacts');

-- The API keeps the records (no removal) and appends to both histories. The worker reads who owns a
-- customer and its grades, never the personal fields.
SELECT docket.grant_to_login_roles('docket.customers', 'SELECT, INSERT, UPDATE', 'SELECT (customer_id, owner_id, value_grade, intention_grade)');
SELECT docket.grant_to_login_roles('docket.customer_grade_changes, docket.customer_contacts', 'SELECT, INSERT', '');
SELECT docket.grant_to_login_roles('SEQUENCE docket.customer_grade_changes_id_seq, docket.customer_contacts_id_seq', 'USAGE', '');
