-- The roles that may act on a case now, its guards decided on its data (engine/actionable-roles.ts):
-- the workflow records them with every transition, and the inbox's `actionable` view (and the
-- `claimable` view of definitions without tasks) reads them here (adapters/postgres/case-query.ts).
-- NULL on rows written before: for those the views go by the states where a role has an event, as
-- before, until the case's next transition writes the column. No backfill: deciding the guards
-- needs the definition, which SQL cannot read.
-- Table-level grants of migration 005 cover the new column.

ALTER TABLE docket.cases ADD COLUMN actionable_roles text[];

CREATE INDEX cases_actionable_roles_idx ON docket.cases USING gin (actionable_roles);
-- The rows still to be recorded, by (version, state): the fallback of the views, small once cases move on.
CREATE INDEX cases_unrecorded_roles_idx ON docket.cases (definition_hash, state) WHERE actionable_roles IS NULL;
