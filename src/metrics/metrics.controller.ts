import { Controller, Get, Param } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/auth.decorators.js';
import { UuidPipe } from '../core/http/uuid.pipe.js';
import {
  AgentMetricsDto,
  DatasetCreditDto,
  DatasetMetricsDto,
  GrantMetricsDto,
  toAgentMetricsDto,
  toDatasetCreditDto,
  toDatasetMetricsDto,
  toGrantMetricsDto,
} from './dto/metrics.dto.js';
import { MetricsService } from './metrics.service.js';

@ApiTags('metrics')
@Controller('v1')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  /** Citation and reuse counts, independence split, time to first independent reuse and transitive credit. */
  @Get('datasets/:id/metrics')
  @Public()
  async dataset(@Param('id', UuidPipe) id: string): Promise<DatasetMetricsDto> {
    return toDatasetMetricsDto(await this.metrics.datasetMetrics(id));
  }

  /** Every credit path from a publication to the dataset, with the ledger seq of each edge, to recompute by hand. */
  @Get('datasets/:id/credit')
  @Public()
  async credit(@Param('id', UuidPipe) id: string): Promise<DatasetCreditDto> {
    return toDatasetCreditDto(await this.metrics.datasetMetrics(id), this.metrics.policy);
  }

  /** Metrics over the datasets the agent created, with the data-reuse h-index. */
  @Get('agents/:id/metrics')
  @Public()
  async agent(@Param('id', UuidPipe) id: string): Promise<AgentMetricsDto> {
    return toAgentMetricsDto(await this.metrics.agentMetrics(id));
  }

  /** Dataset metrics aggregated over the datasets funded by the grant. */
  @Get('grants/:id/metrics')
  @Public()
  async grant(@Param('id', UuidPipe) id: string): Promise<GrantMetricsDto> {
    return toGrantMetricsDto(await this.metrics.grantMetrics(id));
  }
}
