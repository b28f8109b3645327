CREATE TABLE "commissions" (
	"tenant_id" text NOT NULL,
	"id" text NOT NULL,
	"conversion_id" text NOT NULL,
	"beneficiary_id" text NOT NULL,
	"level" smallint NOT NULL,
	"amount" bigint NOT NULL,
	"currency" text NOT NULL,
	"clawed_back" bigint DEFAULT 0 NOT NULL,
	"status" text NOT NULL,
	"rule_id" text NOT NULL,
	"rule_set_id" text NOT NULL,
	"rule_set_version" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "commissions_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "commissions_amount_check" CHECK ("commissions"."amount" >= 0),
	CONSTRAINT "commissions_clawed_back_check" CHECK ("commissions"."clawed_back" between 0 and "commissions"."amount"),
	CONSTRAINT "commissions_level_check" CHECK ("commissions"."level" between 0 and 2)
);
--> statement-breakpoint
CREATE TABLE "conversions" (
	"tenant_id" text NOT NULL,
	"id" text NOT NULL,
	"order_id" text NOT NULL,
	"source" text NOT NULL,
	"status" text NOT NULL,
	"amount" bigint NOT NULL,
	"discount" bigint DEFAULT 0 NOT NULL,
	"currency" text NOT NULL,
	"refunded_amount" bigint DEFAULT 0 NOT NULL,
	"items" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"customer_ref" text,
	"device_id" text,
	"ip_hash" text,
	"user_agent" text,
	"click_id" text,
	"coupon_code" text,
	"campaign" text,
	"sub_id" text,
	"promoter_id" text,
	"link_id" text,
	"clicked_at" timestamp with time zone,
	"attribution_kind" text NOT NULL,
	"attribution_path" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"chain" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"customer_order_number" integer DEFAULT 1 NOT NULL,
	"fraud_score" smallint DEFAULT 0 NOT NULL,
	"fraud_reasons" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"rule_set_id" text,
	"rule_set_version" integer,
	"payment_ref" text,
	"subscription_ref" text,
	"payment_number" integer,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"reviewed_by" text,
	"reviewed_at" timestamp with time zone,
	"review_note" text,
	"occurred_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "conversions_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "conversions_amount_check" CHECK ("conversions"."amount" > 0),
	CONSTRAINT "conversions_discount_check" CHECK ("conversions"."discount" >= 0),
	CONSTRAINT "conversions_refunded_amount_check" CHECK ("conversions"."refunded_amount" between 0 and "conversions"."amount"),
	CONSTRAINT "conversions_fraud_score_check" CHECK ("conversions"."fraud_score" between 0 and 100)
);
--> statement-breakpoint
CREATE TABLE "coupons" (
	"tenant_id" text NOT NULL,
	"code" text NOT NULL,
	"promoter_id" text NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "coupons_tenant_id_code_pk" PRIMARY KEY("tenant_id","code"),
	CONSTRAINT "coupons_code_check" CHECK ("coupons"."code" ~ '^[A-Z0-9_-]{3,40}$')
);
--> statement-breakpoint
CREATE TABLE "customer_bindings" (
	"tenant_id" text NOT NULL,
	"customer_ref" text NOT NULL,
	"promoter_id" text NOT NULL,
	"source" text NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"bound_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "customer_bindings_tenant_id_customer_ref_pk" PRIMARY KEY("tenant_id","customer_ref")
);
--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"tenant_id" text NOT NULL,
	"principal_id" text NOT NULL,
	"key" text NOT NULL,
	"fingerprint" text NOT NULL,
	"status" smallint NOT NULL,
	"body" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "idempotency_keys_tenant_id_principal_id_key_pk" PRIMARY KEY("tenant_id","principal_id","key")
);
--> statement-breakpoint
CREATE TABLE "journal_entries" (
	"tenant_id" text NOT NULL,
	"id" text NOT NULL,
	"purpose" text NOT NULL,
	"source_type" text NOT NULL,
	"source_id" text NOT NULL,
	"currency" text NOT NULL,
	"conversion_id" text,
	"memo" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "journal_entries_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "postings" (
	"tenant_id" text NOT NULL,
	"entry_id" text NOT NULL,
	"seq" smallint NOT NULL,
	"account" text NOT NULL,
	"currency" text NOT NULL,
	"amount" bigint NOT NULL,
	CONSTRAINT "postings_tenant_id_entry_id_seq_pk" PRIMARY KEY("tenant_id","entry_id","seq"),
	CONSTRAINT "postings_amount_check" CHECK ("postings"."amount" <> 0)
);
--> statement-breakpoint
CREATE TABLE "refunds" (
	"tenant_id" text NOT NULL,
	"id" text NOT NULL,
	"conversion_id" text NOT NULL,
	"external_id" text NOT NULL,
	"amount" bigint NOT NULL,
	"currency" text NOT NULL,
	"clawback" bigint NOT NULL,
	"reason" text,
	"occurred_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "refunds_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "refunds_amount_check" CHECK ("refunds"."amount" > 0)
);
--> statement-breakpoint
CREATE TABLE "stripe_events" (
	"tenant_id" text NOT NULL,
	"id" text NOT NULL,
	"type" text NOT NULL,
	"livemode" boolean NOT NULL,
	"payment_ref" text,
	"payload" jsonb NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"created_at" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"processed_at" timestamp with time zone,
	CONSTRAINT "stripe_events_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "signing_secret" text;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "attribution_model" text DEFAULT 'last_click' NOT NULL;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "binding_days" integer DEFAULT 180 NOT NULL;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "bind_on" text DEFAULT 'first_conversion' NOT NULL;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "fraud_settings" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "stripe_webhook_secret" text;--> statement-breakpoint
ALTER TABLE "commissions" ADD CONSTRAINT "commissions_tenant_id_conversion_id_conversions_tenant_id_id_fk" FOREIGN KEY ("tenant_id","conversion_id") REFERENCES "public"."conversions"("tenant_id","id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conversions" ADD CONSTRAINT "conversions_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coupons" ADD CONSTRAINT "coupons_tenant_id_promoter_id_promoters_tenant_id_id_fk" FOREIGN KEY ("tenant_id","promoter_id") REFERENCES "public"."promoters"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "postings" ADD CONSTRAINT "postings_tenant_id_entry_id_journal_entries_tenant_id_id_fk" FOREIGN KEY ("tenant_id","entry_id") REFERENCES "public"."journal_entries"("tenant_id","id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "refunds" ADD CONSTRAINT "refunds_tenant_id_conversion_id_conversions_tenant_id_id_fk" FOREIGN KEY ("tenant_id","conversion_id") REFERENCES "public"."conversions"("tenant_id","id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "commissions_tenant_id_conversion_id_idx" ON "commissions" USING btree ("tenant_id","conversion_id");--> statement-breakpoint
CREATE INDEX "commissions_tenant_id_beneficiary_id_created_at_idx" ON "commissions" USING btree ("tenant_id","beneficiary_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "conversions_tenant_id_order_id_idx" ON "conversions" USING btree ("tenant_id","order_id");--> statement-breakpoint
CREATE UNIQUE INDEX "conversions_tenant_id_payment_ref_idx" ON "conversions" USING btree ("tenant_id","payment_ref") WHERE payment_ref is not null;--> statement-breakpoint
CREATE INDEX "conversions_tenant_id_promoter_id_occurred_at_idx" ON "conversions" USING btree ("tenant_id","promoter_id","occurred_at");--> statement-breakpoint
CREATE INDEX "conversions_tenant_id_occurred_at_idx" ON "conversions" USING btree ("tenant_id","occurred_at");--> statement-breakpoint
CREATE INDEX "conversions_tenant_id_ip_hash_occurred_at_idx" ON "conversions" USING btree ("tenant_id","ip_hash","occurred_at");--> statement-breakpoint
CREATE INDEX "conversions_tenant_id_device_id_occurred_at_idx" ON "conversions" USING btree ("tenant_id","device_id","occurred_at");--> statement-breakpoint
CREATE INDEX "conversions_tenant_id_customer_ref_idx" ON "conversions" USING btree ("tenant_id","customer_ref");--> statement-breakpoint
CREATE INDEX "conversions_tenant_id_status_id_idx" ON "conversions" USING btree ("tenant_id","status","id");--> statement-breakpoint
CREATE INDEX "customer_bindings_tenant_id_promoter_id_idx" ON "customer_bindings" USING btree ("tenant_id","promoter_id");--> statement-breakpoint
CREATE INDEX "idempotency_keys_created_at_idx" ON "idempotency_keys" USING btree ("created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "journal_entries_source_idx" ON "journal_entries" USING btree ("tenant_id","source_type","source_id","purpose");--> statement-breakpoint
CREATE INDEX "journal_entries_tenant_id_conversion_id_idx" ON "journal_entries" USING btree ("tenant_id","conversion_id");--> statement-breakpoint
CREATE INDEX "postings_tenant_id_account_currency_idx" ON "postings" USING btree ("tenant_id","account","currency");--> statement-breakpoint
CREATE UNIQUE INDEX "refunds_tenant_id_conversion_id_external_id_idx" ON "refunds" USING btree ("tenant_id","conversion_id","external_id");--> statement-breakpoint
CREATE INDEX "stripe_events_tenant_id_status_received_at_idx" ON "stripe_events" USING btree ("tenant_id","status","received_at");--> statement-breakpoint
CREATE INDEX "stripe_events_tenant_id_payment_ref_idx" ON "stripe_events" USING btree ("tenant_id","payment_ref");--> statement-breakpoint
ALTER TABLE "tenants" ADD CONSTRAINT "tenants_binding_days_check" CHECK ("tenants"."binding_days" between 1 and 3650);