import rule from '../../rules/aws-auth-groups-malformed.js';
import { findingsOf, runRuleTests } from '../helpers/rule-tester.js';
import { build, role, session } from '../helpers/build.js';
import { describe, expect, it } from 'vitest';

const NODE = role('platform-prod-node-role');
const ADMINS = role('ops-admins');
const kubelet = session('platform-prod-node-role', 'i-0a1b2c3d4e5f60718');
const admin = session('ops-admins', 'kim');

const stringGroups = `- rolearn: ${ADMINS}\n  username: admin:{{SessionName}}\n  groups: system:masters\n`;
const runTogether = `- rolearn: ${NODE}\n  username: system:node:{{EC2PrivateDNSName}}\n  groups:\n    - system:bootstrappers\n      - system:nodes\n`;
const fine = `- rolearn: ${ADMINS}\n  username: admin:{{SessionName}}\n  groups:\n  - system:masters\n`;

runRuleTests(rule, {
  valid: [
    { name: 'groups written as a list', snapshot: build({ principal: admin, mapRoles: fine }) },
    {
      name: "another principal's malformed entry",
      snapshot: build({
        principal: admin,
        mapRoles: fine + `- rolearn: ${role('other')}\n  username: other\n  groups: view\n`,
      }),
    },
    {
      name: 'access entry in force, aws-auth not consulted',
      snapshot: build({
        mode: 'API',
        principal: admin,
        mapRoles: stringGroups,
        entries: [
          {
            principalArn: ADMINS,
            type: 'STANDARD',
            kubernetesGroups: [],
            associatedPolicies: [
              {
                policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy',
                accessScope: { type: 'cluster' },
              },
            ],
          },
        ],
      }),
    },
  ],
  invalid: [
    {
      name: 'groups as a plain string: no groups, 403',
      snapshot: build({ principal: admin, mapRoles: stringGroups, status: 403 }),
      messageId: 'malformed',
      severity: 'error',
      first: true,
      evidence: ['/awsAuth/data/data/mapRoles'],
    },
    {
      name: 'node groups run together by indentation: kubelet forbidden',
      snapshot: build({ principal: kubelet, path: '/api/v1/services', verb: 'list', mapRoles: runTogether }),
      messageId: 'malformed',
      severity: 'error',
      first: true,
    },
    {
      name: 'malformed but the discovery request still passes: latent',
      snapshot: build({ principal: admin, path: '/api', mapRoles: stringGroups }),
      messageId: 'malformed',
      severity: 'warning',
    },
  ],
});

describe('aws-auth-groups-malformed fix', () => {
  it('restores the groups the author wrote', () => {
    const { mine } = findingsOf(rule, {
      name: 'x',
      snapshot: build({ principal: kubelet, path: '/api/v1/services', verb: 'list', mapRoles: runTogether }),
    });
    expect(mine[0]?.fixes[0]?.snippet?.content).toContain('- system:bootstrappers\n');
    expect(mine[0]?.fixes[0]?.commands.at(-1)?.argv).toEqual(
      expect.arrayContaining(['--group', 'system:bootstrappers', '--group', 'system:nodes']),
    );
  });
});
