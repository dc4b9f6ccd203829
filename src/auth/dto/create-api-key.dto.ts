import { ArrayMinSize, IsArray, IsIn, IsUUID } from 'class-validator';
import { ROLES } from '../entities/api-key.entity.js';
import type { Role } from '../entities/api-key.entity.js';
import { ReceiptDto } from '../../core/http/receipt.dto.js';

export class CreateApiKeyDto {
  /** The agent the key acts for; its writes are attributed to this agent in the ledger. */
  @IsUUID()
  agentId: string;

  /** One or more of admin, curator, depositor, funder, journal. */
  @IsArray()
  @ArrayMinSize(1)
  @IsIn(ROLES, { each: true })
  roles: Role[];
}

export class CreatedApiKeyDto {
  id: string;
  agentId: string;
  roles: Role[];
  /** The bearer token. Shown once: only its SHA-256 is stored. */
  token: string;
  createdAt: string;
  receipt: ReceiptDto;
}
