import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module.js';
import { APP_CONFIG } from '../core/config/config.module.js';
import type { AppConfig } from '../core/config/env.schema.js';
import { DatasetsModule } from '../datasets/datasets.module.js';
import { GraphModule } from '../graph/graph.module.js';
import { LedgerModule } from '../ledger/ledger.module.js';
import { WebhooksModule } from '../webhooks/webhooks.module.js';
import { createDoiProvider, DOI_PROVIDER } from './doi-provider.js';
import { DoisController } from './dois.controller.js';
import { DoiSyncProcessor } from './dois.processor.js';
import { DoisService } from './dois.service.js';

@Module({
  imports: [LedgerModule, GraphModule, AgentsModule, DatasetsModule, WebhooksModule],
  controllers: [DoisController],
  providers: [
    DoisService,
    DoiSyncProcessor,
    { provide: DOI_PROVIDER, inject: [APP_CONFIG], useFactory: (config: AppConfig) => createDoiProvider(config) },
  ],
  exports: [DoisService],
})
export class DoisModule {}
