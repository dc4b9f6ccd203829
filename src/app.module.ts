import { Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import { AgentsModule } from './agents/agents.module.js';
import { AuthModule } from './auth/auth.module.js';
import { CoreModule } from './core/core.module.js';
import type { CoreOptions } from './core/core.module.js';
import { DatasetsModule } from './datasets/datasets.module.js';
import { GraphModule } from './graph/graph.module.js';
import { HealthModule } from './health/health.module.js';
import { LedgerModule } from './ledger/ledger.module.js';
import { PublicationsModule } from './publications/publications.module.js';
import { ReusesModule } from './reuses/reuses.module.js';

/** Feature modules, listed once; the api and the worker both load them (the worker serves no HTTP). */
export const FEATURE_MODULES = [LedgerModule, AgentsModule, AuthModule, HealthModule, GraphModule, DatasetsModule, PublicationsModule, ReusesModule];

@Module({})
export class AppModule {
  static forRoot(options: CoreOptions): DynamicModule {
    return { module: AppModule, imports: [CoreModule.forRoot(options), ...FEATURE_MODULES] };
  }
}
