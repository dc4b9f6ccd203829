/** The one BullMQ queue that carries outbox rows between processes; BullMQ job data is only the outbox id. */
export const OUTBOX_QUEUE = 'ledger-jobs';

export interface OutboxQueueData {
  outboxId: string;
}

export interface DispatchMode {
  /** Move due outbox rows to BullMQ (with Redis) or run them here (without). */
  relay: boolean;
  /** Consume the BullMQ queue in this process. */
  workers: boolean;
}

export const DISPATCH_MODE = Symbol('DISPATCH_MODE');
