-- Hourly rollups, verified daily aggregates, job bookkeeping (runs, leases, state), retention marks,
-- project price overrides and recompute history.
-- Data tables carry project_id first in every key. The job tables (job_runs, job_leases, job_state) describe
-- the installation's own work, which spans projects, so they have no project_id.

-- The rollup refresh finds changed hours by ingest time; a btree on a monotonically growing column only
-- appends at its right edge, so ingest pays little for it.
CREATE INDEX llm_calls_ingested_at ON llm_calls (ingested_at);

CREATE TABLE llm_call_hourly_rollups (
  project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  hour_utc timestamptz NOT NULL CHECK (extract(epoch FROM hour_utc) % 3600 = 0),
  provider text NOT NULL,
  model text NOT NULL,
  feature text,
  status text NOT NULL,
  requests bigint NOT NULL CHECK (requests > 0),
  errors bigint NOT NULL CHECK (errors >= 0),
  priced_requests bigint NOT NULL CHECK (priced_requests >= 0),
  estimated_requests bigint NOT NULL CHECK (estimated_requests >= 0),
  unpriced_requests bigint NOT NULL CHECK (unpriced_requests >= 0),
  input_tokens bigint NOT NULL CHECK (input_tokens >= 0),
  output_tokens bigint NOT NULL CHECK (output_tokens >= 0),
  cache_read_input_tokens bigint NOT NULL CHECK (cache_read_input_tokens >= 0),
  cache_write_input_tokens bigint NOT NULL CHECK (cache_write_input_tokens >= 0),
  cache_write_1h_input_tokens bigint NOT NULL CHECK (cache_write_1h_input_tokens >= 0),
  reasoning_tokens bigint NOT NULL CHECK (reasoning_tokens >= 0),
  input_audio_tokens bigint NOT NULL CHECK (input_audio_tokens >= 0),
  output_audio_tokens bigint NOT NULL CHECK (output_audio_tokens >= 0),
  input_image_tokens bigint NOT NULL CHECK (input_image_tokens >= 0),
  output_image_tokens bigint NOT NULL CHECK (output_image_tokens >= 0),
  -- Sum of priced and estimated costs; unpriced calls are counted in unpriced_requests, never as $0.
  cost_usd numeric(24, 12) NOT NULL CHECK (cost_usd >= 0),
  latency_count bigint NOT NULL CHECK (latency_count >= 0),
  latency_sum_ms double precision NOT NULL CHECK (latency_sum_ms >= 0),
  -- Counts per fixed log-spaced latency bucket (bounds in latency-histogram.ts); summed to get p50/p95.
  latency_histogram integer[] NOT NULL,
  time_to_first_token_count bigint NOT NULL CHECK (time_to_first_token_count >= 0),
  time_to_first_token_sum_ms double precision NOT NULL CHECK (time_to_first_token_sum_ms >= 0),
  refreshed_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT llm_call_hourly_rollups_key UNIQUE NULLS NOT DISTINCT (project_id, hour_utc, provider, model, feature, status)
);

-- Hours whose rollup must be rebuilt from raw rows: written by recompute, backfill and the watermark scan;
-- drained by the rollup refresh. generation changes on every re-mark, so a mark made while its hour is
-- being refreshed survives the refresh.
CREATE TABLE rollup_dirty_hours (
  project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  hour_utc timestamptz NOT NULL CHECK (extract(epoch FROM hour_utc) % 3600 = 0),
  generation bigint NOT NULL DEFAULT 1,
  marked_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (project_id, hour_utc)
);

CREATE TABLE llm_call_daily_aggregates (
  project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  day date NOT NULL,
  provider text NOT NULL,
  model text NOT NULL,
  feature text,
  requests bigint NOT NULL CHECK (requests > 0),
  errors bigint NOT NULL CHECK (errors >= 0),
  priced_requests bigint NOT NULL CHECK (priced_requests >= 0),
  estimated_requests bigint NOT NULL CHECK (estimated_requests >= 0),
  unpriced_requests bigint NOT NULL CHECK (unpriced_requests >= 0),
  input_tokens bigint NOT NULL CHECK (input_tokens >= 0),
  output_tokens bigint NOT NULL CHECK (output_tokens >= 0),
  cache_read_input_tokens bigint NOT NULL CHECK (cache_read_input_tokens >= 0),
  cache_write_input_tokens bigint NOT NULL CHECK (cache_write_input_tokens >= 0),
  cache_write_1h_input_tokens bigint NOT NULL CHECK (cache_write_1h_input_tokens >= 0),
  reasoning_tokens bigint NOT NULL CHECK (reasoning_tokens >= 0),
  input_audio_tokens bigint NOT NULL CHECK (input_audio_tokens >= 0),
  output_audio_tokens bigint NOT NULL CHECK (output_audio_tokens >= 0),
  input_image_tokens bigint NOT NULL CHECK (input_image_tokens >= 0),
  output_image_tokens bigint NOT NULL CHECK (output_image_tokens >= 0),
  cost_usd numeric(24, 12) NOT NULL CHECK (cost_usd >= 0),
  latency_count bigint NOT NULL CHECK (latency_count >= 0),
  latency_sum_ms double precision NOT NULL CHECK (latency_sum_ms >= 0),
  CONSTRAINT llm_call_daily_aggregates_key UNIQUE NULLS NOT DISTINCT (project_id, day, provider, model, feature)
);

