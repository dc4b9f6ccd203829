import { Module } from '@nestjs/common';
import { GraphModule } from '../graph/graph.module.js';
import { LedgerModule } from '../ledger/ledger.module.js';
import { FiguresController } from './figures.controller.js';
import { FiguresService } from './figures.service.js';

@Module({
  imports: [LedgerModule, GraphModule],
  controllers: [FiguresController],
  providers: [FiguresService],
  exports: [FiguresService],
})
export class FiguresModule {}
