-- loses: price overrides, retention settings, hourly rollups, daily aggregates and the history of jobs and recomputes (the tables are dropped)
DROP TABLE recompute_runs;
DROP TABLE price_overrides;
DROP TABLE retention_state;
DROP TABLE job_state;
DROP TABLE job_leases;
DROP TABLE job_runs;
DROP TABLE daily_aggregate_days;
DROP TABLE llm_call_daily_aggregates;
DROP TABLE rollup_dirty_hours;
DROP TABLE llm_call_hourly_rollups;
DROP INDEX llm_calls_ingested_at;
