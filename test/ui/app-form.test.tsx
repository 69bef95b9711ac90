/** The live path: start form, cluster list, collection progress, cancelling, and the verdict it ends in. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CollectOptions, ProgressEvent } from '../../src/collect/types.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import type { AppServices } from '../../src/ui/services.js';
import { fakeServices, fits, KEYS, renderApp, type Harness } from './harness.js';

const ALICE = 'arn:aws:iam::111122223333:user/alice';
const PASTE = `E1120 09:30:00.000000 memcache.go:265] couldn't get current server API group list: the server has asked for the client to provide credentials`;
const kube = {
  context: 'arn:aws:eks:ap-northeast-2:111122223333:cluster/platform-prod',
  cluster: 'platform-prod',
  region: 'ap-northeast-2',
  profile: 'oncall',
  kubeconfig: '/home/me/.kube/config',
};
const formStart = { kind: 'form' as const, kube };

/** A collection the test drives: progress events and the end of it are in the test's hands. */
function controllableCollect() {
  let progress: (event: ProgressEvent) => void = () => undefined;
  let finish: (snapshot: Snapshot) => void = () => undefined;
  let options: CollectOptions | undefined;
  const collect = vi.fn(
    (opts: CollectOptions, onProgress: (event: ProgressEvent) => void) =>
      new Promise<Snapshot>((resolve, reject) => {
        options = opts;
        progress = onProgress;
        finish = resolve;
        opts.signal?.addEventListener('abort', () => reject(new Error('aborted')));
      }),
  );
  return {
    collect: collect as unknown as AppServices['collect'],
    emit: (event: ProgressEvent) => progress(event),
    finish: (snapshot: Snapshot) => finish(snapshot),
    options: () => options,
  };
}

let harness: Harness | undefined;
afterEach(() => harness?.unmount());

describe('start form', () => {
  it('is pre-filled from the kubeconfig context and fits 80×24', async () => {
    harness = await renderApp(formStart, fakeServices(), { columns: 80, rows: 24 });
    const frame = harness.frame();
    expect(frame).toMatch(/Cluster +platform-prod/);
    expect(frame).toMatch(/Region +ap-northeast-2/);
    expect(frame).toMatch(/Profile +oncall/);
    expect(frame).toContain('kubeconfig context: arn:aws:eks:ap-northeast-2');
    expect(frame).toMatch(/› Error +paste the failing output/);
    expect(fits(frame, { columns: 80, rows: 24 })).toBe(true);
  });

  it('reads the paste as it arrives and fills the fields it names', async () => {
    const parse = vi.fn(async () => ({
      status: 401,
      principalArn: ALICE,
      clusterName: 'staging',
      facts: ['unauthorized'],
    }));
    harness = await renderApp(formStart, fakeServices({ parse }));
    await harness.type(PASTE.slice(0, 40));
    await harness.type(PASTE.slice(40));
    // The paste is read again once it stops changing: the last read has the whole of it.
    await vi.waitFor(() => expect(parse).toHaveBeenLastCalledWith([PASTE]), { timeout: 5000 });
    const frame = await harness.until((f) => f.includes('Read from the error'), 'the parsed preview');
    expect(frame).toMatch(
      /Read from the error: 401 · principal arn:aws:iam::111122223333:user\/alice · cluster staging/,
    );
    expect(frame).toMatch(/Principal +arn:aws:iam::111122223333:user\/alice +from the error/);
    expect(frame).toMatch(/Cluster +staging +from the error/);
  });

  it('never shows a pasted token', async () => {
    harness = await renderApp(formStart, fakeServices());
    await harness.type(
      'token: k8s-aws-v1.aHR0cHM6Ly9zdHMuYW1hem9uYXdzLmNvbS8_QWN0aW9uPUdldENhbGxlcklkZW50aXR5',
    );
    const frame = await harness.until((f) => f.includes('k8s-aws-v1.***'), 'the masked token');
    expect(frame).not.toContain('aHR0cHM6');
  });

  it('edits fields: Tab moves, typing replaces a pre-filled value only by editing it, ctrl+u clears', async () => {
    harness = await renderApp(formStart, fakeServices());
    await harness.press(KEYS.tab, KEYS.tab, KEYS.tab); // Cluster
    await harness.press(...Array<string>(5).fill(KEYS.backspace));
    await harness.type('-eu');
    await harness.until((f) => /› Cluster +platform-eu/.test(f), 'the edited cluster');
    await harness.press(KEYS.ctrlU);
    await harness.until((f) => /› Cluster +EKS cluster name/.test(f), 'the placeholder');
  });

  it('asks for something to diagnose when the form is empty', async () => {
    harness = await renderApp({ kind: 'form', kube: {} }, fakeServices());
    await harness.press(KEYS.enter);
    await harness.until(
      (f) => f.includes('Paste an error, or give a principal and a cluster.'),
      'the problem',
    );
  });

  it('diagnoses the paste alone when no cluster is known', async () => {
    const services = fakeServices();
    harness = await renderApp({ kind: 'form', kube: {} }, services);
    await harness.type(PASTE);
    await harness.press(KEYS.enter);
    await harness.until((f) => f.includes('401 UNAUTHORIZED'), 'the verdict');
    expect(services.collect).not.toHaveBeenCalled();
    expect(services.diagnose).toHaveBeenCalledWith(
      { schemaVersion: 1 },
      expect.objectContaining({ logLines: [PASTE] }),
    );
  });

  it('Esc quits with 0', async () => {
    harness = await renderApp(formStart, fakeServices());
    await harness.press(KEYS.escape);
    await vi.waitFor(() => expect(harness!.onExit).toHaveBeenCalledWith(0), { timeout: 5000 });
  });
});

