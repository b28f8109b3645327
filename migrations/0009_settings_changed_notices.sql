-- Every process caches a few settings read on each API call (a tenant's row, its API keys, its
-- published rule sets). A change to any of them, by any path (the API, a script, psql), is
-- announced on one channel as 'table:tenant id'; Postgres delivers it at commit, so no cache
-- is dropped before the new state is readable.
CREATE OR REPLACE FUNCTION notify_settings_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  row_json jsonb := to_jsonb(CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END);
BEGIN
  PERFORM pg_notify('tuike_settings_changed', TG_TABLE_NAME || ':' || (row_json ->> TG_ARGV[0]));
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER tenants_settings_changed
  AFTER INSERT OR UPDATE OR DELETE ON tenants
  FOR EACH ROW EXECUTE FUNCTION notify_settings_changed('id');
--> statement-breakpoint
CREATE TRIGGER api_keys_settings_changed
  AFTER INSERT OR UPDATE OR DELETE ON api_keys
  FOR EACH ROW EXECUTE FUNCTION notify_settings_changed('tenant_id');
--> statement-breakpoint
CREATE TRIGGER rule_set_versions_settings_changed
  AFTER INSERT OR UPDATE OR DELETE ON rule_set_versions
  FOR EACH ROW EXECUTE FUNCTION notify_settings_changed('tenant_id');
