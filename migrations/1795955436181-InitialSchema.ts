import { MigrationInterface, QueryRunner } from "typeorm";

export class InitialSchema1795955436181 implements MigrationInterface {
    name = 'InitialSchema1795955436181'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "agents" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "kind" text NOT NULL, "name" text NOT NULL, "given_name" text, "family_name" text, "orcid" text, "ror" text, "affiliations" uuid array NOT NULL DEFAULT '{}', "career_stage" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "ledger_seq" bigint NOT NULL, CONSTRAINT "PK_9c653f28ae19c5884d5baf6a1d9" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "agents_ror_key" ON "agents"  ("ror") WHERE ror IS NOT NULL`);
        await queryRunner.query(`CREATE UNIQUE INDEX "agents_orcid_key" ON "agents"  ("orcid") WHERE orcid IS NOT NULL`);
        await queryRunner.query(`CREATE TABLE "api_keys" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "agent_id" uuid NOT NULL, "token_hash" bytea NOT NULL, "roles" text array NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "revoked_at" TIMESTAMP WITH TIME ZONE, "ledger_seq" bigint NOT NULL, CONSTRAINT "PK_5c8a79801b44bd27b79228e1dad" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "api_keys_token_hash_key" ON "api_keys"  ("token_hash") `);
        await queryRunner.query(`CREATE TABLE "ledger_checkpoints" ("size" bigint NOT NULL, "root" bytea NOT NULL, "note" text NOT NULL, "key_id" text NOT NULL, "signed_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_3edc3b5816537588f3665605968" PRIMARY KEY ("size"))`);
        await queryRunner.query(`CREATE TABLE "ledger_entries" ("seq" bigint NOT NULL, "kind" text NOT NULL, "actor" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "canonical" bytea NOT NULL, "payload" jsonb NOT NULL, "leaf_hash" bytea NOT NULL, CONSTRAINT "PK_7c28bbc465af6958ac83a17db40" PRIMARY KEY ("seq"))`);
        await queryRunner.query(`CREATE INDEX "ledger_entries_kind_idx" ON "ledger_entries"  ("kind", "seq") `);
        await queryRunner.query(`CREATE TABLE "ledger_head" ("id" smallint NOT NULL, "size" bigint NOT NULL, CONSTRAINT "PK_58f9a71f2c8e0d81a490d6954aa" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE TABLE "ledger_nodes" ("level" smallint NOT NULL, "idx" bigint NOT NULL, "hash" bytea NOT NULL, CONSTRAINT "PK_38e14d8322951eddee400ea4c3e" PRIMARY KEY ("level", "idx"))`);
        await queryRunner.query(`CREATE TABLE "outbox" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" text NOT NULL, "job_key" text NOT NULL, "payload" jsonb NOT NULL, "status" text NOT NULL DEFAULT 'pending', "attempts" integer NOT NULL DEFAULT '0', "max_attempts" integer NOT NULL DEFAULT '10', "available_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "locked_until" TIMESTAMP WITH TIME ZONE, "generation" integer NOT NULL DEFAULT '1', "last_error" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "done_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "UQ_5f4959cded4bbef7b4727bc966b" UNIQUE ("job_key"), CONSTRAINT "PK_340ab539f309f03bdaa14aa7649" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "outbox_due_idx" ON "outbox"  ("status", "available_at") `);
        await queryRunner.query(`ALTER TABLE "api_keys" ADD CONSTRAINT "FK_7350a5d7ce8de0cca0b068e3b1b" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "api_keys" DROP CONSTRAINT "FK_7350a5d7ce8de0cca0b068e3b1b"`);
        await queryRunner.query(`DROP INDEX "public"."outbox_due_idx"`);
        await queryRunner.query(`DROP TABLE "outbox"`);
        await queryRunner.query(`DROP TABLE "ledger_nodes"`);
        await queryRunner.query(`DROP TABLE "ledger_head"`);
        await queryRunner.query(`DROP INDEX "public"."ledger_entries_kind_idx"`);
        await queryRunner.query(`DROP TABLE "ledger_entries"`);
        await queryRunner.query(`DROP TABLE "ledger_checkpoints"`);
        await queryRunner.query(`DROP INDEX "public"."api_keys_token_hash_key"`);
        await queryRunner.query(`DROP TABLE "api_keys"`);
        await queryRunner.query(`DROP INDEX "public"."agents_orcid_key"`);
        await queryRunner.query(`DROP INDEX "public"."agents_ror_key"`);
        await queryRunner.query(`DROP TABLE "agents"`);
    }

}
