import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module.js';
import { DatasetsModule } from '../datasets/datasets.module.js';
import { GraphModule } from '../graph/graph.module.js';
import { LedgerModule } from '../ledger/ledger.module.js';
import { ContextsController } from './contexts.controller.js';
import { DatasetRepresentationsController } from './dataset-representations.controller.js';
import { NodesController } from './nodes.controller.js';
import { ProvenanceController } from './provenance.controller.js';
import { ProvenanceService } from './provenance.service.js';

@Module({
  imports: [LedgerModule, GraphModule, DatasetsModule, AgentsModule],
  controllers: [ProvenanceController, NodesController, DatasetRepresentationsController, ContextsController],
  providers: [ProvenanceService],
  exports: [ProvenanceService],
})
export class ProvenanceModule {}
