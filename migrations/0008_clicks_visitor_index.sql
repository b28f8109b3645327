DROP INDEX "clicks_tenant_id_visitor_id_clicked_at_idx";--> statement-breakpoint
CREATE INDEX "clicks_visitor_id_clicked_at_idx" ON "clicks" USING btree ("visitor_id","clicked_at");