/**
 * One call to AWS or Kubernetes with a per-attempt timeout and bounded retries: throttling backs off and retries up
 * to 4 attempts, 5xx and dropped connections retry once, timeouts never (a hung endpoint would only double the
 * wait). SDK retries are off (maxAttempts 1) so that every attempt passes through the CloudTrail pacer.
 */
import { classifyError } from './failure.js';
import { sleep, type Pacer } from './concurrency.js';

export interface CallPolicy {
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  pacer?: Pacer | undefined;
  /** Base of the exponential backoff after throttling (ms). */
  backoffMs?: number | undefined;
}

const MAX_ATTEMPTS = { throttled: 4, server: 2, network: 2 } as const;

export class TimeoutError extends Error {
  override name = 'TimeoutError';
}

export async function callWithRetry<T>(
  fn: (signal: AbortSignal) => Promise<T>,
  policy: CallPolicy,
): Promise<T> {
  const base = policy.backoffMs ?? 250;
  for (let attempt = 1; ; attempt++) {
    const release = await policy.pacer?.acquire(policy.signal);
    const timeout = AbortSignal.timeout(policy.timeoutMs);
    const signal = policy.signal ? AbortSignal.any([policy.signal, timeout]) : timeout;
    try {
      return await fn(signal);
    } catch (error) {
      release?.();
      if (policy.signal?.aborted) throw error;
      if (timeout.aborted) throw new TimeoutError(`no answer within ${policy.timeoutMs} ms`);
      const kind = classifyError(error);
      const max = kind === 'throttled' || kind === 'server' || kind === 'network' ? MAX_ATTEMPTS[kind] : 1;
      if (attempt >= max) throw error;
      const delay = kind === 'throttled' ? Math.min(2000, base * 2 ** (attempt - 1)) : base;
      await sleep(delay + Math.floor(Math.random() * (base / 2)), policy.signal);
    } finally {
      release?.();
    }
  }
}
