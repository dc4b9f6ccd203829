import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module.js';
import { DatasetsModule } from '../datasets/datasets.module.js';
import { GraphModule } from '../graph/graph.module.js';
import { LedgerModule } from '../ledger/ledger.module.js';
import { PublicationsModule } from '../publications/publications.module.js';
import { WebhooksModule } from '../webhooks/webhooks.module.js';
import { ReusesController } from './reuses.controller.js';
import { ReusesService } from './reuses.service.js';

@Module({
  imports: [LedgerModule, GraphModule, AgentsModule, DatasetsModule, PublicationsModule, WebhooksModule],
  controllers: [ReusesController],
  providers: [ReusesService],
  exports: [ReusesService],
})
export class ReusesModule {}
