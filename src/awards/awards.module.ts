import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module.js';
import { CredentialsModule } from '../credentials/credentials.module.js';
import { LedgerModule } from '../ledger/ledger.module.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { WebhooksModule } from '../webhooks/webhooks.module.js';
import { AwardsController } from './awards.controller.js';
import { AwardsService } from './awards.service.js';

@Module({
  imports: [LedgerModule, AgentsModule, MetricsModule, CredentialsModule, WebhooksModule],
  controllers: [AwardsController],
  providers: [AwardsService],
  exports: [AwardsService],
})
export class AwardsModule {}
