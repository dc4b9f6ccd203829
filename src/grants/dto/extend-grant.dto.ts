import { IsOptional, IsString, Length, Matches } from 'class-validator';
import { DAY_PATTERN } from './create-grant.dto.js';

export class ExtendGrantDto {
  /** The new end of the performance period (an approved no-cost extension), YYYY-MM-DD. */
  @Matches(DAY_PATTERN, { message: 'must be a date YYYY-MM-DD' })
  end: string;

  @IsOptional()
  @IsString()
  @Length(1, 2000)
  reason?: string;
}
