CREATE INDEX "commissions_tenant_id_beneficiary_id_level_created_at_idx" ON "commissions" USING btree ("tenant_id","beneficiary_id","level","created_at");--> statement-breakpoint
DROP INDEX "commissions_tenant_id_beneficiary_id_created_at_idx";
