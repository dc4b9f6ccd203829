import { Catch, HttpException, Logger } from '@nestjs/common';
import type { ArgumentsHost, ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { buildProblem, DomainError, PROBLEM_CONTENT_TYPE, statusOf } from './problem.js';
import type { ProblemBody } from './problem.js';

interface FrameworkError {
  statusCode?: number;
  status?: number;
  code?: string;
  message?: string;
}

const FRAMEWORK_CODES: Record<string, { status: number; code: string; detail?: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'BODY_TOO_LARGE' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'MALFORMED_BODY' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'MALFORMED_JSON', detail: 'the JSON body is empty' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'MALFORMED_JSON' },
};

const HTTP_STATUS_CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'ROUTE_NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  413: 'BODY_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'TOO_MANY_REQUESTS',
};

/** Maps anything thrown to an RFC 9457 body; never leaks a stack trace. */
export function toProblem(error: unknown, requestId: string, instance?: string): ProblemBody {
  if (error instanceof DomainError) {
    return buildProblem({
      status: statusOf(error.kind),
      code: error.code,
      detail: error.message,
      requestId,
      instance,
      errors: error.fields,
      extensions: error.extensions,
    });
  }
  const framework = error as FrameworkError | null;
  const known = framework?.code ? FRAMEWORK_CODES[framework.code] : undefined;
  if (known) {
    return buildProblem({
      status: known.status,
      code: known.code,
      detail: known.detail ?? framework?.message ?? known.code,
      requestId,
      instance,
    });
  }
  const frameworkStatus =
    error instanceof HttpException ? error.getStatus() : (framework?.statusCode ?? framework?.status);
  if (error instanceof SyntaxError || (frameworkStatus === 400 && /\bJSON\b/i.test(framework?.message ?? ''))) {
    return buildProblem({
      status: 400,
      code: 'MALFORMED_JSON',
      detail: 'the body is not valid JSON',
      requestId,
      instance,
    });
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    return buildProblem({
      status,
      code: HTTP_STATUS_CODES[status] ?? (status >= 500 ? 'INTERNAL_ERROR' : 'BAD_REQUEST'),
      detail: status === 404 ? `no route for ${instance ?? 'this path'}` : error.message,
      requestId,
      instance,
    });
  }
  if (typeof frameworkStatus === 'number' && frameworkStatus >= 400 && frameworkStatus < 500) {
    return buildProblem({
      status: frameworkStatus,
      code: HTTP_STATUS_CODES[frameworkStatus] ?? 'BAD_REQUEST',
      detail: framework?.message ?? 'bad request',
      requestId,
      instance,
    });
  }
  return buildProblem({
    status: 500,
    code: 'INTERNAL_ERROR',
    detail: 'an unexpected error occurred',
    requestId,
    instance,
  });
}

@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const request = ctx.getRequest<FastifyRequest>();
    const reply = ctx.getResponse<FastifyReply>();
    sendProblem(request, reply, exception, this.logger);
  }
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, exception: unknown, logger: Logger): void {
  const problem = toProblem(exception, String(request.id), request.url.split('?')[0]);
  if (problem.status >= 500) {
    logger.error({ err: exception, requestId: request.id }, 'request failed');
  }
  void reply.status(problem.status).header('content-type', PROBLEM_CONTENT_TYPE).send(problem);
}
