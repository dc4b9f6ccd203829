import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Append-only means append-only: the database itself refuses UPDATE, DELETE and TRUNCATE on the log's tables
 * (ledger.md §8). Corrections are new entries that reference a seq, never edits. Also seeds the coordinator row.
 */
export class LedgerAppendOnly1795955436182 implements MigrationInterface {
  name = 'LedgerAppendOnly1795955436182';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`INSERT INTO ledger_head (id, size) VALUES (1, 0)`);
    await queryRunner.query(`
      CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'ledger table % is append-only: % refused', TG_TABLE_NAME, TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END $$`);
    for (const table of ['ledger_entries', 'ledger_nodes', 'ledger_checkpoints']) {
      await queryRunner.query(
        `CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()`,
      );
      await queryRunner.query(
        `CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change()`,
      );
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['ledger_entries', 'ledger_nodes', 'ledger_checkpoints']) {
      await queryRunner.query(`DROP TRIGGER ${table}_no_truncate ON ${table}`);
      await queryRunner.query(`DROP TRIGGER ${table}_append_only ON ${table}`);
    }
    await queryRunner.query(`DROP FUNCTION ledger_refuse_change()`);
    await queryRunner.query(`DELETE FROM ledger_head WHERE id = 1`);
  }
}
