import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module.js';
import { DatasetsModule } from '../datasets/datasets.module.js';
import { DoisModule } from '../dois/dois.module.js';
import { GraphModule } from '../graph/graph.module.js';
import { LedgerModule } from '../ledger/ledger.module.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { PublicationsModule } from '../publications/publications.module.js';
import { FundersController } from './funders.controller.js';
import { GrantsController } from './grants.controller.js';
import { GrantsService } from './grants.service.js';

@Module({
  imports: [LedgerModule, GraphModule, AgentsModule, DatasetsModule, PublicationsModule, DoisModule, MetricsModule],
  controllers: [GrantsController, FundersController],
  providers: [GrantsService],
  exports: [GrantsService],
})
export class GrantsModule {}
