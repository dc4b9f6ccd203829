import { ConflictError, ValidationFailedError } from '../core/http/problem.js';
import type { ImagePartProblem } from './images.rules.js';

export class InvalidImagePartsError extends ValidationFailedError {
  constructor(problems: readonly ImagePartProblem[]) {
    super(
      problems.map((problem) => ({ field: problem.field, message: problem.message })),
      problems[0].code,
    );
  }
}

export class ImagePartConflictError extends ConflictError {
  constructor(index: number, id: string) {
    super(`images.${index} is already registered as ${id} with another checksum, size or label`, 'IMAGE_CONFLICT', {
      field: `images.${index}`,
      id,
    });
  }
}
