/** What every source of one collection shares: options, clients, the call policy and progress tracking. */
import type { ParsedArn } from '../eks/arn.js';
import { parseArn } from '../eks/arn.js';
import type { AwsClients } from './aws/clients.js';
import type { AwsContext } from './aws/context.js';
import type { Pacer } from './concurrency.js';
import { NotCollected, SourceFailure, describeError, type Failure } from './failure.js';
import type { CallPolicy } from './retry.js';
import type { CollectOptions, ProgressListener, ProgressSource } from './types.js';

export type Evidence<T> = { status: 'ok'; data: T } | Failure | { status: 'absent' };
export type Call = <T>(fn: (signal: AbortSignal) => Promise<T>) => Promise<T>;
export type Principal = ParsedArn & { arn: string };
export type Work<T> = () => Promise<{ data: T; detail?: string | undefined }>;

export interface CollectRun {
  options: CollectOptions;
  aws: AwsContext;
  clients: AwsClients;
  policy: CallPolicy;
  call: Call;
  window: { start: Date; end: Date };
  pacers: Map<string, Pacer>;
  /** Runs one source: progress events, and any failure turned into that source's evidence. */
  track<T>(source: ProgressSource, work: Work<T>): Promise<Evidence<T>>;
}

export function tracker(
  options: CollectOptions,
  onProgress: ProgressListener | undefined,
): CollectRun['track'] {
  return async <T>(source: ProgressSource, work: Work<T>): Promise<Evidence<T>> => {
    onProgress?.({ source, state: 'start' });
    try {
      const { data, detail } = await work();
      onProgress?.({ source, state: 'ok', ...(detail ? { detail } : {}) });
      return { status: 'ok', data };
    } catch (error) {
      if (options.signal?.aborted) throw error;
      if (error instanceof NotCollected) {
        onProgress?.({ source, state: 'absent', detail: error.message });
        return { status: 'absent' };
      }
      const failure: Failure =
        error instanceof SourceFailure
          ? error.failure
          : { status: 'error', message: describeError(source, error) };
      onProgress?.({
        source,
        state: failure.status,
        detail: failure.status === 'denied' ? `needs ${failure.permission}` : failure.message,
      });
      return failure;
    }
  };
}

export function safeParse(arn: string): Principal | undefined {
  try {
    return { ...parseArn(arn), arn: arn.trim() };
  } catch {
    return undefined;
  }
}

export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

export function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
