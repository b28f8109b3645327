ALTER TABLE "promoters" ADD COLUMN "wechat_openid" text;--> statement-breakpoint
ALTER TABLE "promoters" ADD COLUMN "wechat_unionid" text;--> statement-breakpoint
CREATE UNIQUE INDEX "promoters_tenant_id_wechat_openid_idx" ON "promoters" USING btree ("tenant_id","wechat_openid");