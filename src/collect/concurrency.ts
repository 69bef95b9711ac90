/** Bounded concurrency and request pacing for collection (DESIGN §7 Fast: concurrent, yet within API rate limits). */

/** Maps `items` through `fn` with at most `limit` calls in flight; results keep the input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * At most `perWindow` requests in any window of `windowMs`, as the server counts them. CloudTrail LookupEvents
 * allows 2 requests per second per account and Region (FM §5.3). A slot is held from the start of a request until
 * `windowMs` after it completes: the server sees a request arrive somewhere between our start and its completion,
 * so spacing completions, not starts, keeps the server-side count within the limit however slow the client is.
 */
export class Pacer {
  private readonly slots: Array<{ end?: number }> = [];
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly perWindow = 2,
    readonly windowMs = 1000,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  /** Resolves, in call order, when one more request may start; call the returned function when it completes. */
  acquire(signal?: AbortSignal): Promise<() => void> {
    const turn = this.queue.then(async () => {
      for (;;) {
        const now = this.clock();
        for (let i = this.slots.length - 1; i >= 0; i--) {
          const end = this.slots[i]?.end;
          if (end !== undefined && now - end >= this.windowMs) this.slots.splice(i, 1);
        }
        if (this.slots.length < this.perWindow) {
          const slot: { end?: number } = {};
          this.slots.push(slot);
          return () => {
            slot.end ??= this.clock();
          };
        }
        const ends = this.slots.map((s) => s.end).filter((e): e is number => e !== undefined);
        const wait = ends.length > 0 ? Math.max(1, this.windowMs - (now - Math.min(...ends))) : 20;
        await sleep(Math.min(wait, 20), signal);
      }
    });
    // A rejected (aborted) turn must not block the ones after it.
    this.queue = turn.catch(() => undefined);
    return turn;
  }
}
