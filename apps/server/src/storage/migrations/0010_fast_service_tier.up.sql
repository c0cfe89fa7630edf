-- Anthropic's fast mode (`speed: "fast"`) bills a multiple of the standard rates on every bucket (6x on
-- Claude Opus 4.6 and 4.7, 2x on later models). Stored as `standard` it would be priced at a sixth to a
-- half of its cost, so calls now keep it as their own tier. Every stored row already passes the wider
-- check, so it is added without a scan.
ALTER TABLE llm_calls DROP CONSTRAINT llm_calls_service_tier_check;
ALTER TABLE llm_calls ADD CONSTRAINT llm_calls_service_tier_check
  CHECK (service_tier IN ('standard', 'batch', 'flex', 'priority', 'ultrafast', 'fast')) NOT VALID;
