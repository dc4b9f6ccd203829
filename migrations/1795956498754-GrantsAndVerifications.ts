import { MigrationInterface, QueryRunner } from "typeorm";

export class GrantsAndVerifications1795956498754 implements MigrationInterface {
    name = 'GrantsAndVerifications1795956498754'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "grants" ("id" uuid NOT NULL, "funder_id" uuid NOT NULL, "funder_identifier" text, "funder_identifier_type" text, "award_number" text NOT NULL, "title" text, "pi_id" uuid NOT NULL, "start_date" date NOT NULL, "end_date" date NOT NULL, "extensions" jsonb NOT NULL DEFAULT '[]', "policy" text NOT NULL, "planned_data" jsonb NOT NULL DEFAULT '[]', "application_date" date, "output_data_types" jsonb NOT NULL DEFAULT '{}', "created_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "ledger_seq" bigint NOT NULL, CONSTRAINT "grants_period_check" CHECK ("end_date" >= "start_date"), CONSTRAINT "grants_policy_check" CHECK ("policy" IN ('nih-dms-2023', 'wellcome', 'horizon-europe')), CONSTRAINT "PK_a25f5f89eff8b3277f7969b7094" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "grants_pi_idx" ON "grants"  ("pi_id") `);
        await queryRunner.query(`CREATE UNIQUE INDEX "grants_funder_award_key" ON "grants"  ("funder_id", "award_number") `);
        await queryRunner.query(`CREATE TABLE "grant_compliance_states" ("grant_id" uuid NOT NULL, "scope" text NOT NULL, "data_type" text NOT NULL, "status" text NOT NULL, "as_of" date NOT NULL, "ledger_seq" bigint NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "grant_compliance_states_status_check" CHECK ("status" IN ('compliant', 'due', 'overdue', 'not-yet-due')), CONSTRAINT "grant_compliance_states_scope_check" CHECK ("scope" IN ('grant', 'item')), CONSTRAINT "PK_3d54ae5c10db08051101be7565d" PRIMARY KEY ("grant_id", "scope", "data_type"))`);
        await queryRunner.query(`CREATE TABLE "verifications" ("id" uuid NOT NULL, "manuscript_id" text NOT NULL, "journal" text, "policy" text NOT NULL, "verdict" text NOT NULL, "previous_id" uuid, "report" jsonb NOT NULL, "report_hash" text NOT NULL, "signature" jsonb NOT NULL, "receipt" jsonb NOT NULL, "created_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "ledger_seq" bigint NOT NULL, CONSTRAINT "verifications_verdict_check" CHECK ("verdict" IN ('pass', 'warn', 'fail')), CONSTRAINT "PK_2127ad1b143cf012280390b01d1" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "verifications_manuscript_idx" ON "verifications"  ("manuscript_id", "created_by", "created_at") `);
        await queryRunner.query(`ALTER TABLE "grants" ADD CONSTRAINT "FK_295ff4a55548fe0c5dec12c48b5" FOREIGN KEY ("funder_id") REFERENCES "agents"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "grants" ADD CONSTRAINT "FK_0b9d2bbbb45079b5e86a0927aa4" FOREIGN KEY ("pi_id") REFERENCES "agents"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "grant_compliance_states" ADD CONSTRAINT "FK_1634a2285e6c4d9829a535cf526" FOREIGN KEY ("grant_id") REFERENCES "grants"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "grant_compliance_states" DROP CONSTRAINT "FK_1634a2285e6c4d9829a535cf526"`);
        await queryRunner.query(`ALTER TABLE "grants" DROP CONSTRAINT "FK_0b9d2bbbb45079b5e86a0927aa4"`);
        await queryRunner.query(`ALTER TABLE "grants" DROP CONSTRAINT "FK_295ff4a55548fe0c5dec12c48b5"`);
        await queryRunner.query(`DROP INDEX "public"."verifications_manuscript_idx"`);
        await queryRunner.query(`DROP TABLE "verifications"`);
        await queryRunner.query(`DROP TABLE "grant_compliance_states"`);
        await queryRunner.query(`DROP INDEX "public"."grants_funder_award_key"`);
        await queryRunner.query(`DROP INDEX "public"."grants_pi_idx"`);
        await queryRunner.query(`DROP TABLE "grants"`);
    }

}