describe('cluster list', () => {
  it('lists clusters in the form region and profile, and fills the pick in', async () => {
    const listClusters = vi.fn(async () => ({
      region: 'ap-northeast-2',
      clusters: ['blue', 'green', 'platform-prod'],
    }));
    harness = await renderApp(formStart, fakeServices({ listClusters }));
    await harness.press(KEYS.ctrlL);
    await harness.until((f) => f.includes('3 clusters in ap-northeast-2'), 'the list');
    expect(listClusters).toHaveBeenCalledWith(
      expect.objectContaining({ region: 'ap-northeast-2', profile: 'oncall' }),
    );
    await harness.press(KEYS.down, KEYS.enter);
    await harness.until((f) => /Cluster +green/.test(f), 'the picked cluster');
  });

  it('says why listing failed and goes back with Esc', async () => {
    const listClusters = vi.fn(async () =>
      Promise.reject(new Error('denied: listing clusters needs eks:ListClusters')),
    );
    harness = await renderApp(formStart, fakeServices({ listClusters }));
    await harness.press(KEYS.ctrlL);
    await harness.until((f) => f.includes('needs eks:ListClusters'), 'the failure');
    await harness.press(KEYS.escape);
    await harness.until((f) => f.includes('Paste the error you saw'), 'the form');
  });
});

describe('collection', () => {
  async function startCollecting(size = { columns: 100, rows: 32 }) {
    const live = controllableCollect();
    const services = fakeServices({ collect: live.collect });
    harness = await renderApp(formStart, services, size);
    await harness.press(KEYS.tab);
    await harness.type(ALICE);
    await harness.press(KEYS.enter);
    await harness.until(
      (f) => f.includes('Collecting evidence from platform-prod (ap-northeast-2)'),
      'the collection view',
    );
    return { live, services, harness };
  }

  it('collects with the form values and shows each source as it lands', async () => {
    const { live, services, harness: h } = await startCollecting({ columns: 80, rows: 24 });
    expect(live.options()).toMatchObject({
      cluster: 'platform-prod',
      region: 'ap-northeast-2',
      profile: 'oncall',
      principalArn: ALICE,
      context: kube.context,
    });
    live.emit({ source: 'cluster', state: 'start' });
    live.emit({ source: 'cloudTrail', state: 'start' });
    live.emit({ source: 'cluster', state: 'ok', detail: 'ACTIVE 1.31' });
    live.emit({ source: 'cloudTrail', state: 'denied', detail: 'needs cloudtrail:LookupEvents' });
    live.emit({ source: 'rbac', state: 'start' });
    const frame = await h.until((f) => f.includes('Kubernetes RBAC'), 'three sources');
    expect(frame).toMatch(/✓ EKS cluster +ACTIVE 1\.31/);
    expect(frame).toMatch(/✗ CloudTrail events +denied: needs cloudtrail:LookupEvents/);
    expect(frame).toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] Kubernetes RBAC +collecting…/);
    expect(fits(frame, { columns: 80, rows: 24 })).toBe(true);
    const snapshot: Snapshot = { schemaVersion: 1, collectedAt: '2026-11-20T09:30:00Z' };
    live.finish(snapshot);
    await h.until((f) => f.includes('401 UNAUTHORIZED'), 'the verdict');
    expect(services.diagnose).toHaveBeenCalledWith(
      snapshot,
      expect.objectContaining({
        principalArn: ALICE,
        clusterName: 'platform-prod',
        region: 'ap-northeast-2',
      }),
    );
  });

  it('Esc cancels collection (the signal aborts) and returns to the form', async () => {
    const { live, harness: h } = await startCollecting();
    await h.press(KEYS.escape);
    await h.until((f) => f.includes('Paste the error you saw'), 'the form');
    expect(live.options()?.signal?.aborted).toBe(true);
  });

  it('Ctrl-C cancels collection and quits with 130', async () => {
    const { live, harness: h } = await startCollecting();
    await h.press(KEYS.ctrlC);
    await vi.waitFor(() => expect(h.onExit).toHaveBeenCalledWith(130), { timeout: 5000 });
    expect(live.options()?.signal?.aborted).toBe(true);
  });

  it('shows why collection could not start', async () => {
    const collect = vi.fn(async () => Promise.reject(new Error('no AWS region: pass --region')));
    harness = await renderApp({ kind: 'form', kube: { cluster: 'prod' } }, fakeServices({ collect }));
    await harness.press(KEYS.enter);
    await harness.until(
      (f) => f.includes('Collection failed:') && f.includes('no AWS region'),
      'the failure',
    );
    await harness.press(KEYS.escape);
    await harness.until((f) => f.includes('Paste the error you saw'), 'the form');
  });
});
