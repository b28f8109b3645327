-- The ledger is evidence: entries and postings are written once and never changed or removed;
-- a correction is a new entry. refuse_change() comes from 0001.
CREATE TRIGGER journal_entries_append_only
  BEFORE UPDATE OR DELETE ON journal_entries
  FOR EACH ROW EXECUTE FUNCTION refuse_change();
--> statement-breakpoint
CREATE TRIGGER journal_entries_no_truncate
  BEFORE TRUNCATE ON journal_entries
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
--> statement-breakpoint
CREATE TRIGGER postings_append_only
  BEFORE UPDATE OR DELETE ON postings
  FOR EACH ROW EXECUTE FUNCTION refuse_change();
--> statement-breakpoint
CREATE TRIGGER postings_no_truncate
  BEFORE TRUNCATE ON postings
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
--> statement-breakpoint
-- At commit, every entry that gained postings (or was written) must have at least two
-- postings, all in the entry's currency, summing to zero. Checked once per entry and
-- transaction, deferred so the postings of one entry can be inserted in any order.
CREATE OR REPLACE FUNCTION check_entry_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_tenant text := NEW.tenant_id;
  v_entry text;
  v_currency text;
  v_legs integer;
  v_total numeric;
  v_foreign integer;
BEGIN
  IF TG_TABLE_NAME = 'journal_entries' THEN
    v_entry := NEW.id;
  ELSE
    v_entry := NEW.entry_id;
  END IF;
  SELECT e.currency INTO v_currency
    FROM journal_entries e WHERE e.tenant_id = v_tenant AND e.id = v_entry;
  SELECT count(*), coalesce(sum(p.amount), 0),
         count(*) FILTER (WHERE p.currency IS DISTINCT FROM v_currency)
    INTO v_legs, v_total, v_foreign
    FROM postings p WHERE p.tenant_id = v_tenant AND p.entry_id = v_entry;
  IF v_legs < 2 OR v_total <> 0 OR v_foreign > 0 THEN
    RAISE EXCEPTION 'journal entry % is unbalanced: % posting(s), sum %, % in another currency',
      v_entry, v_legs, v_total, v_foreign
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER journal_entries_balanced
  AFTER INSERT ON journal_entries
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION check_entry_balanced();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER postings_balanced
  AFTER INSERT ON postings
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION check_entry_balanced();
