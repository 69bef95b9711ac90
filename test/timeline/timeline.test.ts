import { describe, expect, it } from 'vitest';
import type { Snapshot } from '../../src/model/snapshot.js';
import type { TimelineEvent } from '../../src/model/report.js';
import { simulate } from '../../src/simulate/simulate.js';
import {
  buildTimeline,
  changesBeforeFailure,
  recentChangeSentence,
  shortTime,
  timelineMarkers,
} from '../../src/timeline/timeline.js';
import { ACCT, CA, CLUSTER, build, entry, role, session } from '../helpers/build.js';
import { loadSample } from '../helpers/samples.js';
import { diagnose } from '../../src/engine/diagnose.js';
import { renderText } from '../../src/report/text.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { Chalk } from 'chalk';

const NOW = new Date('2026-11-20T09:30:00Z');
const CALLER = session('platform-developers', 'minji');
const DEV = role('platform-developers');
const ADMIN = `arn:aws:sts::${ACCT}:assumed-role/PlatformAdmin/jiwoo.kim`;

function trail(
  name: string,
  time: string,
  params: Record<string, unknown>,
  opts: { source?: string; errorCode?: string; actor?: string } = {},
): unknown {
  return {
    EventName: name,
    EventTime: time,
    EventSource: opts.source ?? 'eks.amazonaws.com',
    CloudTrailEvent: JSON.stringify({
      eventName: name,
      eventTime: time,
      userIdentity: { type: 'AssumedRole', arn: opts.actor ?? ADMIN },
      requestParameters: params,
      ...(opts.errorCode ? { errorCode: opts.errorCode } : {}),
    }),
  };
}

const granted = (time: string, arn = DEV) => ({
  timestamp: time,
  message: `time="${time}" level=info msg="access granted" arn="${arn}" client="127.0.0.1:1" groups="[]" method=POST path=/authenticate uid="aws-iam-authenticator:${ACCT}:AROAEXAMPLE" username="arn:aws:sts::${ACCT}:assumed-role/platform-developers/minji"`,
});
const denied = (time: string, arn = DEV) => ({
  timestamp: time,
  message: `time="${time}" level=warning msg="access denied" arn="${arn}" client="127.0.0.1:1" error="identity is not mapped" method=POST path=/authenticate`,
});
const audit = (
  time: string,
  code: number,
  username = `arn:aws:sts::${ACCT}:assumed-role/platform-developers/minji`,
) => ({
  kind: 'Event',
  stage: 'ResponseComplete',
  verb: 'list',
  requestURI: '/api/v1/namespaces/default/pods',
  user: { username, groups: ['system:authenticated'] },
  responseStatus: { code },
  stageTimestamp: time,
});

interface Input {
  cloudTrail?: unknown[];
  logs?: Array<{ timestamp: string; message: string }>;
  audit?: object[];
  observedAt?: string;
  status?: number;
}

function timelineOf(input: Input): TimelineEvent[] {
  const snapshot: Snapshot = build({
    principal: CALLER,
    entries: [entry(DEV, { policies: [[CA, { type: 'cluster' }]] })],
    ...(input.cloudTrail ? { cloudTrail: input.cloudTrail } : {}),
  });
  if (input.logs) snapshot.authenticatorLogs = { status: 'ok', data: input.logs };
  if (input.audit) snapshot.auditEvents = { status: 'ok', data: input.audit as never };
  if (input.observedAt && snapshot.incident) snapshot.incident.observedAt = input.observedAt;
  const sim = simulate({
    snapshot,
    principalArn: CALLER,
    path: snapshot.incident?.path,
    verb: snapshot.incident?.verb,
    observedStatus: input.status,
    now: NOW,
  });
  return buildTimeline(snapshot, sim);
}

const brief = (t: TimelineEvent[]) => t.map((e) => [e.time.slice(11, 16), e.event, e.marker ?? '']);

