import { Injectable } from '@nestjs/common';
import { AgentsService } from '../agents/agents.service.js';
import { CitationsService } from '../citations/citations.service.js';
import { parseAccession, spdxLicenseUrl } from '../datasets/datasets.rules.js';
import { DatasetsService } from '../datasets/datasets.service.js';
import { FAKE_PROVIDER_NOTICE } from '../dois/dto/doi-status.dto.js';
import { DoisService } from '../dois/dois.service.js';
import { ProvenanceService } from '../provenance/provenance.service.js';
import { renderLandingPage } from './landing.rules.js';

@Injectable()
export class LandingService {
  constructor(
    private readonly datasets: DatasetsService,
    private readonly agents: AgentsService,
    private readonly citations: CitationsService,
    private readonly provenance: ProvenanceService,
    private readonly dois: DoisService,
  ) {}

  async page(id: string): Promise<{ html: string; redirect: null } | { html: null; redirect: string }> {
    const dataset = await this.datasets.get(id);
    if (dataset.withdrawnAt) return { html: null, redirect: `/datasets/${id}/tombstone` };
    const [creators, parents, citation, jsonLd, registration] = await Promise.all([
      this.agents.getMany(dataset.creators),
      this.datasets.getMany(dataset.derivedFrom),
      this.citations.datasetCitation(id, undefined, 'apa'),
      this.provenance.datasetJsonLd(id),
      this.dois.status(id),
    ]);
    const accession = dataset.accession ? parseAccession(dataset.accession) : null;
    const api = `/v1/datasets/${id}`;
    return {
      redirect: null,
      html: renderLandingPage({
        id,
        title: dataset.title,
        description: dataset.description,
        kind: dataset.kind,
        creators: creators.map((c) =>
          c.familyName ? `${c.familyName}${c.givenName ? `, ${c.givenName}` : ''}` : c.name,
        ),
        publicationYear: dataset.publicationYear,
        license: dataset.license,
        licenseUrl: spdxLicenseUrl(dataset.license),
        accession: dataset.accession ? { value: dataset.accession, url: accession?.landingPage ?? null } : null,
        doi: dataset.doi,
        doiState: dataset.doiState,
        doiNotice: registration?.provider === 'fake' ? FAKE_PROVIDER_NOTICE : null,
        citation: citation.body.trim(),
        derivedFrom: parents.map((p) => ({ id: p.id, title: p.title })),
        jsonLd,
        links: {
          json: api,
          jsonLd: api,
          roCrate: `/v1/nodes/${id}/ro-crate`,
          metrics: `${api}/metrics`,
          credit: `${api}/credit`,
          citation: `${api}/citation`,
          ledgerEntry: `/v1/ledger/entries/${dataset.ledgerSeq}`,
        },
      }),
    };
  }
}
