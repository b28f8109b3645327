ALTER TABLE "conversions" DROP CONSTRAINT "conversions_tenant_id_tenants_id_fk";
--> statement-breakpoint
ALTER TABLE "postings" DROP CONSTRAINT "postings_tenant_id_entry_id_journal_entries_tenant_id_id_fk";
--> statement-breakpoint
DROP INDEX "conversions_tenant_id_ip_hash_occurred_at_idx";--> statement-breakpoint
DROP INDEX "conversions_tenant_id_device_id_occurred_at_idx";--> statement-breakpoint
DROP INDEX "conversions_tenant_id_customer_ref_idx";--> statement-breakpoint
CREATE INDEX "conversions_tenant_id_ip_hash_occurred_at_idx" ON "conversions" USING btree ("tenant_id","ip_hash","occurred_at") WHERE ip_hash is not null;--> statement-breakpoint
CREATE INDEX "conversions_tenant_id_device_id_occurred_at_idx" ON "conversions" USING btree ("tenant_id","device_id","occurred_at") WHERE device_id is not null;--> statement-breakpoint
CREATE INDEX "conversions_tenant_id_customer_ref_idx" ON "conversions" USING btree ("tenant_id","customer_ref") WHERE customer_ref is not null;--> statement-breakpoint
-- The balance checks of 0010 as one query per statement instead of two per entry. Each entry
-- is still looked up by key: the per-entry parts sit in LATERAL subqueries with aggregates,
-- which the planner cannot flatten into a join, so a plan cached while the transition table
-- was large never turns into a scan of the whole ledger. A posting whose entry does not exist
-- (the foreign key dropped above used to refuse it) is refused here.
CREATE OR REPLACE FUNCTION check_new_entries_have_postings() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_id text;
BEGIN
  SELECT k.id INTO v_id
    FROM new_entries k
    CROSS JOIN LATERAL (
      SELECT count(*) AS legs FROM (
        SELECT 1 FROM postings p WHERE p.tenant_id = k.tenant_id AND p.entry_id = k.id LIMIT 1
      ) one
    ) s
    WHERE s.legs = 0
    LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'journal entry % is unbalanced: 0 posting(s)', v_id
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- Every entry that gained postings exists, has at least two, all in its currency, summing to 0.
CREATE OR REPLACE FUNCTION check_new_postings_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  bad record;
BEGIN
  SELECT k.entry_id, e.currency, s.legs, s.total, s.foreign_legs INTO bad
    FROM (SELECT DISTINCT tenant_id, entry_id FROM new_postings) k
    CROSS JOIN LATERAL (
      SELECT (SELECT j.currency FROM journal_entries j
                WHERE j.tenant_id = k.tenant_id AND j.id = k.entry_id) AS currency
    ) e
    CROSS JOIN LATERAL (
      SELECT count(*) AS legs, coalesce(sum(p.amount), 0) AS total,
             count(*) FILTER (WHERE p.currency IS DISTINCT FROM e.currency) AS foreign_legs
        FROM postings p WHERE p.tenant_id = k.tenant_id AND p.entry_id = k.entry_id
    ) s
    WHERE e.currency IS NULL OR s.legs < 2 OR s.total <> 0 OR s.foreign_legs > 0
    LIMIT 1;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  IF bad.currency IS NULL THEN
    RAISE EXCEPTION 'posting for unknown journal entry %', bad.entry_id
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  RAISE EXCEPTION 'journal entry % is unbalanced: % posting(s), sum %, % in another currency',
    bad.entry_id, bad.legs, bad.total, bad.foreign_legs
    USING ERRCODE = 'check_violation';
END;
$$;
