import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { kubeconfigFiles, readKubeDefaults } from '../../src/ui/kubeconfig.js';

const dir = mkdtempSync(join(tmpdir(), 'eksdoctor-kube-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const ARN_CONTEXT = file(
  'aws-cli',
  `apiVersion: v1
kind: Config
current-context: arn:aws:eks:ap-northeast-2:111122223333:cluster/platform-prod
contexts:
- name: arn:aws:eks:ap-northeast-2:111122223333:cluster/platform-prod
  context:
    cluster: arn:aws:eks:ap-northeast-2:111122223333:cluster/platform-prod
    user: arn:aws:eks:ap-northeast-2:111122223333:cluster/platform-prod
users:
- name: arn:aws:eks:ap-northeast-2:111122223333:cluster/platform-prod
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: aws
      args: [--region, ap-northeast-2, eks, get-token, --cluster-name, platform-prod, --output, json]
      env:
      - name: AWS_PROFILE
        value: oncall
`,
);

const EKSCTL = file(
  'eksctl',
  `current-context: me@blue.us-west-2.eksctl.io
contexts:
- name: me@blue.us-west-2.eksctl.io
  context: {cluster: blue.us-west-2.eksctl.io, user: me@blue.us-west-2.eksctl.io}
clusters:
- name: blue.us-west-2.eksctl.io
  cluster: {server: 'https://0123456789ABCDEF0123456789ABCDEF.gr7.us-west-2.eks.amazonaws.com'}
users:
- name: me@blue.us-west-2.eksctl.io
  user:
    exec: {command: aws, args: [eks, get-token, '--cluster-name=blue']}
`,
);

const CONTEXTS_ONLY = file('contexts-only', `contexts: []\n`);
const POINTER = file('pointer', `current-context: arn:aws:eks:eu-west-1:111122223333:cluster/green\n`);

describe('readKubeDefaults', () => {
  it.each([
    [
      'AWS CLI update-kubeconfig context with a profile',
      [ARN_CONTEXT],
      {
        context: 'arn:aws:eks:ap-northeast-2:111122223333:cluster/platform-prod',
        cluster: 'platform-prod',
        region: 'ap-northeast-2',
        profile: 'oncall',
        kubeconfig: ARN_CONTEXT,
      },
    ],
    [
      'eksctl context: cluster from the exec args, region from the endpoint',
      [EKSCTL],
      { context: 'me@blue.us-west-2.eksctl.io', cluster: 'blue', region: 'us-west-2', kubeconfig: EKSCTL },
    ],
    [
      'the first file to set current-context wins; the context ARN names the cluster',
      [CONTEXTS_ONLY, POINTER, ARN_CONTEXT],
      {
        context: 'arn:aws:eks:eu-west-1:111122223333:cluster/green',
        cluster: 'green',
        region: 'eu-west-1',
        kubeconfig: POINTER,
      },
    ],
    ['no kubeconfig at all', [join(dir, 'missing')], {}],
    ['not YAML', [file('garbage', ': : [\n')], {}],
  ])('%s', (_name, files, expected) => {
    expect(readKubeDefaults({}, files)).toEqual(expected);
  });
});

describe('kubeconfigFiles', () => {
  it('splits KUBECONFIG and falls back to ~/.kube/config', () => {
    expect(kubeconfigFiles({ KUBECONFIG: ['a', 'b'].join(delimiter) })).toEqual(['a', 'b']);
    expect(kubeconfigFiles({ HOME: '/home/me' })).toEqual([join('/home/me', '.kube', 'config')]);
  });
});
