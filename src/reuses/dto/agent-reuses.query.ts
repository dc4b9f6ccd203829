import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import type { IndependenceLevel } from '../independence.rules.js';
import { INDEPENDENCE_LEVELS, REUSE_TYPES } from '../reuses.rules.js';
import type { ReuseType } from '../reuses.rules.js';

export class AgentReusesQuery {
  @IsOptional()
  @IsIn(REUSE_TYPES)
  type?: ReuseType;

  @IsOptional()
  @IsIn(INDEPENDENCE_LEVELS)
  independence?: IndependenceLevel;

  /** Opaque cursor from the previous page's nextCursor. */
  @IsOptional()
  @IsString()
  cursor?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;
}
