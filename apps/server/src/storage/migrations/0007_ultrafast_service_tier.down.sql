-- loses: the `ultrafast` tier of calls, which become `priority` (their stored costs stay; a later recompute prices them as `priority`)
-- Before this migration a call had no Ultrafast tier: such calls become `priority`, the nearest tier
-- that remains (a paid, faster one). Their stored costs stay as they were priced.
UPDATE llm_calls SET service_tier = 'priority' WHERE service_tier = 'ultrafast';
ALTER TABLE llm_calls DROP CONSTRAINT llm_calls_service_tier_check;
ALTER TABLE llm_calls ADD CONSTRAINT llm_calls_service_tier_check
  CHECK (service_tier IN ('standard', 'batch', 'flex', 'priority'));