describe('buildTimeline', () => {
  const cases: Array<[string, Input, Array<[string, string, string]>]> = [
    [
      'URL-encoded principal ARN in AssociateAccessPolicy is decoded and kept',
      {
        cloudTrail: [
          trail('AssociateAccessPolicy', '2026-11-20T08:00:00Z', {
            name: CLUSTER,
            principalArn: encodeURIComponent(DEV),
            policyArn: CA,
          }),
        ],
      },
      [['08:00', 'AssociateAccessPolicy', '']],
    ],
    [
      "another principal's deletion is noise, its creation is kept (near miss)",
      {
        cloudTrail: [
          trail('DeleteAccessEntry', '2026-11-20T08:00:00Z', { name: CLUSTER, principalArn: role('other') }),
          trail('CreateAccessEntry', '2026-11-20T08:05:00Z', { name: CLUSTER, principalArn: role('other') }),
        ],
      },
      [['08:05', 'CreateAccessEntry', '']],
    ],
    [
      'another cluster is ignored; IAM lifecycle of the principal is kept, of another role dropped',
      {
        cloudTrail: [
          trail('DeleteAccessEntry', '2026-11-20T08:00:00Z', { name: 'staging', principalArn: DEV }),
          trail(
            'DeleteRole',
            '2026-11-20T08:10:00Z',
            { roleName: 'platform-developers' },
            { source: 'iam.amazonaws.com' },
          ),
          trail(
            'DeleteRole',
            '2026-11-20T08:11:00Z',
            { roleName: 'someone-else' },
            { source: 'iam.amazonaws.com' },
          ),
        ],
      },
      [['08:10', 'DeleteRole', '']],
    ],
    [
      'authenticator lines give last worked and first failed, oldest first',
      {
        logs: [
          denied('2026-11-20T09:20:00Z'),
          granted('2026-11-20T09:00:00Z'),
          denied('2026-11-20T09:14:00Z'),
        ],
        cloudTrail: [
          trail('DeleteAccessEntry', '2026-11-20T09:12:00Z', { name: CLUSTER, principalArn: DEV }),
        ],
      },
      [
        ['09:00', 'AccessWorked', 'last-worked'],
        ['09:12', 'DeleteAccessEntry', ''],
        ['09:14', 'AccessFailed', 'first-failed'],
      ],
    ],
    [
      'a 403: "access granted" only means the token was accepted, not that access worked',
      { logs: [granted('2026-11-20T09:00:00Z')], observedAt: '2026-11-20T09:25:00Z', status: 403 },
      [['09:25', 'FailureObserved', 'first-failed']],
    ],
    [
      "another principal's authenticator lines are not this principal's story",
      {
        logs: [granted('2026-11-20T09:00:00Z', role('other')), denied('2026-11-20T09:14:00Z', role('other'))],
      },
      [],
    ],
    [
      'audit events of the rendered username: 200 then 403',
      {
        audit: [
          audit('2026-11-20T09:05:00Z', 200),
          audit('2026-11-20T09:15:00Z', 403),
          audit('2026-11-20T09:16:00Z', 403, 'someone'),
        ],
      },
      [
        ['09:05', 'AccessWorked', 'last-worked'],
        ['09:15', 'AccessFailed', 'first-failed'],
      ],
    ],
    [
      'observedAt alone is the first failure',
      { observedAt: '2026-11-20T09:25:00+00:00' },
      [['09:25', 'FailureObserved', 'first-failed']],
    ],
    [
      'observedAt after the first logged failure is not marked',
      { logs: [denied('2026-11-20T09:14:00Z')], observedAt: '2026-11-20T09:25:00Z' },
      [
        ['09:14', 'AccessFailed', 'first-failed'],
        ['09:25', 'FailureObserved', ''],
      ],
    ],
    [
      'observedAt before the first logged failure takes the marker',
      { logs: [denied('2026-11-20T09:14:00Z')], observedAt: '2026-11-20T09:10:00Z' },
      [
        ['09:10', 'FailureObserved', 'first-failed'],
        ['09:14', 'AccessFailed', ''],
      ],
    ],
    [
      'an aws-auth edit from the audit log is a change with its author',
      {
        audit: [
          {
            verb: 'update',
            objectRef: { resource: 'configmaps', namespace: 'kube-system', name: 'aws-auth' },
            user: { username: 'kubernetes-admin' },
            responseStatus: { code: 200 },
            stageTimestamp: '2026-11-20T07:00:00Z',
          },
        ],
      },
      [['07:00', 'AwsAuthEdit', '']],
    ],
  ];
  it.each(cases)('%s', (_name, input, expected) => {
    expect(brief(timelineOf(input))).toEqual(expected);
  });

  it('names the actor of CloudTrail changes', () => {
    const t = timelineOf({
      cloudTrail: [trail('DeleteAccessEntry', '2026-11-20T09:12:00Z', { name: CLUSTER, principalArn: DEV })],
    });
    expect(t[0]?.actor).toBe(ADMIN);
    expect(t[0]?.detail).toBe(`delete access entry ${DEV}`);
  });
});

