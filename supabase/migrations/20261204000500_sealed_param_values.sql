-- Params a service declares secret (writeOnly in its schema: a Discord or Slack webhook URL, the
-- header values of an HTTP request) are stored sealed (docs/architecture.md, "Secret params"):
-- `value` holds the param with each secret replaced by its redacted form `<secret:FINGERPRINT>`,
-- what the API, export and diff show; `sealed` holds the whole param as applied, JSON sealed by
-- the SecretBox (AES-256-GCM, the key of the credentials), opened only by the worker. A row
-- without a secret has no `sealed` value.
alter table area.area_action_param_values add column sealed text;
alter table area.area_reaction_param_values add column sealed text;
