import { AgentEntity } from '../../agents/entities/agent.entity.js';
import { ApiKeyEntity } from '../../auth/entities/api-key.entity.js';
import { AwardEntity } from '../../awards/entities/award.entity.js';
import { CitationEntity } from '../../citations/entities/citation.entity.js';
import { DatasetEntity } from '../../datasets/entities/dataset.entity.js';
import { DoiRegistrationEntity } from '../../dois/entities/doi-registration.entity.js';
import { GrantComplianceStateEntity } from '../../grants/entities/grant-compliance-state.entity.js';
import { GrantEntity } from '../../grants/entities/grant.entity.js';
import { GraphEdgeEntity } from '../../graph/entities/graph-edge.entity.js';
import { GraphNodeEntity } from '../../graph/entities/graph-node.entity.js';
import { ImagePartEntity } from '../../images/entities/image-part.entity.js';
import { LedgerCheckpointEntity } from '../../ledger/entities/ledger-checkpoint.entity.js';
import { LedgerEntryEntity } from '../../ledger/entities/ledger-entry.entity.js';
import { LedgerHeadEntity } from '../../ledger/entities/ledger-head.entity.js';
import { AgentMetricsEntity } from '../../metrics/entities/agent-metrics.entity.js';
import { DatasetMetricsEntity } from '../../metrics/entities/dataset-metrics.entity.js';
import { MetricsDirtyNodeEntity } from '../../metrics/entities/metrics-dirty-node.entity.js';
import { MetricsStateEntity, MetricsUnexplainedEntity } from '../../metrics/entities/metrics-state.entity.js';
import { PublicationEntity } from '../../publications/entities/publication.entity.js';
import { ReuseDatasetEntity } from '../../reuses/entities/reuse-dataset.entity.js';
import { ReuseEntity } from '../../reuses/entities/reuse.entity.js';
import { WebhookDeliveryEntity } from '../../webhooks/entities/webhook-delivery.entity.js';
import { WebhookSubscriptionEntity } from '../../webhooks/entities/webhook-subscription.entity.js';
import { VerificationEntity } from '../../verifications/entities/verification.entity.js';
import { OutboxJobEntity } from '../jobs/entities/outbox-job.entity.js';

/** Every entity, listed explicitly (no globs): the app, the tests and the migration CLI share this list. */
export const ENTITIES = [
  OutboxJobEntity,
  LedgerEntryEntity,
  LedgerHeadEntity,
  LedgerCheckpointEntity,
  AgentEntity,
  ApiKeyEntity,
  GraphNodeEntity,
  GraphEdgeEntity,
  DatasetEntity,
  ImagePartEntity,
  DoiRegistrationEntity,
  WebhookSubscriptionEntity,
  WebhookDeliveryEntity,
  CitationEntity,
  PublicationEntity,
  ReuseEntity,
  ReuseDatasetEntity,
  GrantEntity,
  GrantComplianceStateEntity,
  VerificationEntity,
  DatasetMetricsEntity,
  AgentMetricsEntity,
  MetricsDirtyNodeEntity,
  MetricsStateEntity,
  MetricsUnexplainedEntity,
  AwardEntity,
];
