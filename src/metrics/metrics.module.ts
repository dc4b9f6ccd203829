import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module.js';
import { DatasetsModule } from '../datasets/datasets.module.js';
import { GraphModule } from '../graph/graph.module.js';
import { MetricsController } from './metrics.controller.js';
import { MetricsService } from './metrics.service.js';

@Module({
  imports: [GraphModule, DatasetsModule, AgentsModule],
  controllers: [MetricsController],
  providers: [MetricsService],
  exports: [MetricsService],
})
export class MetricsModule {}
