import { toUtcDay, type DatasetRow } from '../metrics/dataset-metrics.rules.js';
import { toReuseRows } from '../metrics/metrics-inputs.rules.js';
import type { MetricsSnapshot, RuleInputs, SnapshotDataset } from '../metrics/metrics-inputs.rules.js';
import { roundMetric } from '../metrics/policy.rules.js';
import type { AwardAgentRow, AwardDatasetRow, DatasetAwardCredit, NominationInput } from './awards.rules.js';

/** Share of the optional descriptive fields filled in: reported with symbiont evidence, never a gate (§5). */
export function metadataCompletenessOf(d: SnapshotDataset): number {
  const filled = [
    d.description !== null && d.description.trim() !== '',
    d.keywords.length > 0,
    d.organism !== null,
    d.imagingMethod !== null,
    d.accession !== null || d.identifierCount > 0 || d.doi !== null,
    d.landingPage !== null,
  ];
  return roundMetric(filled.filter(Boolean).length / filled.length, 2);
}

/** Nomination inputs as of a day: award evidence takes the claim's own ledger entry as its seq. */
export function nominationInputOf(
  snapshot: MetricsSnapshot,
  inputs: RuleInputs,
  asOf: string,
  credit: ReadonlyMap<string, DatasetAwardCredit>,
): NominationInput {
  const asOfDay = toUtcDay(asOf);
  const agents = new Map(snapshot.agents.map((a) => [a.id, a]));
  const datasetRows = new Map(inputs.datasets.map((d) => [d.id, d]));
  const datasets: AwardDatasetRow[] = snapshot.datasets.map((d) => {
    const embargoDay = toUtcDay(d.embargoUntil);
    return {
      ...(datasetRows.get(d.id) as DatasetRow),
      creators: d.creators.map((agentId) => {
        const agent = agents.get(agentId);
        return {
          agentId,
          kind: agent?.kind ?? 'person',
          family: agent?.familyName ?? null,
          given: agent?.givenName ?? null,
          literal: agent?.name ?? null,
          orcid: agent?.orcid ?? null,
        };
      }),
      doi: d.doi,
      // A withdrawn dataset's DOI is hidden (registered), whatever the row still says.
      doiState: d.withdrawn ? 'registered' : d.doiState,
      accession: d.accession,
      accessionPublic:
        d.accession !== null && !d.withdrawn && (embargoDay === null || (asOfDay !== null && embargoDay <= asOfDay)),
      license: d.license,
      metadataCompleteness: metadataCompletenessOf(d),
      seq: d.seq,
      ...(d.recordedAt === null ? {} : { recordedAt: d.recordedAt }),
    };
  });
  const awardAgents: AwardAgentRow[] = snapshot.agents.map((a) => ({ id: a.id, careerStage: a.careerStage }));
  return {
    agents: awardAgents,
    datasets,
    publications: inputs.publications,
    reuses: toReuseRows(snapshot, 'claim'),
    derivations: inputs.credit.derivations ?? [],
    credit,
  };
}
