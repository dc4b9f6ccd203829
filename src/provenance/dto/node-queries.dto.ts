import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { MAX_LINEAGE_DEPTH, PROV_FORMATS } from '../exports.rules.js';
import type { ProvFormat } from '../exports.rules.js';

export class LineageQuery {
  /** upstream: what the node was made from; downstream: what was built on it. */
  @IsOptional()
  @IsIn(['upstream', 'downstream'])
  direction?: 'upstream' | 'downstream';

  /** Hops to follow (default 5, at most 50). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_LINEAGE_DEPTH)
  depth?: number;
}

export class ExportQuery {
  /** Hops to follow upstream and downstream from the node (default 5, at most 50). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_LINEAGE_DEPTH)
  depth?: number;
}

export class ProvQuery extends ExportQuery {
  /** prov-json (default; W3C PROV-JSON), nquads (application/n-quads) or jsonld (the PROV triples as JSON-LD). */
  @IsOptional()
  @IsIn(PROV_FORMATS)
  format?: ProvFormat;
}
