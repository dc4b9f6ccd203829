import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, IsNull } from 'typeorm';
import type { EntityManager } from 'typeorm';
import type { Principal } from '../auth/auth.decorators.js';
import { hasRole } from '../auth/auth.decorators.js';
import { NotOwnerError } from '../auth/auth.errors.js';
import { APP_CONFIG } from '../core/config/config.module.js';
import type { AppConfig } from '../core/config/env.schema.js';
import { insertEntities } from '../core/database/sql.js';
import { DatasetsService } from '../datasets/datasets.service.js';
import type { DatasetEntity } from '../datasets/entities/dataset.entity.js';
import { GraphService } from '../graph/graph.service.js';
import { CheckpointService } from '../ledger/checkpoint.service.js';
import { LedgerService } from '../ledger/ledger.service.js';
import type { PublicationEntity } from '../publications/entities/publication.entity.js';
import { normalizeDoi } from '../publications/publications.rules.js';
import { PublicationsService } from '../publications/publications.service.js';
import type { CreateVerificationDto } from './dto/create-verification.dto.js';
import { VerificationEntity } from './entities/verification.entity.js';
import {
  assembleReport,
  assessPublicationIdentifier,
  assessUnknownIdentifier,
  buildReportItem,
  datasetAssessmentInput,
  datasetIdFromUrl,
  hashReport,
  normalizeReportDate,
  pickDatasetMatch,
  signReport,
  verifyReportSignature,
} from './verification-report.rules.js';
import type {
  IdentifierMatch,
  LedgerDatasetFacts,
  ReportItem,
  SignatureCheck,
  VerificationReport,
} from './verification-report.rules.js';
import {
  InvalidArticleDoiError,
  InvalidVerificationDateError,
  VerificationNotFoundError,
} from './verifications.errors.js';
import { assessIdentifier, assessStatement, parseIdentifier, VERIFICATION_PROFILES } from './verifications.rules.js';
import type { ExtractedIdentifier } from './verifications.rules.js';

/** How many steps from an article its data may sit: publication -> figure -> panel -> dataset. */
const RELATION_DEPTH = 3;

/**
 * Data-availability checks for journals (credit-and-compliance.md §7). Each report is looked up against the ledger,
 * stored, recorded as a `verification.issued` entry carrying its SHA-256, and signed with the ledger key.
 */
