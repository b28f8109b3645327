-- Balance is checked once per statement and entry, where 0006 checked it once per row (every
-- posting and every entry ran two queries: eighteen for a typical conversion's three entries
-- and six postings). Now a statement that writes entries checks that each has postings, and a
-- statement that writes postings checks the balance of each entry it touched: six lookups by
-- primary key for that conversion. An entry and its postings are therefore written by one
-- statement (entryInserts does); an unbalanced entry is refused then, before any commit.
-- Each check is a lookup by key in a loop, not one set query: a cached generic plan of a join
-- against a transition table can turn into a scan of the whole ledger.
DROP TRIGGER journal_entries_balanced ON journal_entries;
--> statement-breakpoint
DROP TRIGGER postings_balanced ON postings;
--> statement-breakpoint
DROP FUNCTION check_entry_balanced();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION check_new_entries_have_postings() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  k record;
BEGIN
  FOR k IN SELECT tenant_id, id FROM new_entries LOOP
    PERFORM 1 FROM postings p WHERE p.tenant_id = k.tenant_id AND p.entry_id = k.id;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'journal entry % is unbalanced: 0 posting(s)', k.id
        USING ERRCODE = 'check_violation';
    END IF;
  END LOOP;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- Every entry that gained postings: at least two, all in the entry's currency, summing to 0.
CREATE OR REPLACE FUNCTION check_new_postings_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  k record;
  v_currency text;
  v_legs integer;
  v_total numeric;
  v_foreign integer;
BEGIN
  FOR k IN SELECT DISTINCT tenant_id, entry_id FROM new_postings LOOP
    SELECT e.currency INTO v_currency
      FROM journal_entries e WHERE e.tenant_id = k.tenant_id AND e.id = k.entry_id;
    SELECT count(*), coalesce(sum(p.amount), 0),
           count(*) FILTER (WHERE p.currency IS DISTINCT FROM v_currency)
      INTO v_legs, v_total, v_foreign
      FROM postings p WHERE p.tenant_id = k.tenant_id AND p.entry_id = k.entry_id;
    IF v_legs < 2 OR v_total <> 0 OR v_foreign > 0 THEN
      RAISE EXCEPTION 'journal entry % is unbalanced: % posting(s), sum %, % in another currency',
        k.entry_id, v_legs, v_total, v_foreign
        USING ERRCODE = 'check_violation';
    END IF;
  END LOOP;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER journal_entries_balanced
  AFTER INSERT ON journal_entries
  REFERENCING NEW TABLE AS new_entries
  FOR EACH STATEMENT EXECUTE FUNCTION check_new_entries_have_postings();
--> statement-breakpoint
CREATE TRIGGER postings_balanced
  AFTER INSERT ON postings
  REFERENCING NEW TABLE AS new_postings
  FOR EACH STATEMENT EXECUTE FUNCTION check_new_postings_balanced();
