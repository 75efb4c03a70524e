-- The case library (形成案例): completed cases marked as typical, with a title, a summary and tags,
-- searched by text, tag and process, used in lessons and training (adapters/postgres/library-store.ts).
-- An entry is never removed: unmarking records who, when and why, and the entry leaves the library.
CREATE TABLE docket.case_library (
  entry_id      text        PRIMARY KEY,
  case_id       text        NOT NULL,
  process_id    text        NOT NULL,
  title         text        NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  summary       text        NOT NULL CHECK (length(summary) BETWEEN 1 AND 4000),
  tags          text[]      NOT NULL DEFAULT '{}' CHECK (cardinality(tags) <= 20),
  marked_by     text        NOT NULL,
  marked_as     text        NOT NULL,
  marked_at     timestamptz NOT NULL DEFAULT now(),
  unmarked_by   text,
  unmarked_as   text,
  unmarked_at   timestamptz,
  unmark_reason text,
  CHECK ((unmarked_at IS NULL) = (unmarked_by IS NULL))
);

-- A case is in the library at most once at a time.
CREATE UNIQUE INDEX case_library_live_case_idx ON docket.case_library (case_id) WHERE unmarked_at IS NULL;
CREATE INDEX case_library_tags_idx ON docket.case_library USING gin (tags);
CREATE INDEX case_library_listing_idx ON docket.case_library (marked_at DESC, entry_id DESC);

-- The API marks and unmarks (no removal); the worker has no business here.
SELECT docket.grant_to_login_roles('docket.case_library', 'SELECT, INSERT, UPDATE (unmarked_by, unmarked_as, unmarked_at, unmark_reason)', '');
