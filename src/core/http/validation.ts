import { ValidationPipe } from '@nestjs/common';
import type { ValidationError } from 'class-validator';
import { ValidationFailedError } from './problem.js';
import type { FieldProblem } from './problem.js';

/** Flattens class-validator's tree into `{field: "creators.0.orcid", message}` entries. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const error of errors) {
    const field = parent ? `${parent}.${error.property}` : error.property;
    for (const [constraint, message] of Object.entries(error.constraints ?? {})) {
      out.push({
        field,
        message:
          constraint === 'whitelistValidation'
            ? 'is not a known field'
            : message.replace(new RegExp(`^${escape(error.property)} `), ''),
      });
    }
    if (error.children && error.children.length > 0) out.push(...flattenValidationErrors(error.children, field));
  }
  return out;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Unknown fields are rejected, not silently dropped: a typo in a field name must not lose data. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => {
      const fields = flattenValidationErrors(errors);
      const unknown = fields.some((f) => f.message === 'is not a known field');
      return new ValidationFailedError(fields, unknown ? 'UNKNOWN_FIELD' : 'VALIDATION_FAILED');
    },
  });
}
