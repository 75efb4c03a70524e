-- Tokens: who issued and who revoked each one, and an optional expiry. The security
-- log also records what admins do (a user added, a token issued or revoked, a user
-- disabled or enabled): the acting admin in user_id, the user acted on in target_user,
-- the token in token_id. A row summing up a flood of failed authentications carries
-- how many it stands for in count.

ALTER TABLE docket.api_tokens
  ADD COLUMN issued_by  text,
  ADD COLUMN expires_at timestamptz,
  ADD COLUMN revoked_by text;

ALTER TABLE docket.security_log
  ADD COLUMN target_user text,
  ADD COLUMN token_id    text,
  ADD COLUMN count       integer CHECK (count IS NULL OR count > 0);

CREATE INDEX security_log_target_idx ON docket.security_log (target_user, at DESC) WHERE target_user IS NOT NULL;
