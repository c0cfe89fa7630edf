-- One call may cost up to 999,999,999.999999999999 USD (ingest refuses more: fits-stored-cost.ts), and
-- numeric(24, 12) holds 12 whole digits: 1,001 such calls in one group of an hour or a day overflowed
-- their sum, and every later rollup refresh and that day's aggregation failed with "numeric field
-- overflow". 26 whole digits hold the sum of 10^17 calls at the largest cost. Raising the precision at
-- the same scale changes no stored value, and PostgreSQL does it without rewriting the tables.
ALTER TABLE llm_call_hourly_rollups ALTER COLUMN cost_usd TYPE numeric(38, 12);
ALTER TABLE llm_call_daily_aggregates ALTER COLUMN cost_usd TYPE numeric(38, 12);
ALTER TABLE daily_aggregate_days
  ALTER COLUMN source_cost_usd TYPE numeric(38, 12),
  ALTER COLUMN aggregate_cost_usd TYPE numeric(38, 12);
