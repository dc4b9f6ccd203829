import { MigrationInterface, QueryRunner } from "typeorm";

export class ImageParts1795956877572 implements MigrationInterface {
    name = 'ImageParts1795956877572'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "image_parts" ("id" uuid NOT NULL, "dataset_id" uuid NOT NULL, "key" text NOT NULL, "omero_id" bigint, "uri" text, "path" text, "sha256" text, "size" bigint, "label" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "ledger_seq" bigint NOT NULL, CONSTRAINT "PK_3e2424a66c85a718b0954628f38" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "image_parts_dataset_seq_idx" ON "image_parts"  ("dataset_id", "ledger_seq") `);
        await queryRunner.query(`CREATE UNIQUE INDEX "image_parts_dataset_key" ON "image_parts"  ("dataset_id", "key") `);
        await queryRunner.query(`ALTER TABLE "image_parts" ADD CONSTRAINT "FK_641d2d8eb5b2e1be3527277535c" FOREIGN KEY ("dataset_id") REFERENCES "datasets"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "image_parts" DROP CONSTRAINT "FK_641d2d8eb5b2e1be3527277535c"`);
        await queryRunner.query(`DROP INDEX "public"."image_parts_dataset_key"`);
        await queryRunner.query(`DROP INDEX "public"."image_parts_dataset_seq_idx"`);
        await queryRunner.query(`DROP TABLE "image_parts"`);
    }

}
