-- loses: which calls had estimated usage (`usageEstimated`); their stored cost status stays, but a later recompute marks such calls `priced`
-- Calls with estimated usage keep their cost and their `estimated` cost status; only the flag goes,
-- so a recompute after this rollback would mark their catalogue prices `priced`.
ALTER TABLE llm_calls DROP COLUMN usage_estimated;
