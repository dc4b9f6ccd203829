import { createParamDecorator, SetMetadata } from '@nestjs/common';
import type { ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Role } from './entities/api-key.entity.js';

export const PUBLIC_ROUTE = 'auth:public';
export const REQUIRED_ROLES = 'auth:roles';

/** Marks a route readable without a token. Every other route requires one (the guard is global). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/** Roles allowed on a route (any of them); admin is always allowed. */
export const Roles = (...roles: Role[]) => SetMetadata(REQUIRED_ROLES, roles);

/** Who is calling: an API key's agent and roles, or the boot admin token. */
export interface Principal {
  agentId: string | null;
  roles: Role[];
  keyId: string | null;
}

export const ANONYMOUS: Principal = { agentId: null, roles: [], keyId: null };

export type AuthenticatedRequest = FastifyRequest & { principal?: Principal };

export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const request = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
  return request.principal ?? ANONYMOUS;
});

export function hasRole(principal: Principal, ...roles: Role[]): boolean {
  return principal.roles.includes('admin') || roles.some((r) => principal.roles.includes(r));
}
