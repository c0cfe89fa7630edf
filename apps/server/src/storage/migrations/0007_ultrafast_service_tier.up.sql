-- OpenAI's Ultrafast mode (`service_tier: "ultrafast"`) bills a multiple of the standard rate (6x on
-- GPT-6 Astra). Stored as `standard` it would be priced at a sixth of its cost, so calls now keep it
-- as their own tier. Every stored row already passes the wider check, so it is added without a scan.
ALTER TABLE llm_calls DROP CONSTRAINT llm_calls_service_tier_check;
ALTER TABLE llm_calls ADD CONSTRAINT llm_calls_service_tier_check
  CHECK (service_tier IN ('standard', 'batch', 'flex', 'priority', 'ultrafast')) NOT VALID;
