import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { DoiTargetState, LocalDoiState, RemoteDoiState } from '../datacite.rules.js';

export type DoiProviderName = 'fake' | 'datacite';

/** What went wrong last, for curators (DataCite's verbatim errors[].source/title) and operators. */
export interface DoiLastError {
  code: string;
  /** HTTP status of DataCite's answer; null for timeouts, network errors and local checks. */
  status: number | null;
  reason: string;
  errors: Array<{ source: string | null; title: string }>;
  at: string;
}

/**
 * One dataset's DOI. The name is chosen and stored before any call to DataCite (datacite.md §9.2) and never changes;
 * the job that talks to DataCite moves `state` and mirrors it on the dataset row.
 */
@Entity({ name: 'doi_registrations' })
export class DoiRegistrationEntity {
  @PrimaryColumn({ name: 'dataset_id', type: 'uuid' })
  datasetId: string;

  /** Lower case (DOIs are case-insensitive, §9.1); unique so that no two datasets can ever share a name (§9.5). */
  @Index('doi_registrations_doi_key', { unique: true })
  @Column({ type: 'text' })
  doi: string;

  @Column({ type: 'text' })
  provider: DoiProviderName;

  /** Ours: `pending` until the post-conditions (§10) pass, then the confirmed remote state; `failed` when parked. */
  @Column({ type: 'text' })
  state: Exclude<LocalDoiState, 'none'>;

  /** `findable` for a live dataset, `registered` once it is withdrawn (§12). */
  @Column({ name: 'target_state', type: 'text', default: 'findable' })
  targetState: DoiTargetState;

  /** The state DataCite (or the fake) last reported, whether or not the post-conditions passed. */
  @Column({ name: 'remote_state', type: 'text', nullable: true })
  remoteState: RemoteDoiState | null;

  /** Every call made to the provider for this DOI. */
  @Column({ type: 'integer', default: 0 })
  attempts: number;

  /** Consecutive failed calls, and since when: the retry budget of §11 (≈12 attempts or 24 h). */
  @Column({ type: 'integer', default: 0 })
  failures: number;

  @Column({ name: 'failing_since', type: 'timestamptz', nullable: true })
  failingSince: Date | null;

  @Column({ name: 'last_error', type: 'jsonb', nullable: true })
  lastError: DoiLastError | null;

  /** When the first PUT was sent: a 200 (not 201) to the very first one means the name was taken (§9.5). */
  @Column({ name: 'put_sent_at', type: 'timestamptz', nullable: true })
  putSentAt: Date | null;

  /** Hash of the full record (and target state) last accepted by the provider: the same record is never re-sent. */
  @Column({ name: 'applied_hash', type: 'text', nullable: true })
  appliedHash: string | null;

  @Column({ name: 'applied_at', type: 'timestamptz', nullable: true })
  appliedAt: Date | null;

  /** DataCite's `registered`: the first successful Handle registration (§10.3). */
  @Column({ name: 'registered_at', type: 'timestamptz', nullable: true })
  registeredAt: Date | null;

  @Column({ name: 'findable_at', type: 'timestamptz', nullable: true })
  findableAt: Date | null;

  @Column({ name: 'requested_by', type: 'uuid', nullable: true })
  requestedBy: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
