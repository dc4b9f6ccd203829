import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AgentsModule } from '../agents/agents.module.js';
import { LedgerModule } from '../ledger/ledger.module.js';
import { ApiKeysController } from './api-keys.controller.js';
import { ApiKeysService } from './api-keys.service.js';
import { AuthGuard } from './auth.guard.js';

@Module({
  imports: [LedgerModule, AgentsModule],
  controllers: [ApiKeysController],
  providers: [ApiKeysService, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [ApiKeysService],
})
export class AuthModule {}
