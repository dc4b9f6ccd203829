import type { ValueTransformer } from 'typeorm';

/** node-postgres returns int8 as a decimal string; log sequence numbers are `bigint` in TypeScript. */
export const bigintTransformer: ValueTransformer = {
  to: (value: bigint | null | undefined) => (value === null || value === undefined ? value : value.toString()),
  from: (value: string | null) => (value === null ? null : BigInt(value)),
};
