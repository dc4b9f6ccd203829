import { Module } from '@nestjs/common';
import { DatasetsModule } from '../datasets/datasets.module.js';
import { GraphModule } from '../graph/graph.module.js';
import { LedgerModule } from '../ledger/ledger.module.js';
import { PublicationsModule } from '../publications/publications.module.js';
import { VerificationsController } from './verifications.controller.js';
import { VerificationsService } from './verifications.service.js';

@Module({
  imports: [LedgerModule, GraphModule, DatasetsModule, PublicationsModule],
  controllers: [VerificationsController],
  providers: [VerificationsService],
  exports: [VerificationsService],
})
export class VerificationsModule {}
