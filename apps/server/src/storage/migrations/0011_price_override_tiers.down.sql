-- loses: the service-tier and long-context rates of price overrides, which then bill every call at their base prices (stored costs stay until a recompute)
-- Calls already priced keep their costs; a recompute after this rollback bills a batch or long-prompt
-- call of such an override at its base prices, as before the overrides could carry tiers.
ALTER TABLE price_overrides DROP COLUMN long_context, DROP COLUMN service_tiers;
