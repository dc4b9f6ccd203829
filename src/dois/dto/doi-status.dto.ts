import { ReceiptDto } from '../../core/http/receipt.dto.js';
import type { DoiState } from '../../datasets/entities/dataset.entity.js';
import type { DoiTargetState } from '../datacite.rules.js';
import type { DoiProviderName, DoiRegistrationEntity } from '../entities/doi-registration.entity.js';

export const FAKE_PROVIDER_NOTICE = 'fake DOI provider: this DOI is not registered anywhere and does not resolve';

export class DoiErrorEntryDto {
  /** The attribute DataCite names (`url`, `creators`, …), or null. */
  source: string | null;
  title: string;
}

export class DoiLastErrorDto {
  /** Stable code: DataCite failure codes (BAD_CREDENTIALS, VALIDATION, RATE_LIMITED, …) or local ones. */
  code: string;
  /** DataCite's HTTP status; null for timeouts, network errors and local checks. */
  status: number | null;
  reason: string;
  /** DataCite's `errors[].source/title`, verbatim. */
  errors: DoiErrorEntryDto[];
  at: string;
}

export class DoiStatusDto {
  datasetId: string;
  /** Final from the request on; share it only once `doiState` is `findable`. */
  doi: string | null;
  doiState: DoiState;
  /** `fake` records are not registered anywhere; `datacite` ones at DATACITE_API_URL. Null before a request. */
  provider: DoiProviderName | null;
  /** Set when the DOI does not resolve (fake provider). */
  notice: string | null;
  /** `findable`, or `registered` once the dataset is withdrawn. */
  targetState: DoiTargetState | null;
  /** DataCite's `registered`: the Handle resolves from then on. */
  registeredAt: string | null;
  findableAt: string | null;
  /** Calls made to the provider for this DOI. */
  attempts: number;
  lastError: DoiLastErrorDto | null;
  updatedAt: string | null;
}

export class DoiRequestedDto {
  datasetId: string;
  doi: string;
  doiState: DoiState;
  provider: DoiProviderName;
  notice: string | null;
  receipt: ReceiptDto;
}

export function toDoiRequestedDto(datasetId: string, reg: DoiRegistrationEntity, receipt: ReceiptDto): DoiRequestedDto {
  return {
    datasetId,
    doi: reg.doi,
    doiState: reg.state,
    provider: reg.provider,
    notice: reg.provider === 'fake' ? FAKE_PROVIDER_NOTICE : null,
    receipt,
  };
}

export function toDoiStatusDto(datasetId: string, reg: DoiRegistrationEntity | null): DoiStatusDto {
  if (!reg) {
    return {
      datasetId,
      doi: null,
      doiState: 'none',
      provider: null,
      notice: null,
      targetState: null,
      registeredAt: null,
      findableAt: null,
      attempts: 0,
      lastError: null,
      updatedAt: null,
    };
  }
  return {
    datasetId,
    doi: reg.doi,
    doiState: reg.state,
    provider: reg.provider,
    notice: reg.provider === 'fake' ? FAKE_PROVIDER_NOTICE : null,
    targetState: reg.targetState,
    registeredAt: reg.registeredAt?.toISOString() ?? null,
    findableAt: reg.findableAt?.toISOString() ?? null,
    attempts: reg.attempts,
    lastError: reg.lastError,
    updatedAt: reg.updatedAt.toISOString(),
  };
}
