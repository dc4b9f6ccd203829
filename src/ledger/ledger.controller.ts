import { Controller, Get, Header, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Public, Roles } from '../auth/auth.decorators.js';
import { CheckpointService } from './checkpoint.service.js';
import { ConsistencyProofDto, InclusionProofDto, LedgerEntryDto, PublicKeyDto } from './dto/ledger.dto.js';
import { InvalidIndexError } from './ledger.errors.js';
import { parseIndex } from './ledger.rules.js';
import { LedgerService } from './ledger.service.js';

function index(name: string, value: string | undefined): bigint {
  const parsed = value === undefined ? null : parseIndex(value);
  if (parsed === null) throw new InvalidIndexError(name, value ?? '');
  return parsed;
}

@ApiTags('ledger')
@Controller('v1/ledger')
export class LedgerController {
  constructor(
    private readonly ledger: LedgerService,
    private readonly checkpoints: CheckpointService,
  ) {}

  /** The newest C2SP checkpoint (signed note): origin, tree size, base64 root hash, Ed25519 signature line. */
  @Get('checkpoint')
  @Public()
  @ApiProduces('text/plain')
  @Header('content-type', 'text/plain; charset=utf-8')
  @Header('cache-control', 'public, max-age=5')
  async checkpoint(): Promise<string> {
    return (await this.checkpoints.current()).note;
  }

  /** Signs a checkpoint of the current tree now (admin). */
  @Post('checkpoint')
  @HttpCode(200)
  @ApiBearerAuth()
  @Roles('admin')
  @ApiProduces('text/plain')
  @Header('content-type', 'text/plain; charset=utf-8')
  async publish(): Promise<string> {
    return (await this.checkpoints.publish()).note;
  }

  @Get('public-key')
  @Public()
  publicKey(): PublicKeyDto {
    return this.checkpoints.publicKeyInfo();
  }

  @Get('entries/:seq')
  @Public()
  async entry(@Param('seq') seq: string): Promise<LedgerEntryDto> {
    const entry = await this.ledger.entry(index('seq', seq));
    return {
      seq: entry.seq.toString(),
      kind: entry.kind,
      payload: entry.payload,
      actor: entry.actor,
      createdAt: entry.createdAt,
      leafHash: entry.leafHash.toString('hex'),
    };
  }

  /** Audit path for an entry in a tree of `treeSize` leaves (default: the latest checkpoint's size). */
  @Get('entries/:seq/inclusion')
  @Public()
  @ApiQuery({ name: 'treeSize', required: false, type: String })
  async inclusion(@Param('seq') seq: string, @Query('treeSize') treeSize?: string): Promise<InclusionProofDto> {
    const m = index('seq', seq);
    const n = treeSize === undefined ? (await this.checkpoints.current()).size : index('treeSize', treeSize);
    const proof = await this.ledger.inclusionProof(m, n);
    return {
      seq: m.toString(),
      treeSize: n.toString(),
      leafHash: proof.leafHash.toString('hex'),
      rootHash: proof.rootHash.toString('hex'),
      path: proof.path.map((p) => p.toString('hex')),
    };
  }

  @Get('consistency')
  @Public()
  @ApiQuery({ name: 'from', required: true, type: String })
  @ApiQuery({ name: 'to', required: true, type: String })
  async consistency(@Query('from') from?: string, @Query('to') to?: string): Promise<ConsistencyProofDto> {
    const m = index('from', from);
    const n = index('to', to);
    const proof = await this.ledger.consistencyProof(m, n);
    return {
      from: m.toString(),
      to: n.toString(),
      fromRoot: proof.fromRoot.toString('hex'),
      toRoot: proof.toRoot.toString('hex'),
      path: proof.path.map((p) => p.toString('hex')),
    };
  }
}
