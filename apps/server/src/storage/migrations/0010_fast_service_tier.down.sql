-- loses: the `fast` tier of calls, which become `priority` (their stored costs stay; a later recompute prices Anthropic calls at standard rates, OpenAI calls at priority rates)
-- Before this migration a call had no fast tier: such calls become `priority`, the nearest tier that
-- remains: a paid, faster one, and one Anthropic itself reports (`ultrafast` is an OpenAI mode). Their
-- stored costs stay as they were priced; a recompute after this rollback would bill them at standard
-- rates, as the catalogue has no Anthropic `priority` price.
UPDATE llm_calls SET service_tier = 'priority' WHERE service_tier = 'fast';
ALTER TABLE llm_calls DROP CONSTRAINT llm_calls_service_tier_check;
ALTER TABLE llm_calls ADD CONSTRAINT llm_calls_service_tier_check
  CHECK (service_tier IN ('standard', 'batch', 'flex', 'priority', 'ultrafast'));
