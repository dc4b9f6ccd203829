import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Indexes the metrics job reads by: version chains, citing publications, creators, cached cohort members. */
export class MetricsNeighbourhoodIndexes1795978153698 implements MigrationInterface {
    name = 'MetricsNeighbourhoodIndexes1795978153698'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE INDEX "datasets_previous_version_idx" ON "datasets"  ("previous_version_id") `);
        await queryRunner.query(`CREATE INDEX "citations_citing_publication_idx" ON "citations"  ("citing_publication_id") `);
        // Not expressible on the entities: the creators of a person's datasets, and a cohort's cached members.
        await queryRunner.query(`CREATE INDEX "datasets_creators_gin" ON "datasets" USING gin ("creators")`);
        await queryRunner.query(
            `CREATE INDEX "dataset_metrics_cohort_idx" ON "dataset_metrics" ((metrics->'cohort'->>'key'), "policy_hash")`,
        );
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "public"."dataset_metrics_cohort_idx"`);
        await queryRunner.query(`DROP INDEX "public"."datasets_creators_gin"`);
        await queryRunner.query(`DROP INDEX "public"."citations_citing_publication_idx"`);
        await queryRunner.query(`DROP INDEX "public"."datasets_previous_version_idx"`);
    }

}
