import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module.js';
import { DatasetsModule } from '../datasets/datasets.module.js';
import { GraphModule } from '../graph/graph.module.js';
import { LedgerModule } from '../ledger/ledger.module.js';
import { WebhooksModule } from '../webhooks/webhooks.module.js';
import { CitationsController } from './citations.controller.js';
import { CitationsService } from './citations.service.js';

@Module({
  imports: [LedgerModule, GraphModule, AgentsModule, DatasetsModule, WebhooksModule],
  controllers: [CitationsController],
  providers: [CitationsService],
  exports: [CitationsService],
})
export class CitationsModule {}
