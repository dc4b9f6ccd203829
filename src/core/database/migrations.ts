import { InitialSchema1795955436181 } from '../../../migrations/1795955436181-InitialSchema.js';
import { LedgerAppendOnly1795955436182 } from '../../../migrations/1795955436182-LedgerAppendOnly.js';
import { GraphAndDatasets1795955719650 } from '../../../migrations/1795955719650-GraphAndDatasets.js';
import { PublicationsAndReuses1795956168608 } from '../../../migrations/1795956168608-PublicationsAndReuses.js';

/**
 * Every migration, in order, listed explicitly (no globs): the same list runs under the test runner (TypeScript
 * sources) and in production (compiled). A generated migration that is not added here leaves drift that db:check
 * reports.
 */
export const MIGRATIONS = [
  InitialSchema1795955436181,
  LedgerAppendOnly1795955436182,
  GraphAndDatasets1795955719650,
  PublicationsAndReuses1795956168608,
];
