-- Back to 12 whole digits. A stored sum of 10^12 USD or more no longer fits: rather than fail on the
-- first one with a bare "numeric field overflow" (or round anything), the rollback stops, naming each
-- table that holds one and its largest such row, and changes nothing.
DO $$
DECLARE
  found text[] := ARRAY[]::text[];
  example text;
BEGIN
  SELECT format('llm_call_hourly_rollups (project %s, hour %s UTC, %s USD)', project_id, hour_utc AT TIME ZONE 'UTC', cost_usd)
    INTO example FROM llm_call_hourly_rollups WHERE cost_usd >= 1e12 ORDER BY cost_usd DESC LIMIT 1;
  IF example IS NOT NULL THEN found := found || example; END IF;
  SELECT format('llm_call_daily_aggregates (project %s, day %s, %s USD)', project_id, day, cost_usd)
    INTO example FROM llm_call_daily_aggregates WHERE cost_usd >= 1e12 ORDER BY cost_usd DESC LIMIT 1;
  IF example IS NOT NULL THEN found := found || example; END IF;
  SELECT format('daily_aggregate_days (project %s, day %s, %s USD)', project_id, day, greatest(abs(source_cost_usd), abs(aggregate_cost_usd)))
    INTO example FROM daily_aggregate_days WHERE abs(source_cost_usd) >= 1e12 OR abs(aggregate_cost_usd) >= 1e12
    ORDER BY greatest(abs(source_cost_usd), abs(aggregate_cost_usd)) DESC LIMIT 1;
  IF example IS NOT NULL THEN found := found || example; END IF;
  IF cardinality(found) > 0 THEN
    RAISE EXCEPTION 'Cannot roll back 0008_wide_cost_sums: numeric(24, 12) holds cost sums below 10^12 USD, and these tables store larger ones: %. Nothing was changed. Keep migration 0008 applied, or correct the prices behind those sums and re-price their calls with recompute (which rebuilds the rollups and aggregates of their hours and days), then roll back again.',
      array_to_string(found, '; ');
  END IF;
END $$;
ALTER TABLE daily_aggregate_days
  ALTER COLUMN source_cost_usd TYPE numeric(24, 12),
  ALTER COLUMN aggregate_cost_usd TYPE numeric(24, 12);
ALTER TABLE llm_call_daily_aggregates ALTER COLUMN cost_usd TYPE numeric(24, 12);
ALTER TABLE llm_call_hourly_rollups ALTER COLUMN cost_usd TYPE numeric(24, 12);
