import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module.js';
import { GraphService } from './graph.service.js';

@Module({
  imports: [LedgerModule],
  providers: [GraphService],
  exports: [GraphService],
})
export class GraphModule {}
