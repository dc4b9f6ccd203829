import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module.js';
import { CitationsModule } from '../citations/citations.module.js';
import { DatasetsModule } from '../datasets/datasets.module.js';
import { DoisModule } from '../dois/dois.module.js';
import { ProvenanceModule } from '../provenance/provenance.module.js';
import { LandingController } from './landing.controller.js';
import { LandingService } from './landing.service.js';

/** Human-facing pages: the landing page every dataset DOI resolves to. */
@Module({
  imports: [DatasetsModule, AgentsModule, CitationsModule, ProvenanceModule, DoisModule],
  controllers: [LandingController],
  providers: [LandingService],
})
export class LandingModule {}