@Injectable()
export class VerificationsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly ledger: LedgerService,
    private readonly checkpoints: CheckpointService,
    private readonly graph: GraphService,
    private readonly datasets: DatasetsService,
    private readonly publications: PublicationsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async create(principal: Principal, dto: CreateVerificationDto, now = new Date()): Promise<VerificationEntity> {
    const profile = VERIFICATION_PROFILES[dto.policy ?? 'default'];
    const submittedAt = dto.submittedAt === undefined ? now.toISOString() : this.date('submittedAt', dto.submittedAt);
    const expectedPublicationDate =
      dto.expectedPublicationDate === undefined
        ? null
        : this.date('expectedPublicationDate', dto.expectedPublicationDate);
    let articleDoi: string | null = null;
    if (dto.articleDoi !== undefined) {
      articleDoi = normalizeDoi(dto.articleDoi);
      if (articleDoi === null) throw new InvalidArticleDoiError(dto.articleDoi);
    }
    const statement = assessStatement(profile, dto.statement, dto.identifiers ?? []);
    const reviewerLinks = new Set(
      (dto.reviewerLinks ?? [])
        .map((link) => parseIdentifier(link.identifier))
        .flatMap((id) => (id ? [keyOf(id)] : [])),
    );
    const manuscriptId = dto.manuscriptId.trim();

    return this.dataSource.transaction(async (manager) => {
      // Re-verifications of one manuscript by one journal key form a chain: take them one at a time.
      await manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
        `verification ${principal.agentId ?? 'admin'} ${manuscriptId}`,
      ]);
      const previous = await manager.findOne(VerificationEntity, {
        where: { manuscriptId, createdBy: principal.agentId ?? IsNull() },
        order: { ledgerSeq: 'DESC' },
        select: { id: true },
      });
      const ledgerTreeSize = (await this.ledger.size(manager)).toString();
      const article = articleDoi === null ? null : await this.publications.findByDoi(articleDoi, manager);
      const articleData = article === null ? null : await this.dataNear(article);

      const items: ReportItem[] = [];
      for (const identifier of statement.identifiers) {
        const match = await this.lookup(manager, identifier, {
          relation: (datasetId) => (articleDoi === null ? null : (articleData?.has(datasetId) ?? false)),
          reviewerAccess: reviewerLinks.has(keyOf(identifier)) ? true : null,
        });
        const findings =
          match.kind === 'none'
            ? assessUnknownIdentifier(profile, identifier)
            : match.kind === 'publication'
              ? assessPublicationIdentifier(profile, identifier)
              : assessIdentifier(
                  profile,
                  datasetAssessmentInput(identifier, match, { submittedAt, expectedPublicationDate }),
                );
        items.push(buildReportItem(identifier, match, findings));
      }

      const id = randomUUID();
      const report: VerificationReport = assembleReport(
        {
          id,
          manuscriptId,
          journal: dto.journal?.trim() ?? null,
          profile,
          statement: dto.statement,
          submittedAt,
          expectedPublicationDate,
          articleDoi,
          previous: previous?.id ?? null,
          issuedAt: now.toISOString(),
          issuer: this.config.PUBLIC_BASE_URL,
          ledgerTreeSize,
        },
        statement,
        items,
      );
      // What is signed and hashed is the JSON form (no undefined members); the stored document is that same form.
      const document = JSON.parse(JSON.stringify(report)) as VerificationReport & Record<string, unknown>;
      const keyId = this.checkpoints.publicKeyInfo().keyId;
      const reportHash = hashReport(document);
      const signature = signReport(document, this.checkpoints.signingKey, keyId);
      const receipt = await this.ledger.append(manager, {
        kind: 'verification.issued',
        actor: principal.agentId,
        payload: {
          id,
          manuscriptId,
          journal: report.journal,
          policy: report.policy,
          verdict: report.verdict,
          previous: report.previous,
          reportHash,
          keyId,
          signature: signature.value,
        },
      });
      const row = manager.create(VerificationEntity, {
        id,
        manuscriptId,
        journal: report.journal,
        policy: report.policy,
        verdict: report.verdict,
        previousId: report.previous,
        report: document,
        reportHash,
        signature,
        receipt,
        createdBy: principal.agentId,
        ledgerSeq: BigInt(receipt.seq),
      });
      await insertEntities(manager, VerificationEntity, row);
      return manager.findOneByOrFail(VerificationEntity, { id });
    });
  }

  /** The journal key that created it, curators and admins. */
  async get(principal: Principal, id: string): Promise<VerificationEntity> {
    const row = await this.dataSource.manager.findOneBy(VerificationEntity, { id });
    if (!row) throw new VerificationNotFoundError(id);
    if (!hasRole(principal, 'curator') && (principal.agentId === null || row.createdBy !== principal.agentId)) {
      throw new NotOwnerError('verification');
    }
    return row;
  }

  /** Checks a report's signature against this service's ledger key (what a third party does offline). */
  verifySignature(report: Record<string, unknown>): {
    verified: boolean;
    check: SignatureCheck;
    keyId: string;
    reportHash: string | null;
  } {
    const info = this.checkpoints.publicKeyInfo();
    const result = verifyReportSignature(report, Buffer.from(info.publicKey, 'base64'), info.keyId);
    let reportHash: string | null;
    try {
      reportHash = hashReport(report);
    } catch {
      // Not plain JSON (e.g. a number outside IEEE 754): no hash, and the signature check already failed.
      reportHash = null;
    }
    return { ...result, keyId: info.keyId, reportHash };
  }

  // ───────────────────────────── lookups ─────────────────────────────

  private async lookup(
    manager: EntityManager,
    identifier: ExtractedIdentifier,
    context: { relation: (datasetId: string) => boolean | null; reviewerAccess: boolean | null },
  ): Promise<IdentifierMatch> {
    const ownId = identifier.type === 'url' ? datasetIdFromUrl(identifier.value, this.config.PUBLIC_BASE_URL) : null;
    const candidates = await this.datasets.findByIdentifiers(
      {
        ids: ownId ? [ownId] : [],
        dois: identifier.type === 'doi' ? [identifier.value] : [],
        accessions: identifier.type !== 'doi' && identifier.type !== 'url' ? [identifier.value] : [],
        urls: identifier.type === 'url' ? [identifier.value] : [],
      },
      manager,
    );
    const picked = pickDatasetMatch(
      identifier,
      candidates.map((d) => ({
        ...d,
        withdrawn: d.withdrawnAt !== null,
        createdAt: d.createdAt.toISOString(),
        entity: d,
      })),
    );
    if (picked) {
      return {
        kind: 'dataset',
        dataset: toFacts(picked.dataset.entity),
        ownDoi: picked.ownDoi,
        relationPresent: context.relation(picked.dataset.id),
        reviewerAccess: context.reviewerAccess,
      };
    }
    if (identifier.type === 'doi') {
      const publication: PublicationEntity | null = await this.publications.findByDoi(identifier.value, manager);
      if (publication) return { kind: 'publication', publication: { id: publication.id, doi: publication.doi } };
    }
    return { kind: 'none' };
  }

  /** Node ids upstream of the article within a few steps: its reused datasets, figure panels' source data. */
  private async dataNear(article: PublicationEntity): Promise<Set<string>> {
    const lineage = await this.graph.lineage(article.id, 'upstream', RELATION_DEPTH);
    return new Set(lineage.nodes.map((n) => n.id));
  }

  private date(field: string, value: string): string {
    const normalized = normalizeReportDate(value);
    if (normalized === null) throw new InvalidVerificationDateError(field);
    return normalized;
  }
}

function keyOf(identifier: ExtractedIdentifier): string {
  return `${identifier.type} ${identifier.value}`;
}

function toFacts(d: DatasetEntity): LedgerDatasetFacts {
  return {
    id: d.id,
    kind: d.kind,
    title: d.title,
    creators: d.creators,
    license: d.license,
    organism: d.organism,
    imagingMethod: d.imagingMethod,
    derivedFrom: d.derivedFrom,
    generatedBy: d.generatedBy,
    accession: d.accession,
    doi: d.doi,
    doiState: d.doiState,
    embargoUntil: d.embargoUntil,
    withdrawn: d.withdrawnAt !== null,
  };
}
