/** Exponential backoff with full jitter, capped (the "Exponential Backoff And Jitter" scheme). */
export function backoffDelayMs(attempt: number, random: number, opts: { baseMs: number; maxMs: number }): number {
  const ceiling = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.max(0, attempt - 1));
  // Half fixed, half random: never zero, still spreads a burst of failures over time.
  return Math.round(ceiling / 2 + (ceiling / 2) * Math.min(1, Math.max(0, random)));
}

/** Job keys travel as BullMQ job ids, which may not contain ':'. */
export function isValidJobKey(key: string): boolean {
  return /^[A-Za-z0-9._-]{1,200}$/.test(key);
}
