-- A project's override can carry what the catalogue's entries carry: rates per service tier (batch at
-- half, a priority price, ...) and long-context tiers. Without them a batch call was billed at the
-- override's full price. Constant defaults (no tiers) add the columns without rewriting the table, and
-- keep every existing override billing as before.
ALTER TABLE price_overrides
  ADD COLUMN service_tiers jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(service_tiers) = 'object'),
  ADD COLUMN long_context jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(long_context) = 'array');
