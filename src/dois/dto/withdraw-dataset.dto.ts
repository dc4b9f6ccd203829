import { IsString, Length } from 'class-validator';
import { ReceiptDto } from '../../core/http/receipt.dto.js';
import type { DoiState } from '../../datasets/entities/dataset.entity.js';

export class WithdrawDatasetDto {
  /** Shown on the tombstone page and sent to DataCite as the Withdrawn date's dateInformation. */
  @IsString()
  @Length(3, 2000)
  reason: string;
}

export class WithdrawnDatasetDto {
  datasetId: string;
  withdrawnAt: string;
  reason: string;
  /** The DOI keeps resolving, to the tombstone page; it is hidden (registered), never deleted. */
  doi: string | null;
  doiState: DoiState;
  tombstoneUrl: string;
  receipt: ReceiptDto;
}