-- One row per aggregated (project, UTC day): the fingerprint of the raw rows it was built from, and whether
-- the stored aggregate summed to exactly the raw cost and request count when it was checked.
CREATE TABLE daily_aggregate_days (
  project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  day date NOT NULL,
  status text NOT NULL CHECK (status IN ('verified', 'unverified')),
  source_fingerprint text NOT NULL,
  source_requests bigint NOT NULL CHECK (source_requests >= 0),
  source_cost_usd numeric(24, 12) NOT NULL,
  aggregate_requests bigint NOT NULL CHECK (aggregate_requests >= 0),
  aggregate_cost_usd numeric(24, 12) NOT NULL,
  run_id uuid NOT NULL,
  computed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (project_id, day)
);

CREATE INDEX daily_aggregate_days_unverified ON daily_aggregate_days (day) WHERE status = 'unverified';

-- One row per job and date (or per job run without a date); run_id groups the rows of one trigger.
CREATE TABLE job_runs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  run_id uuid NOT NULL,
  job text NOT NULL CHECK (job ~ '^[a-z][a-z-]{0,63}$'),
  target_date date,
  trigger text NOT NULL CHECK (trigger IN ('schedule', 'startup', 'api', 'cli')),
  status text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'skipped')),
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  error text,
  processed bigint NOT NULL DEFAULT 0,
  stored bigint NOT NULL DEFAULT 0,
  skipped bigint NOT NULL DEFAULT 0,
  lock_wait_ms integer,
  details jsonb,
  started_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  duration_ms integer CHECK (duration_ms >= 0)
);

CREATE INDEX job_runs_job_date ON job_runs (job, target_date, started_at DESC);
CREATE INDEX job_runs_run ON job_runs (run_id);

-- Single-flight: a job runs only while its holder's lease is unexpired. A crashed holder stops renewing,
-- so its lease lapses and the next run takes it over.
CREATE TABLE job_leases (
  job text PRIMARY KEY,
  holder text NOT NULL,
  run_id uuid NOT NULL,
  acquired_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);

CREATE TABLE job_state (
  job text PRIMARY KEY,
  -- Rollup refresh: the newest ingested_at already turned into dirty-hour marks.
  watermark timestamptz,
  last_success_at timestamptz,
  last_failure_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Raw rows before raw_deleted_before were removed by retention: rollups and aggregates of earlier periods are
-- final and never rebuilt from what is left.
CREATE TABLE retention_state (
  project_id uuid PRIMARY KEY REFERENCES projects (id) ON DELETE CASCADE,
  raw_deleted_before timestamptz NOT NULL,
  last_run_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE price_overrides (
  project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  provider text NOT NULL CHECK (provider ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
  model text NOT NULL CHECK (length(model) BETWEEN 1 AND 256),
  effective_from timestamptz NOT NULL,
  -- USD per million tokens per bucket, as decimal strings (never JSON numbers, which are binary floats).
  prices jsonb NOT NULL CHECK (jsonb_typeof(prices) = 'object'),
  -- Optimistic concurrency: an edit names the version it read; a stale edit is refused.
  version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (project_id, id),
  CONSTRAINT price_overrides_effective UNIQUE (project_id, provider, model, effective_from)
);

CREATE TABLE recompute_runs (
  project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  run_id uuid NOT NULL,
  from_utc timestamptz NOT NULL,
  to_utc timestamptz NOT NULL,
  model text,
  dry_run boolean NOT NULL,
  status text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
  scanned bigint NOT NULL DEFAULT 0,
  changed bigint NOT NULL DEFAULT 0,
  -- Per provider and model: requests, costBeforeUsd, costAfterUsd, deltaUsd, newlyPriced (decimal strings).
  diff jsonb NOT NULL DEFAULT '[]'::jsonb,
  error text,
  started_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  PRIMARY KEY (project_id, id),
  CHECK (to_utc > from_utc)
);
