-- Projects, API keys, LLM calls (the cost records), conversations, messages and observability events.
-- Every table carries project_id and every key starts with it, so the schema can be distributed by project.

CREATE TABLE projects (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL UNIQUE CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$'),
  retention_days integer NOT NULL DEFAULT 400 CHECK (retention_days BETWEEN 1 AND 3650),
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_keys (
  project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  name text NOT NULL DEFAULT '' CHECK (length(name) <= 200),
  -- The first characters of the key, shown in listings so a person can tell keys apart.
  key_prefix text NOT NULL,
  -- SHA-256 of the whole key; the key itself is printed once and never stored.
  key_hash text NOT NULL UNIQUE,
  scopes text[] NOT NULL CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['ingest', 'read', 'admin']),
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz,
  PRIMARY KEY (project_id, id)
);

CREATE TABLE conversations (
  project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  id text NOT NULL,
  user_id text,
  feature text,
  first_seen_at timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL,
  PRIMARY KEY (project_id, id),
  CHECK (last_seen_at >= first_seen_at)
);

CREATE TABLE messages (
  project_id uuid NOT NULL,
  conversation_id text NOT NULL,
  id text NOT NULL,
  first_seen_at timestamptz NOT NULL,
  PRIMARY KEY (project_id, conversation_id, id),
  FOREIGN KEY (project_id, conversation_id) REFERENCES conversations (project_id, id) ON DELETE CASCADE
);

CREATE TABLE llm_calls (
  project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  id bigint GENERATED ALWAYS AS IDENTITY,
  -- Time is in the primary key so the table can be range-partitioned by time without a redesign.
  timestamp timestamptz NOT NULL,
  ingested_at timestamptz NOT NULL DEFAULT now(),
  idempotency_key text,
  provider text NOT NULL,
  model text NOT NULL,
  requested_model text,
  feature text,
  conversation_id text,
  message_id text,
  user_id text,
  trace_id text,
  span_id text,
  parent_span_id text,
  input_tokens integer NOT NULL CHECK (input_tokens >= 0),
  output_tokens integer NOT NULL CHECK (output_tokens >= 0),
  cache_read_input_tokens integer NOT NULL DEFAULT 0 CHECK (cache_read_input_tokens >= 0),
  cache_write_input_tokens integer NOT NULL DEFAULT 0 CHECK (cache_write_input_tokens >= 0),
  cache_write_1h_input_tokens integer NOT NULL DEFAULT 0 CHECK (cache_write_1h_input_tokens >= 0),
  reasoning_tokens integer NOT NULL DEFAULT 0 CHECK (reasoning_tokens >= 0),
  input_audio_tokens integer NOT NULL DEFAULT 0 CHECK (input_audio_tokens >= 0),
  output_audio_tokens integer NOT NULL DEFAULT 0 CHECK (output_audio_tokens >= 0),
  input_image_tokens integer NOT NULL DEFAULT 0 CHECK (input_image_tokens >= 0),
  output_image_tokens integer NOT NULL DEFAULT 0 CHECK (output_image_tokens >= 0),
  latency_ms double precision CHECK (latency_ms >= 0),
  time_to_first_token_ms double precision CHECK (time_to_first_token_ms >= 0),
  status text NOT NULL CHECK (status IN ('success', 'error', 'incomplete')),
  error_type text,
  error_code text,
  error_http_status smallint,
  error_message text,
  retry_count smallint NOT NULL DEFAULT 0 CHECK (retry_count >= 0),
  streaming boolean NOT NULL DEFAULT false,
  service_tier text NOT NULL DEFAULT 'standard' CHECK (service_tier IN ('standard', 'batch', 'flex', 'priority')),
  tags jsonb,
  metadata jsonb,
  prompt_text text,
  prompt_hash text,
  -- 12 fractional digits: a 1-token call of a $0.075/M model is $0.000000075.
  cost_usd numeric(24, 12) CHECK (cost_usd >= 0),
  cost_status text NOT NULL CHECK (cost_status IN ('priced', 'estimated', 'unpriced')),
  cost_breakdown jsonb,
  price_entry_id text,
  price_source text CHECK (price_source IN ('override', 'catalogue', 'genai-prices')),
  PRIMARY KEY (project_id, timestamp, id),
  -- An unpriced call has no cost, never a silent $0; a priced one always has one.
  CHECK ((cost_status = 'unpriced') = (cost_usd IS NULL)),
  CHECK (cache_read_input_tokens + cache_write_input_tokens + cache_write_1h_input_tokens <= input_tokens),
  CHECK (reasoning_tokens <= output_tokens),
  -- A deleted conversation leaves its calls and their cost, detached.
  FOREIGN KEY (project_id, conversation_id) REFERENCES conversations (project_id, id) ON DELETE SET NULL (conversation_id)
);

CREATE UNIQUE INDEX llm_calls_idempotency_key ON llm_calls (project_id, idempotency_key);
CREATE INDEX llm_calls_provider_time ON llm_calls (project_id, provider, timestamp);
CREATE INDEX llm_calls_model_time ON llm_calls (project_id, model, timestamp);
CREATE INDEX llm_calls_feature_time ON llm_calls (project_id, feature, timestamp) WHERE feature IS NOT NULL;
CREATE INDEX llm_calls_conversation ON llm_calls (project_id, conversation_id, timestamp) WHERE conversation_id IS NOT NULL;

CREATE TABLE observability_events (
  project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  id bigint GENERATED ALWAYS AS IDENTITY,
  timestamp timestamptz NOT NULL,
  event_type text NOT NULL CHECK (length(event_type) BETWEEN 1 AND 100),
  correlation_id text,
  conversation_id text,
  payload jsonb NOT NULL DEFAULT '{}'::jsonb,
  PRIMARY KEY (project_id, timestamp, id),
  FOREIGN KEY (project_id, conversation_id) REFERENCES conversations (project_id, id) ON DELETE CASCADE
);

CREATE INDEX observability_events_conversation_type ON observability_events (project_id, conversation_id, event_type)
  WHERE conversation_id IS NOT NULL;
CREATE INDEX observability_events_correlation ON observability_events (project_id, correlation_id)
  WHERE correlation_id IS NOT NULL;
CREATE INDEX observability_events_time ON observability_events (project_id, timestamp);
