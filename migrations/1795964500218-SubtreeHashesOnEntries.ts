import type { MigrationInterface, QueryRunner } from 'typeorm';

// Trailing one-bits of seq in SQL: seq XOR (seq + 1) is 2^(k+1) − 1.
const TRAILING_ONES = `(bit_count((e.seq # (e.seq + 1))::bit(64)) - 1)`;

/**
 * The perfect subtrees move onto the entries that complete them: appending leaf seq completes the nodes at levels
 * 1..k (k = trailing one-bits of seq), and ledger_entries.subtree_hashes holds their 32-byte hashes in level order
 * (null when k = 0). Node (level L, idx i) is therefore on row (i + 1)·2^L − 1, at byte offset (L − 1)·32. An
 * append writes one row per entry and nothing else. The existing nodes are copied over (the append-only trigger is
 * switched off for that one UPDATE), checked complete, and ledger_nodes is dropped.
 */
export class SubtreeHashesOnEntries1795964500218 implements MigrationInterface {
  name = 'SubtreeHashesOnEntries1795964500218';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "ledger_entries" ADD "subtree_hashes" bytea`);
    await queryRunner.query(
      `ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_subtree_hashes_size" CHECK (octet_length("subtree_hashes") % 32 = 0)`,
    );

    const malformed: Array<{ level: number; idx: string }> = await queryRunner.query(
      `SELECT level, idx FROM ledger_nodes WHERE octet_length(hash) <> 32 LIMIT 1`,
    );
    if (malformed.length > 0) {
      throw new Error(`ledger_nodes ${malformed[0].level}/${malformed[0].idx} is not a 32-byte hash: run ledger:verify`);
    }
    await queryRunner.query(`ALTER TABLE ledger_entries DISABLE TRIGGER ledger_entries_append_only`);
    await queryRunner.query(`
      UPDATE ledger_entries e SET subtree_hashes = n.hashes
      FROM (
        SELECT ((idx + 1) << level::int) - 1 AS seq, string_agg(hash, ''::bytea ORDER BY level) AS hashes
        FROM ledger_nodes WHERE level > 0 GROUP BY 1
      ) n
      WHERE e.seq = n.seq`);
    await queryRunner.query(`ALTER TABLE ledger_entries ENABLE TRIGGER ledger_entries_append_only`);

    // Every entry must now hold exactly its k nodes (levels are unique per row and at most k, so k of them are 1..k).
    const incomplete: Array<{ seq: string }> = await queryRunner.query(
      `SELECT e.seq FROM ledger_entries e
       WHERE coalesce(octet_length(e.subtree_hashes), 0) <> 32 * ${TRAILING_ONES}
       ORDER BY e.seq LIMIT 1`,
    );
    if (incomplete.length > 0) {
      throw new Error(
        `ledger_nodes lacks a perfect subtree completed by seq ${incomplete[0].seq}: run ledger:verify before migrating`,
      );
    }

    await queryRunner.query(`DROP TRIGGER ledger_nodes_no_truncate ON ledger_nodes`);
    await queryRunner.query(`DROP TRIGGER ledger_nodes_append_only ON ledger_nodes`);
    await queryRunner.query(`DROP TABLE "ledger_nodes"`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "ledger_nodes" ("level" smallint NOT NULL, "idx" bigint NOT NULL, "hash" bytea NOT NULL, CONSTRAINT "PK_38e14d8322951eddee400ea4c3e" PRIMARY KEY ("level", "idx"))`,
    );
    await queryRunner.query(`
      INSERT INTO ledger_nodes (level, idx, hash)
      SELECT l.level, e.seq >> l.level, substring(e.subtree_hashes FROM (l.level - 1) * 32 + 1 FOR 32)
      FROM ledger_entries e
      CROSS JOIN LATERAL generate_series(1, octet_length(e.subtree_hashes) / 32) AS l(level)
      WHERE e.subtree_hashes IS NOT NULL`);
    await queryRunner.query(
      `CREATE TRIGGER ledger_nodes_append_only BEFORE UPDATE OR DELETE ON ledger_nodes FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER ledger_nodes_no_truncate BEFORE TRUNCATE ON ledger_nodes FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change()`,
    );
    await queryRunner.query(`ALTER TABLE "ledger_entries" DROP CONSTRAINT "ledger_entries_subtree_hashes_size"`);
    await queryRunner.query(`ALTER TABLE "ledger_entries" DROP COLUMN "subtree_hashes"`);
  }
}
