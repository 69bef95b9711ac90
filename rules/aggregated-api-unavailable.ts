import { defineRule } from '../src/engine/define-rule.js';
import { checkCommand } from '../src/fix/run-commands.js';
import { aggregatedTarget, availableCondition } from '../src/k8s/aggregated.js';

/** FM-48: the APIService behind the path is not Available: a 503 from the aggregator, not an auth failure. */
export default defineRule({
  id: 'aggregated-api-unavailable',
  stage: 'aggregation',
  severity: 'warning',
  precedence: 20,
  summary:
    'The aggregated API behind this path is unavailable (APIService Available=False): the aggregator answers 503, which is not an authentication or authorization failure.',
  requires: ['apiServices'],
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/view-raw-metrics.html',
    'https://kubernetes.io/docs/tasks/extend-kubernetes/configure-aggregation-layer/',
    'https://github.com/aws/containers-roadmap/issues/2479',
  ],
  messages: {
    unavailable: 'APIService {{name}} is not available ({{reason}}): {{groupVersion}} answers 503',
    suspected: 'The 503 on {{groupVersion}} comes from its aggregated API backend, not from authentication',
  },
  check({ sim }, report) {
    const target = aggregatedTarget(sim.input.snapshot, sim.request);
    if (!target) return;
    const groupVersion = `${target.group}/${target.version}`;
    const api = target.apiService;
    const condition = api ? availableCondition(api.object) : undefined;
    const down = condition !== undefined && condition.status !== 'True';
    const saw503 = sim.facts.has('service-unavailable') || sim.input.observedStatus === 503;
    if (!down && !saw503) return;
    const name = api?.name ?? `${target.version}.${target.group}`;
    const [namespace, service] = (api?.service ?? '/').split('/');
    report({
      messageId: down ? 'unavailable' : 'suspected',
      data: { name, reason: condition?.reason ?? condition?.status ?? 'unknown', groupVersion },
      ...(down ? {} : { severity: 'info' as const }),
      explanation:
        `${groupVersion} is served by APIService ${name}${api ? ` through Service ${api.service}` : ''}. ` +
        (down
          ? `Its Available condition is ${condition.status}${condition.reason ? ` (${condition.reason}${condition.message ? `: ${condition.message}` : ''})` : ''}` +
            `${condition.lastTransitionTime ? ` since ${condition.lastTransitionTime}` : ''}, so kube-aggregator answers 503 ServiceUnavailable ("the server is currently unable to handle the request") ` +
            'and discovery logs errors for the group. '
          : 'A 503 ServiceUnavailable on an aggregated group means kube-aggregator could not reach a healthy backend. ') +
        'This is not an authentication or authorization failure and needs no access change: v1.metrics.eks.amazonaws.com was briefly unavailable during EKS maintenance ' +
        '(fixed by AWS in 2025-01); for other groups check the backend Service and any admission webhook that blocked it.',
      evidence: api
        ? [
            {
              source: 'apiServices',
              pointer: `${api.pointer}/status/conditions`,
              note: condition
                ? `Available=${condition.status}${condition.reason ? ` (${condition.reason})` : ''}`
                : 'no Available condition collected',
            },
          ]
        : [],
      checks: [
        {
          title: `Check APIService ${name}`,
          commands: [
            checkCommand('kubectl', [
              'kubectl',
              'get',
              'apiservice',
              name,
              '-o',
              'jsonpath={.status.conditions}',
            ]),
            ...(namespace && service
              ? [
                  checkCommand('kubectl', [
                    'kubectl',
                    'get',
                    'endpointslices',
                    '--namespace',
                    namespace,
                    '-l',
                    `kubernetes.io/service-name=${service}`,
                  ]),
                ]
              : []),
          ],
        },
      ],
    });
  },
});
