-- Auditors' sampling (不定期抽样复核) and annotations on cases (audit/annotations.ts,
-- adapters/postgres/audit-store.ts, adapters/postgres/annotation-store.ts).

-- A draw: its parameters, how many completed cases it drew from (per rep), and who drew it when.
-- The same parameters and seed over the same completed cases give the same cases.
CREATE TABLE docket.audit_samples (
  sample_id         text        PRIMARY KEY,
  process_id        text        NOT NULL,
  period_from       timestamptz NOT NULL,
  period_to         timestamptz NOT NULL CHECK (period_to > period_from),
  -- The reps asked for; empty: every rep with completed cases in the period.
  reps              text[]      NOT NULL DEFAULT '{}',
  size              integer     CHECK (size > 0),
  percent           numeric     CHECK (percent > 0 AND percent <= 100),
  seed              text        NOT NULL CHECK (length(seed) BETWEEN 1 AND 200),
  algorithm         text        NOT NULL,
  -- {rep: completed cases in the period}
  population        jsonb       NOT NULL,
  drawn_by          text        NOT NULL,
  drawn_as          text        NOT NULL,
  drawn_at          timestamptz NOT NULL DEFAULT now(),
  CHECK ((size IS NULL) <> (percent IS NULL))
);

CREATE INDEX audit_samples_drawn_idx ON docket.audit_samples (drawn_at DESC, sample_id);

-- The cases a draw picked, per rep, in the order of their draw keys.
CREATE TABLE docket.audit_sample_cases (
  sample_id text    NOT NULL REFERENCES docket.audit_samples (sample_id),
  case_id   text    NOT NULL,
  rep       text    NOT NULL,
  rank      integer NOT NULL CHECK (rank >= 0),
  draw_key  text    NOT NULL,
  PRIMARY KEY (sample_id, case_id)
);

-- Annotations on a case: an auditor's note, or the review of a sampled case against the process's
-- checklist. A chain of their own per case, anchored on the case's transition log (the first row
-- follows the hash of the transition it was made after), each row signed by the worker's audit key
-- like the transitions: only a worker writes them.
CREATE TABLE docket.case_annotations (
  case_id     text        NOT NULL,
  seq         integer     NOT NULL CHECK (seq >= 0),
  kind        text        NOT NULL CHECK (kind IN ('note', 'review')),
  sample_id   text,
  body        jsonb       NOT NULL,
  author_user text        NOT NULL,
  author_role text        NOT NULL,
  -- The user told about it (the case's rep), if any.
  rep         text,
  -- The last transition of the case when it was made, and that transition's hash.
  case_seq    integer     NOT NULL,
  case_hash   text        NOT NULL,
  at          timestamptz NOT NULL,
  request_id  text,
  prev_hash   text        NOT NULL,
  hash        text        NOT NULL,
  key_id      text,
  signature   text,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (case_id, seq),
  CHECK ((kind = 'review') = (sample_id IS NOT NULL))
);

CREATE INDEX case_annotations_sample_idx ON docket.case_annotations (sample_id, case_id, seq) WHERE sample_id IS NOT NULL;
CREATE UNIQUE INDEX case_annotations_request_idx ON docket.case_annotations (case_id, request_id) WHERE request_id IS NOT NULL;

-- How many annotations a case has (the projection's count, like last_seq for its transitions):
-- a verification catches annotations removed at the end.
ALTER TABLE docket.cases ADD COLUMN annotations integer NOT NULL DEFAULT 0 CHECK (annotations >= 0);

SELECT docket.make_append_only('audit_samples');
SELECT docket.make_append_only('audit_sample_cases');
SELECT docket.make_append_only('case_annotations');

-- The API draws samples (it writes the draws) and reads annotations; only the worker appends
-- annotations (it holds the signing key), reading the transitions they follow.
SELECT docket.grant_to_login_roles('docket.audit_samples, docket.audit_sample_cases', 'SELECT, INSERT', 'SELECT');
SELECT docket.grant_to_login_roles('docket.case_annotations', 'SELECT', 'SELECT, INSERT');
