import type { ReuseRow } from '../../src/metrics/dataset-metrics.rules.js';
import type { IndependenceLevel, ReuseType } from '../../src/metrics/policy.rules.js';
import type { CreditRows } from '../../src/metrics/transitive-credit.rules.js';

/** One image dataset (ds-A) and one article (pub-1) with no reuse yet: the smallest world a claim can change. */
export const ONE_DATASET_ONE_PAPER: CreditRows = {
  datasets: [{ id: 'ds-A', kind: 'image', findableAt: '2019-01-01' }],
  publications: [{ id: 'pub-1', kind: 'article', issued: '2021-02-01', authors: [] }],
  reuses: [],
};

/** A reuse record of pub-1 on one dataset (ds-A unless told), asserted and active unless told otherwise. */
export function claimRow(fields: {
  readonly id: string;
  readonly seq: string;
  readonly level: IndependenceLevel;
  readonly datasetId?: string;
  readonly type?: ReuseType;
  readonly status?: ReuseRow['status'];
}): ReuseRow {
  const datasetId = fields.datasetId ?? 'ds-A';
  return {
    id: fields.id,
    publicationId: 'pub-1',
    datasetIds: [datasetId],
    type: fields.type ?? 'training',
    levels: { [datasetId]: fields.level },
    evidence: 'asserted',
    status: fields.status ?? 'active',
    seq: fields.seq,
  };
}