describe('changes before the failure', () => {
  const timeline = timelineOf({
    logs: [granted('2026-11-20T09:00:00Z'), denied('2026-11-20T09:14:00Z')],
    cloudTrail: [
      trail('DisassociateAccessPolicy', '2026-11-20T08:00:00Z', {
        name: CLUSTER,
        principalArn: DEV,
        policyArn: CA,
      }),
      trail(
        'DeleteAccessEntry',
        '2026-11-20T09:11:00Z',
        { name: CLUSTER, principalArn: DEV },
        { errorCode: 'AccessDeniedException' },
      ),
      trail('DeleteAccessEntry', '2026-11-20T09:12:00Z', { name: CLUSTER, principalArn: DEV }),
      trail('UpdateClusterConfig', '2026-11-20T09:20:00Z', {
        name: CLUSTER,
        accessConfig: { authenticationMode: 'API' },
      }),
    ],
  });

  const cases: Array<[string, TimelineEvent[], string[]]> = [
    ['only successful changes between last worked and first failed', timeline, ['09:12 DeleteAccessEntry']],
    [
      'without a last-worked marker every change up to the failure counts, newest first',
      timeline.filter((e) => e.marker !== 'last-worked'),
      ['09:12 DeleteAccessEntry', '08:00 DisassociateAccessPolicy'],
    ],
    [
      'without markers the bound is now',
      timeline.filter((e) => !e.marker),
      ['09:20 UpdateClusterConfig', '09:12 DeleteAccessEntry', '08:00 DisassociateAccessPolicy'],
    ],
  ];
  it.each(cases)('%s', (_name, events, expected) => {
    expect(changesBeforeFailure(events, NOW).map((e) => `${e.time.slice(11, 16)} ${e.event}`)).toEqual(
      expected,
    );
  });

  it('markers point at the observations', () => {
    const m = timelineMarkers(timeline);
    expect(m.lastWorked?.time).toBe('2026-11-20T09:00:00.000Z');
    expect(m.firstFailed?.time).toBe('2026-11-20T09:14:00.000Z');
  });

  it('says what changed, when and by whom', () => {
    expect(recentChangeSentence(timeline, NOW)).toBe(
      `Access last worked at 2026-11-20 09:00 UTC; then DeleteAccessEntry at 2026-11-20 09:12 UTC by ${ADMIN} (delete access entry ${DEV}); first failure at 2026-11-20 09:14 UTC.`,
    );
    expect(recentChangeSentence([], NOW)).toBeUndefined();
  });

  it.each([
    ['2026-11-20T09:12:00.000Z', '2026-11-20 09:12 UTC'],
    ['2026-11-20T09:12:07Z', '2026-11-20 09:12 UTC'],
  ])('shortTime(%s)', (input, out) => {
    expect(shortTime(input)).toBe(out);
  });
});

describe('reports show the timeline markers', () => {
  const report = diagnose(loadSample('access-removed-by-recent-change').snapshot);
  const text = renderText(report, new Chalk({ level: 0 }));
  const markdown = renderMarkdown(report);
  it.each([
    ['text', text, '  Access last worked at 2026-11-20 09:00 UTC; first failed at 2026-11-20 09:14 UTC.'],
    ['text', text, 'authenticator: access granted'],
    ['text', text, '← last worked'],
    ['text', text, '← first failed'],
    [
      'markdown',
      markdown,
      'Access last worked at 2026-11-20 09:00 UTC; first failed at 2026-11-20 09:14 UTC.',
    ],
    ['markdown', markdown, '**← first failed**'],
    ['markdown', markdown, 'the user saw the failure (HTTP 401)'],
  ])('%s contains %j', (_kind, output, expected) => {
    expect(output).toContain(expected);
  });
  it('orders the JSON timeline oldest first, with one marker of each kind', () => {
    const times = (report.timeline ?? []).map((e) => e.time);
    expect(times).toEqual([...times].sort());
    expect((report.timeline ?? []).filter((e) => e.marker === 'last-worked')).toHaveLength(1);
    expect((report.timeline ?? []).filter((e) => e.marker === 'first-failed')).toHaveLength(1);
  });
});
