import { MigrationInterface, QueryRunner } from "typeorm";

export class GraphAndDatasets1795955719650 implements MigrationInterface {
    name = 'GraphAndDatasets1795955719650'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "datasets" ("id" uuid NOT NULL, "kind" text NOT NULL, "title" text NOT NULL, "description" text, "creators" uuid array NOT NULL, "publisher_id" uuid, "owner_id" uuid, "publication_year" integer NOT NULL, "license" text NOT NULL, "accession" text, "identifiers" jsonb NOT NULL DEFAULT '[]', "keywords" text array NOT NULL DEFAULT '{}', "organism" text, "imaging_method" text, "generated_by" jsonb, "derived_from" uuid array NOT NULL DEFAULT '{}', "grants" uuid array NOT NULL DEFAULT '{}', "embargo_until" date, "landing_page" text, "version" text, "previous_version_id" uuid, "released_at" date NOT NULL, "doi" text, "doi_state" text NOT NULL DEFAULT 'none', "withdrawn_at" TIMESTAMP WITH TIME ZONE, "withdrawn_reason" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "ledger_seq" bigint NOT NULL, CONSTRAINT "PK_1bf831e43c559a240303e23d038" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "datasets_owner_idx" ON "datasets"  ("owner_id") `);
        await queryRunner.query(`CREATE INDEX "datasets_accession_idx" ON "datasets"  ("accession") `);
        await queryRunner.query(`CREATE UNIQUE INDEX "datasets_doi_key" ON "datasets"  ("doi") WHERE doi IS NOT NULL`);
        await queryRunner.query(`CREATE TABLE "graph_nodes" ("id" uuid NOT NULL, "iri" text NOT NULL, "type" text NOT NULL, "label" text, "properties" jsonb NOT NULL DEFAULT '{}', "occurred_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "ledger_seq" bigint NOT NULL, CONSTRAINT "PK_2a5943b287182cb16fd26aa0aaa" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "graph_nodes_iri_key" ON "graph_nodes"  ("iri") `);
        await queryRunner.query(`CREATE INDEX "graph_nodes_type_idx" ON "graph_nodes"  ("type") `);
        await queryRunner.query(`CREATE TABLE "graph_edges" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "source_id" uuid NOT NULL, "relation" text NOT NULL, "target_id" uuid NOT NULL, "properties" jsonb NOT NULL DEFAULT '{}', "status" text NOT NULL DEFAULT 'active', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "ledger_seq" bigint NOT NULL, CONSTRAINT "PK_c7b6e013f3760ab6dd3e85b20b8" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "graph_edges_target_idx" ON "graph_edges"  ("target_id", "relation") `);
        await queryRunner.query(`CREATE UNIQUE INDEX "graph_edges_unique" ON "graph_edges"  ("source_id", "relation", "target_id") `);
        await queryRunner.query(`ALTER TABLE "graph_edges" ADD CONSTRAINT "FK_16f09c64c126e7380673e1f2a53" FOREIGN KEY ("source_id") REFERENCES "graph_nodes"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "graph_edges" ADD CONSTRAINT "FK_a524073c6db4eda0336c823a59c" FOREIGN KEY ("target_id") REFERENCES "graph_nodes"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "graph_edges" DROP CONSTRAINT "FK_a524073c6db4eda0336c823a59c"`);
        await queryRunner.query(`ALTER TABLE "graph_edges" DROP CONSTRAINT "FK_16f09c64c126e7380673e1f2a53"`);
        await queryRunner.query(`DROP INDEX "public"."graph_edges_unique"`);
        await queryRunner.query(`DROP INDEX "public"."graph_edges_target_idx"`);
        await queryRunner.query(`DROP TABLE "graph_edges"`);
        await queryRunner.query(`DROP INDEX "public"."graph_nodes_type_idx"`);
        await queryRunner.query(`DROP INDEX "public"."graph_nodes_iri_key"`);
        await queryRunner.query(`DROP TABLE "graph_nodes"`);
        await queryRunner.query(`DROP INDEX "public"."datasets_doi_key"`);
        await queryRunner.query(`DROP INDEX "public"."datasets_accession_idx"`);
        await queryRunner.query(`DROP INDEX "public"."datasets_owner_idx"`);
        await queryRunner.query(`DROP TABLE "datasets"`);
    }

}
