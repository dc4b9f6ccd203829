import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, IsUrl, Length, ValidateNested } from 'class-validator';
import type { VerificationPolicy } from '../verifications.rules.js';

export const VERIFICATION_POLICIES: readonly VerificationPolicy[] = [
  'plos',
  'springer-nature',
  'cell-press',
  'default',
];

export class ReviewerLinkDto {
  /** The identifier (DOI, accession or URL, as in the statement) the link gives access to. */
  @IsString()
  @Length(1, 500)
  identifier: string;

  /** A private review link, e.g. a reviewer URL of the repository. */
  @IsUrl({ require_protocol: true, protocols: ['https'] })
  url: string;
}

export class CreateVerificationDto {
  /** The journal's manuscript id; verifying it again links the new report to the previous one. */
  @IsString()
  @Length(1, 200)
  manuscriptId: string;

  @IsOptional()
  @IsString()
  @Length(1, 300)
  journal?: string;

  /** Journal policy profile (default `default`). */
  @IsOptional()
  @IsIn(VERIFICATION_POLICIES)
  policy?: VerificationPolicy;

  /** The data availability statement as submitted (may be empty: that fails with STATEMENT_MISSING). */
  @IsString()
  @Length(0, 20000)
  statement: string;

  /** More identifiers (DOIs, accessions, URLs) the authors listed outside the statement. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @IsString({ each: true })
  @Length(1, 500, { each: true })
  identifiers?: string[];

  /** Submission date (default: now), YYYY-MM-DD or an RFC 3339 timestamp. */
  @IsOptional()
  @IsString()
  @Length(10, 40)
  submittedAt?: string;

  /** Expected publication date: embargoes ending after it fail. */
  @IsOptional()
  @IsString()
  @Length(10, 40)
  expectedPublicationDate?: string;

  /** The article's DOI when known: a recorded dataset-article relation then passes RELATION_PRESENT. */
  @IsOptional()
  @IsString()
  @Length(1, 300)
  articleDoi?: string;

  /** Private review links for data not public yet (Cell Press asks for reviewer access). */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => ReviewerLinkDto)
  reviewerLinks?: ReviewerLinkDto[];
}
