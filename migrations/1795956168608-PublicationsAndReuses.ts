import { MigrationInterface, QueryRunner } from "typeorm";

export class PublicationsAndReuses1795956168608 implements MigrationInterface {
    name = 'PublicationsAndReuses1795956168608'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "publications" ("id" uuid NOT NULL, "doi" text, "title" text, "issued" text, "container_title" text, "csl_type" text, "csl" jsonb, "authors" jsonb NOT NULL DEFAULT '[]', "author_ids" uuid array NOT NULL DEFAULT '{}', "metadata_status" text NOT NULL, "created_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "ledger_seq" bigint NOT NULL, CONSTRAINT "PK_2c4e732b044e09139d2f1065fae" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "publications_doi_key" ON "publications"  ("doi") WHERE doi IS NOT NULL`);
        await queryRunner.query(`CREATE TABLE "reuses" ("id" uuid NOT NULL, "publication_id" uuid NOT NULL, "type" text NOT NULL, "evidence" text NOT NULL, "status" text NOT NULL DEFAULT 'active', "evidence_text" text, "figure_panels" uuid array NOT NULL DEFAULT '{}', "created_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "ledger_seq" bigint NOT NULL, "confirmed_at" TIMESTAMP WITH TIME ZONE, "disputed_at" TIMESTAMP WITH TIME ZONE, "disputed_by" uuid, "dispute_reason" text, "resolved_at" TIMESTAMP WITH TIME ZONE, "resolved_outcome" text, CONSTRAINT "reuses_type_check" CHECK ("type" IN ('benchmarking', 'training', 'secondary-analysis', 'integration', 'replication')), CONSTRAINT "reuses_evidence_check" CHECK ("evidence" IN ('asserted', 'curated')), CONSTRAINT "reuses_status_check" CHECK ("status" IN ('active', 'disputed', 'excluded')), CONSTRAINT "PK_d32b281ad41e4371405cdd599bd" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "reuses_publication_idx" ON "reuses"  ("publication_id") `);
        await queryRunner.query(`CREATE TABLE "reuse_datasets" ("reuse_id" uuid NOT NULL, "dataset_id" uuid NOT NULL, "position" integer NOT NULL, "level" text NOT NULL, "reason" jsonb NOT NULL, "edge_ledger_seq" bigint NOT NULL, CONSTRAINT "reuse_datasets_level_check" CHECK ("level" IN ('independent', 'same-lab', 'co-authored')), CONSTRAINT "PK_80a96316b7697d172da29e00aef" PRIMARY KEY ("reuse_id", "dataset_id"))`);
        await queryRunner.query(`CREATE INDEX "reuse_datasets_dataset_idx" ON "reuse_datasets"  ("dataset_id") `);
        await queryRunner.query(`ALTER TABLE "reuses" ADD CONSTRAINT "FK_6fe9ea5368cf0ed95eb015baa08" FOREIGN KEY ("publication_id") REFERENCES "publications"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "reuse_datasets" ADD CONSTRAINT "FK_9259f6dd0b72f4842e1ca59f993" FOREIGN KEY ("reuse_id") REFERENCES "reuses"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "reuse_datasets" ADD CONSTRAINT "FK_fa343c38687cd153f6ece02f1c4" FOREIGN KEY ("dataset_id") REFERENCES "datasets"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "reuse_datasets" DROP CONSTRAINT "FK_fa343c38687cd153f6ece02f1c4"`);
        await queryRunner.query(`ALTER TABLE "reuse_datasets" DROP CONSTRAINT "FK_9259f6dd0b72f4842e1ca59f993"`);
        await queryRunner.query(`ALTER TABLE "reuses" DROP CONSTRAINT "FK_6fe9ea5368cf0ed95eb015baa08"`);
        await queryRunner.query(`DROP INDEX "public"."reuse_datasets_dataset_idx"`);
        await queryRunner.query(`DROP TABLE "reuse_datasets"`);
        await queryRunner.query(`DROP INDEX "public"."reuses_publication_idx"`);
        await queryRunner.query(`DROP TABLE "reuses"`);
        await queryRunner.query(`DROP INDEX "public"."publications_doi_key"`);
        await queryRunner.query(`DROP TABLE "publications"`);
    }

}
