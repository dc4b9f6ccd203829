import { Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import { AgentsModule } from './agents/agents.module.js';
import { AuthModule } from './auth/auth.module.js';
import { AwardsModule } from './awards/awards.module.js';
import { CitationsModule } from './citations/citations.module.js';
import { CoreModule } from './core/core.module.js';
import { CredentialsModule } from './credentials/credentials.module.js';
import type { CoreOptions } from './core/core.module.js';
import { DatasetsModule } from './datasets/datasets.module.js';
import { DoisModule } from './dois/dois.module.js';
import { FiguresModule } from './figures/figures.module.js';
import { GrantsModule } from './grants/grants.module.js';
import { GraphModule } from './graph/graph.module.js';
import { HealthModule } from './health/health.module.js';
import { ImagesModule } from './images/images.module.js';
import { LedgerModule } from './ledger/ledger.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { PublicationsModule } from './publications/publications.module.js';
import { ProvenanceModule } from './provenance/provenance.module.js';
import { ReusesModule } from './reuses/reuses.module.js';
import { VerificationsModule } from './verifications/verifications.module.js';
import { WebhooksModule } from './webhooks/webhooks.module.js';
import { LandingModule } from './landing/landing.module.js';

/** Feature modules, listed once; the api and the worker both load them (the worker serves no HTTP). */
export const FEATURE_MODULES = [
  LedgerModule,
  AgentsModule,
  AuthModule,
  HealthModule,
  GraphModule,
  WebhooksModule,
  DatasetsModule,
  DoisModule,
  PublicationsModule,
  ProvenanceModule,
  ImagesModule,
  FiguresModule,
  ReusesModule,
  CitationsModule,
  MetricsModule,
  CredentialsModule,
  AwardsModule,
  GrantsModule,
  VerificationsModule,
  LandingModule,
];

@Module({})
export class AppModule {
  static forRoot(options: CoreOptions): DynamicModule {
    return { module: AppModule, imports: [CoreModule.forRoot(options), ...FEATURE_MODULES] };
  }
}
