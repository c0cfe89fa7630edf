-- Some responses carry no token counts (the Gemini API's embeddings): the SDK then estimates the
-- usage and says so. The flag is kept with the call so that a re-pricing (recompute) still marks the
-- cost `estimated` rather than `priced`. A constant default adds the column without rewriting the table.
ALTER TABLE llm_calls ADD COLUMN usage_estimated boolean NOT NULL DEFAULT false;
