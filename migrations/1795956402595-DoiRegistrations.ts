import { MigrationInterface, QueryRunner } from "typeorm";

export class DoiRegistrations1795956402595 implements MigrationInterface {
    name = 'DoiRegistrations1795956402595'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "doi_registrations" ("dataset_id" uuid NOT NULL, "doi" text NOT NULL, "provider" text NOT NULL, "state" text NOT NULL, "target_state" text NOT NULL DEFAULT 'findable', "remote_state" text, "attempts" integer NOT NULL DEFAULT '0', "failures" integer NOT NULL DEFAULT '0', "failing_since" TIMESTAMP WITH TIME ZONE, "last_error" jsonb, "put_sent_at" TIMESTAMP WITH TIME ZONE, "applied_hash" text, "applied_at" TIMESTAMP WITH TIME ZONE, "registered_at" TIMESTAMP WITH TIME ZONE, "findable_at" TIMESTAMP WITH TIME ZONE, "requested_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_926c2aa5f7c74b9b15cbeece697" PRIMARY KEY ("dataset_id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "doi_registrations_doi_key" ON "doi_registrations"  ("doi") `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "public"."doi_registrations_doi_key"`);
        await queryRunner.query(`DROP TABLE "doi_registrations"`);
    }

}
