/**
 * SDK clients, each module imported on first use and each client created once per collection. The SDK ignores
 * HTTPS_PROXY, HTTP_PROXY and NO_PROXY; when one is set, each client gets agents that honour them (../proxy.ts).
 */
import type { AwsContext } from './context.js';
import { silenceSdkNodeWarning } from './context.js';
import { interop } from '../interop.js';

import type * as Eks from '@aws-sdk/client-eks';
import type * as Iam from '@aws-sdk/client-iam';
import type * as Sts from '@aws-sdk/client-sts';
import type * as CloudTrail from '@aws-sdk/client-cloudtrail';
import type * as Logs from '@aws-sdk/client-cloudwatch-logs';

type EksModule = typeof Eks;
type IamModule = typeof Iam;
type StsModule = typeof Sts;
type CloudTrailModule = typeof CloudTrail;
type LogsModule = typeof Logs;

export interface Loaded<M, C> {
  sdk: M;
  client: C;
}

export class AwsClients {
  private readonly cache = new Map<string, Promise<unknown>>();

  constructor(readonly ctx: AwsContext) {
    silenceSdkNodeWarning();
  }

  /** The context's client configuration, with proxy-aware agents when a proxy variable is set. */
  private async config(region?: string): Promise<Record<string, unknown>> {
    const { withProxyAgents } = await import('../proxy.js');
    return withProxyAgents(this.ctx.clientConfig(region));
  }

  private once<T>(key: string, make: () => Promise<T>): Promise<T> {
    let value = this.cache.get(key) as Promise<T> | undefined;
    if (!value) {
      value = make();
      this.cache.set(key, value);
    }
    return value;
  }

  eks(): Promise<Loaded<EksModule, InstanceType<EksModule['EKSClient']>>> {
    return this.once('eks', async () => {
      const sdk = interop(await import('@aws-sdk/client-eks'), 'EKSClient');
      return { sdk, client: this.ctx.track(new sdk.EKSClient(await this.config())) };
    });
  }

  /** IAM is global: the SDK signs for us-east-1 (aws partition) whatever the region given. */
  iam(): Promise<Loaded<IamModule, InstanceType<IamModule['IAMClient']>>> {
    return this.once('iam', async () => {
      const sdk = interop(await import('@aws-sdk/client-iam'), 'IAMClient');
      return { sdk, client: this.ctx.track(new sdk.IAMClient(await this.config())) };
    });
  }

  sts(): Promise<Loaded<StsModule, InstanceType<StsModule['STSClient']>>> {
    return this.once('sts', async () => {
      const sdk = interop(await import('@aws-sdk/client-sts'), 'STSClient');
      return { sdk, client: this.ctx.track(new sdk.STSClient(await this.config())) };
    });
  }

  cloudTrail(
    region: string,
  ): Promise<Loaded<CloudTrailModule, InstanceType<CloudTrailModule['CloudTrailClient']>>> {
    return this.once(`cloudtrail:${region}`, async () => {
      const sdk = interop(await import('@aws-sdk/client-cloudtrail'), 'CloudTrailClient');
      return { sdk, client: this.ctx.track(new sdk.CloudTrailClient(await this.config(region))) };
    });
  }

  logs(): Promise<Loaded<LogsModule, InstanceType<LogsModule['CloudWatchLogsClient']>>> {
    return this.once('logs', async () => {
      const sdk = interop(await import('@aws-sdk/client-cloudwatch-logs'), 'CloudWatchLogsClient');
      return { sdk, client: this.ctx.track(new sdk.CloudWatchLogsClient(await this.config())) };
    });
  }
}
