import { Module } from '@nestjs/common';
import { CheckpointService } from './checkpoint.service.js';
import { LedgerController } from './ledger.controller.js';
import { LedgerService } from './ledger.service.js';

@Module({
  controllers: [LedgerController],
  providers: [LedgerService, CheckpointService],
  exports: [LedgerService, CheckpointService],
})
export class LedgerModule {}
