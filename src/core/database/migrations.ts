import { InitialSchema1795955436181 } from '../../../migrations/1795955436181-InitialSchema.js';
import { LedgerAppendOnly1795955436182 } from '../../../migrations/1795955436182-LedgerAppendOnly.js';
import { GraphAndDatasets1795955719650 } from '../../../migrations/1795955719650-GraphAndDatasets.js';
import { PublicationsAndReuses1795956168608 } from '../../../migrations/1795956168608-PublicationsAndReuses.js';
import { WebhooksAndCitations1795956395115 } from '../../../migrations/1795956395115-WebhooksAndCitations.js';
import { DoiRegistrations1795956402595 } from '../../../migrations/1795956402595-DoiRegistrations.js';
import { GrantsAndVerifications1795956498754 } from '../../../migrations/1795956498754-GrantsAndVerifications.js';
import { MetricsAndAwards1795956568666 } from '../../../migrations/1795956568666-MetricsAndAwards.js';
import { ImageParts1795956877572 } from '../../../migrations/1795956877572-ImageParts.js';
import { SubtreeHashesOnEntries1795964500218 } from '../../../migrations/1795964500218-SubtreeHashesOnEntries.js';
import { MetricsNeighbourhoodIndexes1795978153698 } from '../../../migrations/1795978153698-MetricsNeighbourhoodIndexes.js';
import { KeptCreditGraph1795979070090 } from '../../../migrations/1795979070090-KeptCreditGraph.js';

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
  WebhooksAndCitations1795956395115,
  DoiRegistrations1795956402595,
  GrantsAndVerifications1795956498754,
  MetricsAndAwards1795956568666,
  ImageParts1795956877572,
  SubtreeHashesOnEntries1795964500218,
  MetricsNeighbourhoodIndexes1795978153698,
  KeptCreditGraph1795979070090,
];
