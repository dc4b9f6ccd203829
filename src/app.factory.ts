import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Logger as NestLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { OpenAPIObject } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module.js';
import type { CoreOptions } from './core/core.module.js';
import { ProblemDetailsFilter, sendProblem } from './core/http/problem-details.filter.js';
import { createValidationPipe } from './core/http/validation.js';

const REQUEST_ID = /^[A-Za-z0-9._-]{8,128}$/;

export function buildOpenApiDocument(app: NestFastifyApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Cell-image credit ledger')
    .setDescription(
      'DOIs, JSON-LD provenance, reuse and citation metrics for shared cell-image data, every fact recorded in an ' +
        'RFC 9162 Merkle log. Errors are RFC 9457 application/problem+json with a stable `code`.',
    )
    .setVersion('1')
    .addBearerAuth()
    .build();
  return SwaggerModule.createDocument(app, config);
}

/** Builds the HTTP application exactly as `npm start` runs it; tests use the same function. */
export async function createHttpApp(
  options: CoreOptions,
  opts: { logger?: boolean; preview?: boolean } = {},
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: options.config.BODY_LIMIT_BYTES,
    genReqId: (req: IncomingMessage) => {
      const header = req.headers['x-request-id'];
      const id = typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
      // nestjs-pino reads the id from the raw request, so logs and problem bodies carry the same one.
      (req as { id?: string }).id = id;
      return id;
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(options), adapter, {
    bufferLogs: true,
    abortOnError: false,
    // Preview builds the module graph without instantiating providers (no database): enough for the OpenAPI document.
    preview: opts.preview ?? false,
  });
  if (!opts.preview) app.useLogger(opts.logger === false ? false : app.get(Logger));
  app.useGlobalFilters(new ProblemDetailsFilter());
  app.useGlobalPipes(createValidationPipe());
  const fastify = app.getHttpAdapter().getInstance();
  // JSON-LD documents are JSON: parse them with Fastify's own JSON parser (same body limit, prototype-poisoning guard).
  fastify.addContentTypeParser(
    'application/ld+json',
    { parseAs: 'string' },
    fastify.getDefaultJsonParser('error', 'error'),
  );
  const logger = new NestLogger('http');
  fastify.addHook('onSend', async (request, reply, payload) => {
    void reply.header('x-request-id', String(request.id));
    return payload;
  });
  // Errors raised before Nest's pipeline (body too large, bad JSON, unsupported media type) get problem+json too.
  fastify.setErrorHandler((error, request, reply) => sendProblem(request, reply, error, logger));
  const document = buildOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'openapi.json', yamlDocumentUrl: 'openapi.yaml' });
  return app;
}
