import { Global, Module } from '@nestjs/common';
import type { DynamicModule, Provider } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import { APP_CONFIG } from './config/config.module.js';
import type { AppConfig } from './config/env.schema.js';
import { buildDataSourceOptions } from './database/data-source.js';
import { DISPATCH_MODE, OUTBOX_QUEUE } from './jobs/jobs.queue.js';
import type { DispatchMode } from './jobs/jobs.queue.js';
import { JobsService } from './jobs/jobs.service.js';
import { OutboxDispatcher } from './jobs/outbox.dispatcher.js';
import { OutboxProcessor } from './jobs/outbox.processor.js';

export interface CoreOptions {
  config: AppConfig;
  /** The resolved database URL (DATABASE_URL or the embedded server's). */
  databaseUrl: string;
  dispatch: DispatchMode;
  applicationName: string;
}

/** Cross-cutting infrastructure, no business rules: config, database, logging, the outbox and its dispatchers. */
@Global()
@Module({})
export class CoreModule {
  static forRoot(options: CoreOptions): DynamicModule {
    const { config } = options;
    const providers: Provider[] = [
      { provide: APP_CONFIG, useValue: config },
      { provide: DISPATCH_MODE, useValue: options.dispatch },
      JobsService,
      OutboxDispatcher,
    ];
    const imports: DynamicModule[] = [
      LoggerModule.forRoot({
        pinoHttp: {
          level: config.LOG_LEVEL,
          redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
          // Fastify assigns the request id first (x-request-id or a new UUID); logs carry the same one.
          genReqId: (req) => (req as { id?: string }).id ?? 'unknown',
          customAttributeKeys: { reqId: 'requestId' },
          autoLogging: { ignore: (req) => (req.url ?? '').startsWith('/health') },
        },
      }),
      TypeOrmModule.forRoot({
        ...buildDataSourceOptions(options.databaseUrl, { applicationName: options.applicationName }),
      }),
    ];
    if (config.REDIS_URL) {
      const url = new URL(config.REDIS_URL);
      imports.push(
        BullModule.forRoot({
          connection: {
            host: url.hostname,
            port: Number(url.port || 6379),
            username: url.username || undefined,
            password: url.password ? decodeURIComponent(url.password) : undefined,
            db: url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0,
            tls: url.protocol === 'rediss:' ? {} : undefined,
            maxRetriesPerRequest: null,
          },
          prefix: config.REDIS_QUEUE_PREFIX,
        }),
        BullModule.registerQueue({ name: OUTBOX_QUEUE }),
      );
      if (options.dispatch.workers) providers.push(OutboxProcessor);
    }
    return {
      module: CoreModule,
      imports,
      providers,
      exports: [APP_CONFIG, JobsService, OutboxDispatcher, ...(config.REDIS_URL ? [BullModule] : [])],
    };
  }
}
