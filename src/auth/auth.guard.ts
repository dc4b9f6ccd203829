import { Inject, Injectable } from '@nestjs/common';
import type { CanActivate, ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { APP_CONFIG } from '../core/config/config.module.js';
import type { AppConfig } from '../core/config/env.schema.js';
import { ApiKeysService } from './api-keys.service.js';
import { hasRole, PUBLIC_ROUTE, REQUIRED_ROLES } from './auth.decorators.js';
import type { AuthenticatedRequest, Principal } from './auth.decorators.js';
import { MissingRoleError, UnauthenticatedError } from './auth.errors.js';
import { bearerToken, tokensEqual } from './auth.rules.js';
import type { Role } from './entities/api-key.entity.js';

/** Global guard: every route needs a valid token unless marked @Public(); @Roles narrows who may call it. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeysService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    const isPublic = this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets) ?? false;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const token = bearerToken(request.headers.authorization);
    const principal = token ? await this.authenticate(token) : null;
    if (principal) request.principal = principal;
    if (isPublic) return true;
    if (!principal) throw new UnauthenticatedError(token ? 'the bearer token is not valid' : undefined);
    const roles = this.reflector.getAllAndOverride<Role[]>(REQUIRED_ROLES, targets);
    if (roles && roles.length > 0 && !hasRole(principal, ...roles)) throw new MissingRoleError(roles);
    return true;
  }

  private async authenticate(token: string): Promise<Principal | null> {
    if (this.config.LEDGER_ADMIN_TOKEN && tokensEqual(token, this.config.LEDGER_ADMIN_TOKEN)) {
      return { agentId: null, roles: ['admin'], keyId: null };
    }
    return this.keys.resolve(token);
  }
}
