CREATE TABLE "click_rollups" (
	"tenant_id" text NOT NULL,
	"link_id" text NOT NULL,
	"day" date NOT NULL,
	"promoter_id" text NOT NULL,
	"clicks" integer DEFAULT 0 NOT NULL,
	"unique_visitors" integer DEFAULT 0 NOT NULL,
	"bots" integer DEFAULT 0 NOT NULL,
	"suspicious" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "click_rollups_tenant_id_link_id_day_pk" PRIMARY KEY("tenant_id","link_id","day")
);
--> statement-breakpoint
CREATE TABLE "click_visitors" (
	"tenant_id" text NOT NULL,
	"link_id" text NOT NULL,
	"day" date NOT NULL,
	"visitor" text NOT NULL,
	CONSTRAINT "click_visitors_tenant_id_link_id_day_visitor_pk" PRIMARY KEY("tenant_id","link_id","day","visitor")
);
--> statement-breakpoint
CREATE TABLE "clicks" (
	"tenant_id" text NOT NULL,
	"clicked_at" timestamp with time zone NOT NULL,
	"id" text NOT NULL,
	"link_id" text NOT NULL,
	"promoter_id" text NOT NULL,
	"source" text NOT NULL,
	"visitor_id" text,
	"ip_hash" text,
	"user_agent" text,
	"referrer" text,
	"is_bot" boolean DEFAULT false NOT NULL,
	"is_suspicious" boolean DEFAULT false NOT NULL,
	CONSTRAINT "clicks_tenant_id_clicked_at_id_pk" PRIMARY KEY("tenant_id","clicked_at","id")
) PARTITION BY RANGE ("clicked_at");
--> statement-breakpoint
CREATE TABLE "links" (
	"tenant_id" text NOT NULL,
	"id" text NOT NULL,
	"code" text NOT NULL,
	"promoter_id" text NOT NULL,
	"destination" text NOT NULL,
	"campaign" text,
	"product" text,
	"sub_id" text,
	"utm" jsonb,
	"status" text DEFAULT 'active' NOT NULL,
	"expires_at" timestamp with time zone,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "links_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "rule_set_versions" (
	"tenant_id" text NOT NULL,
	"rule_set_id" text NOT NULL,
	"version" integer NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"content" jsonb NOT NULL,
	"content_hash" text,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"submitted_by" text,
	"submitted_at" timestamp with time zone,
	"approved_by" text,
	"approved_at" timestamp with time zone,
	"published_at" timestamp with time zone,
	"archived_at" timestamp with time zone,
	CONSTRAINT "rule_set_versions_tenant_id_rule_set_id_version_pk" PRIMARY KEY("tenant_id","rule_set_id","version")
);
--> statement-breakpoint
CREATE TABLE "rule_sets" (
	"tenant_id" text NOT NULL,
	"id" text NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "rule_sets_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "click_id_param" text DEFAULT 'tk_clk' NOT NULL;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "ip_salt" text DEFAULT replace(gen_random_uuid()::text, '-', '') NOT NULL;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "rounding_mode" text DEFAULT 'down' NOT NULL;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "max_commission_share_bps" integer DEFAULT 5000 NOT NULL;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "maker_checker" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "links" ADD CONSTRAINT "links_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "links" ADD CONSTRAINT "links_tenant_id_promoter_id_promoters_tenant_id_id_fk" FOREIGN KEY ("tenant_id","promoter_id") REFERENCES "public"."promoters"("tenant_id","id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rule_set_versions" ADD CONSTRAINT "rule_set_versions_tenant_id_rule_set_id_rule_sets_tenant_id_id_fk" FOREIGN KEY ("tenant_id","rule_set_id") REFERENCES "public"."rule_sets"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rule_sets" ADD CONSTRAINT "rule_sets_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "click_rollups_tenant_id_promoter_id_day_idx" ON "click_rollups" USING btree ("tenant_id","promoter_id","day");--> statement-breakpoint
CREATE INDEX "clicks_tenant_id_id_idx" ON "clicks" USING btree ("tenant_id","id");--> statement-breakpoint
CREATE INDEX "clicks_tenant_id_visitor_id_clicked_at_idx" ON "clicks" USING btree ("tenant_id","visitor_id","clicked_at");--> statement-breakpoint
CREATE UNIQUE INDEX "links_code_idx" ON "links" USING btree ("code");--> statement-breakpoint
CREATE INDEX "links_tenant_id_promoter_id_idx" ON "links" USING btree ("tenant_id","promoter_id");--> statement-breakpoint
CREATE UNIQUE INDEX "rule_set_versions_published_idx" ON "rule_set_versions" USING btree ("tenant_id","rule_set_id") WHERE status = 'published';--> statement-breakpoint
CREATE UNIQUE INDEX "rule_sets_tenant_id_name_idx" ON "rule_sets" USING btree ("tenant_id","name");--> statement-breakpoint
ALTER TABLE "tenants" ADD CONSTRAINT "tenants_max_commission_share_bps_check" CHECK ("tenants"."max_commission_share_bps" between 0 and 10000);--> statement-breakpoint
ALTER TABLE "tenants" ADD CONSTRAINT "tenants_click_id_param_check" CHECK ("tenants"."click_id_param" ~ '^[A-Za-z0-9_-]{1,32}$');--> statement-breakpoint
-- Clicks land in monthly partitions; the default partition catches any month not made yet, so
-- no click is ever refused for want of a partition.
CREATE TABLE "clicks_default" PARTITION OF "clicks" DEFAULT;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION ensure_click_partitions(first_month date, months integer)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  m date := date_trunc('month', first_month)::date;
  name text;
BEGIN
  FOR i IN 0 .. months - 1 LOOP
    name := 'clicks_' || to_char(m, 'YYYY_MM');
    IF to_regclass(name) IS NULL THEN
      EXECUTE format(
        'CREATE TABLE %I PARTITION OF clicks FOR VALUES FROM (%L) TO (%L)',
        name, m::timestamp AT TIME ZONE 'UTC', (m + interval '1 month')::timestamp AT TIME ZONE 'UTC'
      );
    END IF;
    m := (m + interval '1 month')::date;
  END LOOP;
END;
$$;
--> statement-breakpoint
-- A published or archived version is what commissions were computed with: its content is frozen.
CREATE OR REPLACE FUNCTION freeze_released_rule_set_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF OLD.status IN ('published', 'archived') THEN
      RAISE EXCEPTION 'rule set version %/% is %, it cannot be deleted', OLD.rule_set_id, OLD.version, OLD.status
        USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN OLD;
  END IF;
  IF OLD.status IN ('published', 'archived') AND (
    NEW.content IS DISTINCT FROM OLD.content OR NEW.content_hash IS DISTINCT FROM OLD.content_hash
    OR NEW.version IS DISTINCT FROM OLD.version OR NEW.rule_set_id IS DISTINCT FROM OLD.rule_set_id
  ) THEN
    RAISE EXCEPTION 'rule set version %/% is %, its content cannot change', OLD.rule_set_id, OLD.version, OLD.status
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF OLD.status = 'archived' AND NEW.status <> 'archived' THEN
    RAISE EXCEPTION 'rule set version %/% is archived', OLD.rule_set_id, OLD.version
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER rule_set_versions_frozen
  BEFORE UPDATE OR DELETE ON rule_set_versions
  FOR EACH ROW EXECUTE FUNCTION freeze_released_rule_set_version();
