import { MigrationInterface, QueryRunner } from "typeorm";

export class WebhooksAndCitations1795956395115 implements MigrationInterface {
    name = 'WebhooksAndCitations1795956395115'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "citations" ("id" uuid NOT NULL, "citing_identifier" text NOT NULL, "citing_scheme" text NOT NULL, "cited_identifier" text NOT NULL, "cited_scheme" text NOT NULL, "relation" text NOT NULL, "occurred_at" TIMESTAMP WITH TIME ZONE, "source" text NOT NULL, "format" text NOT NULL, "external_id" text, "cited_dataset_id" uuid, "citing_publication_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "ledger_seq" bigint NOT NULL, CONSTRAINT "PK_3ac0e933616c270f79f04cfc9fc" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "citations_cited_dataset_idx" ON "citations"  ("cited_dataset_id") `);
        await queryRunner.query(`CREATE UNIQUE INDEX "citations_link_key" ON "citations"  ("citing_identifier", "cited_identifier", "relation") `);
        await queryRunner.query(`CREATE TABLE "webhook_subscriptions" ("id" uuid NOT NULL, "owner_id" uuid, "url" text NOT NULL, "events" text array NOT NULL, "scope" text NOT NULL, "secret" text NOT NULL, "active" boolean NOT NULL DEFAULT true, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "deactivated_at" TIMESTAMP WITH TIME ZONE, "ledger_seq" bigint NOT NULL, CONSTRAINT "PK_bf631ae77d39849d599817fb6f4" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "webhook_subscriptions_owner_idx" ON "webhook_subscriptions"  ("owner_id") `);
        await queryRunner.query(`CREATE TABLE "webhook_deliveries" ("id" uuid NOT NULL, "subscription_id" uuid NOT NULL, "event" text NOT NULL, "body" text NOT NULL, "status" text NOT NULL DEFAULT 'pending', "attempts" integer NOT NULL DEFAULT '0', "last_status_code" integer, "last_error" text, "last_attempt_at" TIMESTAMP WITH TIME ZONE, "delivered_at" TIMESTAMP WITH TIME ZONE, "history" jsonb NOT NULL DEFAULT '[]', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_535dd409947fb6d8fc6dfc0112a" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "webhook_deliveries_subscription_idx" ON "webhook_deliveries"  ("subscription_id", "created_at", "id") `);
        await queryRunner.query(`ALTER TABLE "citations" ADD CONSTRAINT "FK_7bcafc72015828439d1c6ec59b2" FOREIGN KEY ("cited_dataset_id") REFERENCES "datasets"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "FK_23eb2b6ae801c52cfb79a556b8a" FOREIGN KEY ("subscription_id") REFERENCES "webhook_subscriptions"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "webhook_deliveries" DROP CONSTRAINT "FK_23eb2b6ae801c52cfb79a556b8a"`);
        await queryRunner.query(`ALTER TABLE "citations" DROP CONSTRAINT "FK_7bcafc72015828439d1c6ec59b2"`);
        await queryRunner.query(`DROP INDEX "public"."webhook_deliveries_subscription_idx"`);
        await queryRunner.query(`DROP TABLE "webhook_deliveries"`);
        await queryRunner.query(`DROP INDEX "public"."webhook_subscriptions_owner_idx"`);
        await queryRunner.query(`DROP TABLE "webhook_subscriptions"`);
        await queryRunner.query(`DROP INDEX "public"."citations_link_key"`);
        await queryRunner.query(`DROP INDEX "public"."citations_cited_dataset_idx"`);
        await queryRunner.query(`DROP TABLE "citations"`);
    }

}
