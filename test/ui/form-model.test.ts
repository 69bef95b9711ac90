import { describe, expect, it } from 'vitest';
import {
  fieldValue,
  planDiagnosis,
  type FieldId,
  type FormContext,
  type Typed,
} from '../../src/ui/form-model.js';

const ALICE = 'arn:aws:iam::111122223333:user/alice';
const BOB = 'arn:aws:iam::111122223333:user/bob';
const kube = {
  context: 'arn:aws:eks:us-east-1:111122223333:cluster/prod',
  cluster: 'prod',
  region: 'us-east-1',
  profile: 'kube-profile',
  kubeconfig: '/home/me/.kube/config',
};
const ctx = (over: Partial<FormContext> = {}): FormContext => ({ incident: {}, kube: {}, env: {}, ...over });

describe('fieldValue: typed, then the error, then kubeconfig, then the environment', () => {
  it.each<[string, FieldId, Typed, FormContext, string, string | undefined]>([
    ['nothing known', 'cluster', {}, ctx(), '', undefined],
    ['kubeconfig cluster', 'cluster', {}, ctx({ kube }), 'prod', 'kubeconfig'],
    [
      'the error beats kubeconfig',
      'cluster',
      {},
      ctx({ kube, incident: { clusterName: 'staging' } }),
      'staging',
      'error',
    ],
    [
      'typed beats everything',
      'cluster',
      { cluster: 'dev' },
      ctx({ kube, incident: { clusterName: 'staging' } }),
      'dev',
      'typed',
    ],
    ['typed empty still wins', 'cluster', { cluster: '' }, ctx({ kube }), '', 'typed'],
    [
      'region from the environment',
      'region',
      {},
      ctx({ env: { AWS_DEFAULT_REGION: 'eu-west-1' } }),
      'eu-west-1',
      'environment',
    ],
    [
      'kubeconfig region beats the environment',
      'region',
      {},
      ctx({ kube, env: { AWS_REGION: 'eu-west-1' } }),
      'us-east-1',
      'kubeconfig',
    ],
    [
      'profile from the kubeconfig exec env',
      'profile',
      {},
      ctx({ kube, env: { AWS_PROFILE: 'env' } }),
      'kube-profile',
      'kubeconfig',
    ],
    ['profile from AWS_PROFILE', 'profile', {}, ctx({ env: { AWS_PROFILE: 'env' } }), 'env', 'environment'],
    ['principal from the error', 'principal', {}, ctx({ incident: { principalArn: ALICE } }), ALICE, 'error'],
  ])('%s', (_name, id, typed, context, value, origin) => {
    expect(fieldValue(id, typed, context)).toEqual(origin ? { value, origin } : { value });
  });
});

describe('planDiagnosis', () => {
  it.each<[string, Typed, FormContext, RegExp]>([
    ['nothing to go on', {}, ctx(), /Paste an error/],
    [
      'a typed principal that is not an ARN',
      { principal: 'alice', cluster: 'prod' },
      ctx(),
      /not an IAM user/,
    ],
  ])('refuses: %s', (_name, typed, context, problem) => {
    const plan = planDiagnosis(typed, context);
    expect('problem' in plan && plan.problem).toMatch(problem);
  });

  it('diagnoses the pasted text alone when no cluster is known', () => {
    const plan = planDiagnosis(
      { error: 'error: You must be logged in to the server (Unauthorized)\n' },
      ctx(),
    );
    expect(plan).toEqual({
      target: 'the pasted text',
      diagnose: expect.objectContaining({
        logLines: ['error: You must be logged in to the server (Unauthorized)'],
      }),
    });
  });

  it('collects from the kubeconfig cluster with its context, and the pasted principal', () => {
    const plan = planDiagnosis(
      { error: 'x' },
      ctx({ kube, incident: { principalArn: BOB, verb: 'list', path: '/api/v1/pods' } }),
    );
    if ('problem' in plan) throw new Error(plan.problem);
    expect(plan.target).toBe('prod (us-east-1)');
    expect(plan.collect).toMatchObject({
      cluster: 'prod',
      region: 'us-east-1',
      profile: 'kube-profile',
      principalArn: BOB,
      path: '/api/v1/pods',
      verb: 'list',
      context: kube.context,
      kubeconfig: kube.kubeconfig,
    });
    expect(plan.diagnose).toMatchObject({
      principalArn: BOB,
      clusterName: 'prod',
      region: 'us-east-1',
      logLines: ['x'],
    });
  });

  it('does not use the kubeconfig context for another cluster', () => {
    const plan = planDiagnosis({ cluster: 'other', principal: ALICE }, ctx({ kube }));
    if ('problem' in plan) throw new Error(plan.problem);
    expect(plan.collect).toMatchObject({ cluster: 'other', context: undefined, kubeconfig: undefined });
  });

  it('passes a redacted principal from the paste to the diagnosis text only, not to collection', () => {
    const plan = planDiagnosis(
      { error: 'x', cluster: 'prod' },
      ctx({ incident: { principalArn: 'arn:aws:iam::***:user/alice' } }),
    );
    if ('problem' in plan) throw new Error(plan.problem);
    expect(plan.collect?.principalArn).toBeUndefined();
    expect(plan.diagnose.principalArn).toBeUndefined();
  });
});
