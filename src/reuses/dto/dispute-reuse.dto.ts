import { IsIn, IsString, Length } from 'class-validator';
import type { DisputeOutcome } from '../reuses.rules.js';

export class DisputeReuseDto {
  /** Why the claim is wrong (e.g. the paper only cites the data descriptor). */
  @IsString()
  @Length(1, 5000)
  reason: string;
}

export class ResolveReuseDto {
  /** `upheld`: the dispute stands and the reuse stays excluded; `rejected`: the reuse counts again. */
  @IsIn(['upheld', 'rejected'])
  outcome: DisputeOutcome;
}
