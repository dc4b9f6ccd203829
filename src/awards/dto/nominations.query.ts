import { IsIn, IsOptional, Matches } from 'class-validator';
import type { AwardKind } from '../awards.rules.js';

export class NominationsQuery {
  /** symbiont (depositors whose data were reused) or parasite (reusers who shared derived data). */
  @IsIn(['symbiont', 'parasite'])
  kind: AwardKind;

  /** Judge by the works' own dates (publication issued, dataset release) up to this day; default today (UTC). */
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'asOf must be YYYY-MM-DD' })
  asOf?: string;
}
