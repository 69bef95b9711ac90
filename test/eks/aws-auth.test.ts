import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse, parseDocument, visit } from 'yaml';
import {
  accountMapped,
  findMapping,
  mappingYaml,
  parseAwsAuth,
  withMapping,
  type AwsAuthMapping,
  type AwsAuthSection,
  type ParsedAwsAuth,
} from '../../src/eks/aws-auth.js';
import { YamlRejected, readYamlSection } from '../../src/eks/aws-auth/read-yaml.js';
import type { ConfigMap } from '../../src/model/snapshot.js';

const ACCT = '111122223333';
const NODE_ROLE = `arn:aws:iam::${ACCT}:role/eks-node-NodeInstanceRole-74RF4UBDUKL6`;
const ADMIN_ROLE = `arn:aws:iam::${ACCT}:role/Admin`;
const ALICE = `arn:aws:iam::${ACCT}:user/alice`;

const cm = (data: Record<string, string>): ConfigMap => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'aws-auth', namespace: 'kube-system' },
  data,
});

/** The shape of an entry a test cares about. */
const brief = (m: AwsAuthMapping) => ({
  arn: m.arn,
  username: m.username,
  groups: m.groups,
  ...(m.groupsMalformed ? { groupsMalformed: m.groupsMalformed } : {}),
  ...(m.usernameNotString ? { usernameNotString: true } : {}),
});
const kinds = (p: ParsedAwsAuth) => p.problems.map((x) => `${x.section}:${x.kind}`).sort();

const NODE_ENTRY = `- rolearn: ${NODE_ROLE}
  username: system:node:{{EC2PrivateDNSName}}
  groups:
    - system:bootstrappers
    - system:nodes
`;
const ALICE_ENTRY = `- userarn: ${ALICE}
  username: alice
  groups:
    - system:masters
`;
const NODE = {
  arn: NODE_ROLE,
  username: 'system:node:{{EC2PrivateDNSName}}',
  groups: ['system:bootstrappers', 'system:nodes'],
};
const ALICE_M = { arn: ALICE, username: 'alice', groups: ['system:masters'] };

interface Case {
  name: string;
  data: Record<string, string>;
  sections?: Partial<Record<AwsAuthSection, 'ok' | 'absent' | 'dropped'>>;
  roles?: ReturnType<typeof brief>[];
  users?: ReturnType<typeof brief>[];
  accounts?: string[];
  problems?: string[];
  message?: RegExp;
  line?: number;
}

// Situations of the upstream yaml fixtures (AUTH:pkg/mapper/configmap/yaml/*.yaml) and of FM-24..FM-41, own YAML.
const cases: Case[] = [
  {
    name: 'the documented layout loads all three sections',
    data: { mapRoles: NODE_ENTRY, mapUsers: ALICE_ENTRY, mapAccounts: `- "${ACCT}"\n` },
    sections: { mapRoles: 'ok', mapUsers: 'ok', mapAccounts: 'ok' },
    roles: [NODE],
    users: [ALICE_M],
    accounts: [ACCT],
    problems: [],
  },
  {
    name: 'keys inside entries match case-insensitively (RoLeArN, UsErNaMe, gRoUpS)',
    data: {
      mapRoles: `- RoLeArN: ${NODE_ROLE}\n  UsErNaMe: system:node:{{EC2PrivateDNSName}}\n  gRoUpS:\n    - system:bootstrappers\n    - system:nodes\n`,
      mapUsers: `- uSeRaRn: ${ALICE}\n  USERNAME: alice\n  Groups: [system:masters]\n`,
    },
    roles: [NODE],
    users: [ALICE_M],
    problems: [],
  },
  {
    name: 'roleARN / userARN as the open-source docs spell them',
    data: {
      mapRoles: NODE_ENTRY.replace('rolearn', 'roleARN'),
      mapUsers: ALICE_ENTRY.replace('userarn', 'userARN'),
    },
    roles: [NODE],
    users: [ALICE_M],
    problems: [],
  },
  {
    name: 'top-level keys are case-sensitive: maproles, mapusers, mapaccounts are ignored',
    data: { maproles: NODE_ENTRY, mapusers: ALICE_ENTRY, mapaccounts: `- ${ACCT}\n` },
    sections: { mapRoles: 'absent', mapUsers: 'absent', mapAccounts: 'absent' },
    roles: [],
    users: [],
    accounts: [],
    problems: ['data:wrong-key-case', 'data:wrong-key-case', 'data:wrong-key-case'],
    message: /"maproles" is ignored: the authenticator reads only "mapRoles"/,
  },
  {
    name: 'crazy-case top keys with a typo: wrong case, and an unknown key with a suggestion',
    data: { MaPrOlEs: NODE_ENTRY, mApUsErS: ALICE_ENTRY, MaPrCcOuNtS: `- ${ACCT}\n` },
    roles: [],
    users: [],
    problems: ['data:unknown-data-key', 'data:wrong-key-case', 'data:wrong-key-case'],
    message: /did you mean "mapAccounts"/,
  },
  {
    name: 'an extra space before a group joins the list items into one group name',
    data: {
      mapRoles: `- rolearn: ${NODE_ROLE}\n  username: system:node:{{EC2PrivateDNSName}}\n  groups:\n    - system:bootstrappers\n     - system:nodes\n`,
      mapUsers: ALICE_ENTRY,
    },
    roles: [
      { ...NODE, groups: ['system:bootstrappers - system:nodes'], groupsMalformed: 'scalar-with-dashes' },
    ],
    users: [ALICE_M],
    problems: ['mapRoles:groups-malformed'],
    message: /run together by indentation/,
    line: 1,
  },
  {
    name: 'groups written as a string: a JSON type error, the entry is kept with no groups',
    data: { mapUsers: `- userarn: ${ALICE}\n  username: alice\n  groups: system:masters\n` },
    users: [{ arn: ALICE, username: 'alice', groups: [], groupsMalformed: 'not-a-list' }],
    problems: ['mapUsers:groups-malformed'],
    message: /groups is "system:masters", not a list; the authenticator keeps the entry with no groups/,
  },
  {
    name: 'groups items that are not strings become empty groups (YAML 1.1: on, 42, ~)',
    data: { mapUsers: `- userarn: ${ALICE}\n  username: alice\n  groups: [system:masters, 42, on, ~]\n` },
    users: [
      {
        arn: ALICE,
        username: 'alice',
        groups: ['system:masters', '', '', ''],
        groupsMalformed: 'non-string-items',
      },
    ],
    problems: ['mapUsers:groups-malformed'],
  },
  {
    name: 'unquoted {{SessionName}} is a YAML mapping: the whole mapRoles section is dropped, mapUsers still loads',
    data: {
      mapRoles: `- rolearn: ${NODE_ROLE}\n  username: system:node:{{EC2PrivateDNSName}}\n- rolearn: ${ADMIN_ROLE}\n  username: {{SessionName}}\n  groups: [system:masters]\n`,
      mapUsers: ALICE_ENTRY,
    },
    sections: { mapRoles: 'dropped', mapUsers: 'ok' },
    roles: [],
    users: [ALICE_M],
    problems: ['mapRoles:yaml-error'],
    message: /unquoted \{\{SessionName\}\} is a YAML flow mapping.*drops every mapRoles entry/,
    line: 4,
  },
  {
    name: 'quoted templates are plain text',
    data: {
      mapRoles: `- rolearn: ${ADMIN_ROLE}\n  username: "admin:{{SessionName}}"\n  groups: ['system:masters']\n`,
    },
    roles: [{ arn: ADMIN_ROLE, username: 'admin:{{SessionName}}', groups: ['system:masters'] }],
    problems: [],
  },
  {
    name: 'a YAML syntax error drops only its own section, with the line',
    data: {
      mapRoles: NODE_ENTRY,
      mapUsers: `- userarn: ${ALICE}\n  username: alice\n groups:\n    - system:masters\n`,
    },
    sections: { mapRoles: 'ok', mapUsers: 'dropped' },
    roles: [NODE],
    users: [],
    problems: ['mapUsers:yaml-error'],
    message: /mapUsers is rejected at line 3: .*the other sections still load/,
    line: 3,
  },
  {
    name: 'username absent, empty and null: undefined, then empty, then empty',
    data: {
      mapUsers: `- userarn: ${ALICE}\n  groups: [system:masters]\n- userarn: arn:aws:iam::${ACCT}:user/bob\n  username: ""\n- userarn: arn:aws:iam::${ACCT}:user/carol\n  username:\n`,
    },
    users: [
      { arn: ALICE, username: undefined, groups: ['system:masters'] },
      { arn: `arn:aws:iam::${ACCT}:user/bob`, username: '', groups: [] },
      { arn: `arn:aws:iam::${ACCT}:user/carol`, username: '', groups: [] },
    ],
    problems: [],
  },
  {
    name: 'a username that is not a string (a number, YAML 1.1 yes) renders empty',
    data: {
      mapUsers: `- userarn: ${ALICE}\n  username: 1234\n- userarn: arn:aws:iam::${ACCT}:user/bob\n  username: yes\n`,
    },
    users: [
      { arn: ALICE, username: '', groups: [], usernameNotString: true },
      { arn: `arn:aws:iam::${ACCT}:user/bob`, username: '', groups: [], usernameNotString: true },
    ],
    problems: ['mapUsers:entry-invalid', 'mapUsers:entry-invalid'],
    message:
      /username is the number 1234, not a string; the authenticator keeps the entry with an empty username/,
  },
  {
    name: 'a role entry with userarn is skipped; the others stay, indices as written',
    data: { mapRoles: `- userarn: ${ALICE}\n  username: alice\n${NODE_ENTRY}` },
    roles: [NODE],
    problems: ['mapRoles:entry-missing-arn'],
    message:
      /entry 1 \(line 1\) has no rolearn \(it has userarn, which belongs under mapUsers\).*"one of rolearn or SSO must be supplied"/,
    line: 1,
  },
  {
    name: 'a misspelt userarn is skipped with the unrecognised key named',
    data: { mapUsers: `- usrarn: ${ALICE}\n  username: alice\n` },
    users: [],
    problems: ['mapUsers:entry-missing-arn'],
    message: /unrecognised keys: usrarn.*"value for userarn must be supplied"/,
  },
  {
    name: 'a missing space after the colon makes the entry a string',
    data: { mapRoles: `- rolearn:${ADMIN_ROLE}\n${NODE_ENTRY}` },
    roles: [NODE],
    problems: ['mapRoles:entry-invalid'],
    message: /is "rolearn:arn:aws:iam::111122223333:role\/Admin", not a mapping with rolearn/,
  },
  {
    name: 'sso matchers: valid ones never match (feature gate off), invalid or mixed ones are skipped',
    data: {
      mapRoles: `- sso:\n    permissionSetName: Admin\n    accountID: "${ACCT}"\n  username: admin\n- sso: {permissionSetName: Admin, accountID: "123"}\n- rolearn: ${ADMIN_ROLE}\n  sso: x\n`,
    },
    roles: [],
    problems: ['mapRoles:entry-invalid', 'mapRoles:entry-invalid', 'mapRoles:sso-entry'],
    message: /AccountID '123' is not a valid AWS Account ID/,
  },
  {
    name: 'mapAccounts keeps numbers as their text; non-account items are reported',
    data: { mapAccounts: `- ${ACCT}\n- "444455556666"\n- 0777\n- {id: 1}\n` },
    accounts: [ACCT, '444455556666', '0777'],
    problems: ['mapAccounts:entry-invalid', 'mapAccounts:entry-invalid'],
    message: /"0777" is not a 12-digit account id/,
  },
  {
    name: 'mapAccounts written as a single value is not a list',
    data: { mapAccounts: `${ACCT}\n` },
    sections: { mapAccounts: 'dropped' },
    accounts: [],
    problems: ['mapAccounts:not-a-list'],
  },
  {
    name: 'mapRoles written as one mapping (no dash) is not a list',
    data: { mapRoles: `rolearn: ${ADMIN_ROLE}\nusername: admin\n`, mapUsers: ALICE_ENTRY },
    sections: { mapRoles: 'dropped', mapUsers: 'ok' },
    problems: ['mapRoles:not-a-list'],
    message: /is a mapping, not a list of entries/,
  },
  {
    name: 'a value starting with "{" is read as JSON: an object is not a list',
    data: { mapRoles: `{"rolearn": "${ADMIN_ROLE}", "username": "admin"}` },
    sections: { mapRoles: 'dropped' },
    problems: ['mapRoles:not-a-list'],
    message: /starts with "\{", so the authenticator reads it as JSON: a JSON object, not a list/,
  },
  {
    name: 'a value starting with "{" that is not JSON is dropped',
    data: { mapRoles: `{rolearn: ${ADMIN_ROLE}}` },
    sections: { mapRoles: 'dropped' },
    problems: ['mapRoles:yaml-error'],
    message: /starts with "\{", so the authenticator reads it as JSON/,
  },
  {
    name: 'a JSON array is valid YAML',
    data: { mapRoles: `[{"rolearn": "${ADMIN_ROLE}", "username": "admin", "groups": ["system:masters"]}]` },
    roles: [{ arn: ADMIN_ROLE, username: 'admin', groups: ['system:masters'] }],
    problems: [],
  },
  {
    name: 'blank, "", \'\' and `` values are skipped without error',
    data: { mapRoles: '  \n', mapUsers: '""', mapAccounts: '``' },
    sections: { mapRoles: 'ok', mapUsers: 'ok', mapAccounts: 'ok' },
    problems: [],
  },
  {
    name: 'a NaN anywhere fails the JSON conversion and drops the section',
    data: {
      mapRoles: `- rolearn: ${ADMIN_ROLE}\n  username: admin\n  weight: .nan\n`,
      mapUsers: ALICE_ENTRY,
    },
    sections: { mapRoles: 'dropped', mapUsers: 'ok' },
    problems: ['mapRoles:yaml-error'],
    message: /json: unsupported value: \.nan/,
    line: 3,
  },
  {
    name: 'a NaN inside a groups list drops the section too',
    data: { mapRoles: `- rolearn: ${ADMIN_ROLE}\n  groups:\n    - system:masters\n    - -.Inf\n` },
    sections: { mapRoles: 'dropped' },
    message: /json: unsupported value: -\.Inf/,
    line: 4,
  },
  {
    name: 'a key YAML 1.1 reads as null (null:) fails the JSON conversion',
    data: { mapUsers: `- userarn: ${ALICE}\n  null: x\n` },
    sections: { mapUsers: 'dropped' },
    message: /unsupported map key of type: <nil>/,
    line: 2,
  },
  {
    name: 'a null mapping key fails the JSON conversion',
    data: { mapRoles: `- rolearn: ${ADMIN_ROLE}\n  ~: x\n` },
    sections: { mapRoles: 'dropped' },
    problems: ['mapRoles:yaml-error'],
    message: /unsupported map key of type: <nil>/,
  },
  {
    name: 'anchors, aliases and merge keys are expanded like yaml.v2',
    data: {
      mapRoles: `- rolearn: ${ADMIN_ROLE}\n  <<: &common\n    username: shared\n    groups: [team]\n- rolearn: ${NODE_ROLE}\n  <<: *common\n  username: own\n`,
    },
    roles: [
      { arn: ADMIN_ROLE, username: 'shared', groups: ['team'] },
      { arn: NODE_ROLE, username: 'own', groups: ['team'] },
    ],
    problems: [],
  },
  {
    name: 'an alias to an unknown anchor drops the section',
    data: { mapRoles: `- rolearn: ${ADMIN_ROLE}\n  groups: *nope\n` },
    sections: { mapRoles: 'dropped' },
    message: /unknown anchor 'nope' referenced/,
  },
  {
    name: 'duplicate keys in one entry: JSON keys are assigned in Go sort order (Username, then username)',
    data: {
      mapUsers: `- userarn: ${ALICE}\n  username: lower\n  Username: upper\n  groups: [a]\n  groups: [b]\n`,
    },
    users: [{ arn: ALICE, username: 'lower', groups: ['b'] }],
    problems: [],
  },
  {
    name: 'groups: null is no groups, without a problem',
    data: { mapUsers: `- userarn: ${ALICE}\n  username: alice\n  groups: null\n` },
    users: [{ arn: ALICE, username: 'alice', groups: [] }],
    problems: [],
  },
  {
    name: 'a quoted ARN with surrounding spaces is kept but never matches',
    data: { mapUsers: `- userarn: " ${ALICE}"\n  username: alice\n` },
    users: [{ arn: ALICE, username: 'alice', groups: [] }],
    problems: ['mapUsers:entry-invalid'],
    message: /surrounding whitespace/,
  },
  {
    name: 'control characters are rejected by the YAML reader',
    data: { mapRoles: `- rolearn: ${ADMIN_ROLE}\n  username: a\u0007b\n`, mapUsers: ALICE_ENTRY },
    sections: { mapRoles: 'dropped', mapUsers: 'ok' },
    message: /control characters are not allowed/,
  },
  {
    name: 'only the first YAML document counts',
    data: { mapRoles: `${NODE_ENTRY}---\n- rolearn: ${ADMIN_ROLE}\n` },
    roles: [NODE],
    problems: [],
  },
  {
    name: 'kubectl/eksctl layout: sequences not indented under their key, keys sorted, comments',
    data: {
      mapRoles: `# nodes\n- groups:\n  - system:bootstrappers\n  - system:nodes # both\n  rolearn: ${NODE_ROLE}\n  username: system:node:{{EC2PrivateDNSName}}\n`,
    },
    roles: [NODE],
    problems: [],
  },
  // libyaml details real aws-auth files run into that the `yaml` package does not share on its own (each checked
  // against yaml.v2 + sigs.k8s.io/yaml + encoding/json). Dropped as exotic: a mismatched `!!int` tag, anchor names
  // outside [A-Za-z0-9_-], a first entry indented more than the next, "admin:" before "," in a flow list, U+2028.
  {
    name: 'a comment right after a flow list needs no space',
    data: { mapRoles: `- rolearn: ${ADMIN_ROLE}\n  groups: [system:masters]#admins\n` },
    roles: [{ arn: ADMIN_ROLE, username: undefined, groups: ['system:masters'] }],
    problems: [],
  },
  {
    name: 'a line starting with ":" (an empty key) drops the section, as in libyaml',
    data: { mapRoles: `- rolearn: ${ADMIN_ROLE}\n  : admin\n` },
    sections: { mapRoles: 'dropped' },
    message: /unsupported map key of type: <nil>/,
    line: 2,
  },
  {
    name: 'a tab right after "- " is a syntax error',
    data: { mapRoles: `- \trolearn: ${ADMIN_ROLE}\n` },
    sections: { mapRoles: 'dropped' },
    message: /cannot start any token|Tabs are not allowed/,
  },
  {
    name: 'a tab right after "- " in a groups list is a syntax error; a tab after "key:" is not',
    data: {
      mapRoles: `- rolearn: ${ADMIN_ROLE}\n  groups:\n  - \tsystem:masters\n`,
      mapUsers: `- userarn: ${ALICE}\n  username:\talice\n  groups: [\tsystem:masters]\n`,
    },
    sections: { mapRoles: 'dropped', mapUsers: 'ok' },
    users: [ALICE_M],
    message: /line 3: found character that cannot start any token/,
    line: 3,
  },
  {
    name: 'a tab used as indentation is a syntax error',
    data: { mapRoles: `- rolearn: ${ADMIN_ROLE}\n\tusername: admin\n` },
    sections: { mapRoles: 'dropped' },
    problems: ['mapRoles:yaml-error'],
    line: 2,
  },
  {
    name: 'mapAccounts is read into []string: a leading zero, .nan and a {{template}} item never fail the section',
    data: { mapAccounts: `- 012345678901\n- .nan\n- {{x}}\n` },
    sections: { mapAccounts: 'ok' },
    accounts: ['012345678901', '.nan'],
    problems: ['mapAccounts:entry-invalid', 'mapAccounts:entry-invalid'],
    message: /entry 3 \(line 3\) is a mapping, not an account id/,
  },
  {
    name: 'yaml.v2 has no base-60 numbers: 12:30 is text',
    data: { mapRoles: `- rolearn: ${ADMIN_ROLE}\n  username: 12:30\n` },
    roles: [{ arn: ADMIN_ROLE, username: '12:30', groups: [] }],
    problems: [],
  },
  {
    name: 'merge keys: merged values override the keys before them, the first merged map wins',
    data: {
      mapRoles: `- rolearn: ${ADMIN_ROLE}\n  username: before\n  <<: [{username: first, groups: [f]}, {username: second}]\n  groups: [after]\n`,
    },
    roles: [{ arn: ADMIN_ROLE, username: 'first', groups: ['after'] }],
    problems: [],
  },
  {
    name: 'YAML 1.1 numbers in any spelling are not strings; timestamps are',
    data: {
      mapRoles: `- rolearn: ${ADMIN_ROLE}\n  groups: [2001-12-14, 1_000, .5, 08, 0b101, +12, 1e400, 0x1F]\n`,
    },
    roles: [
      {
        arn: ADMIN_ROLE,
        username: undefined,
        groups: ['2001-12-14', '', '', '', '', '', '1e400', ''],
        groupsMalformed: 'non-string-items',
      },
    ],
  },
  {
    name: 'block scalars, single quotes and !!str tags read as text',
    data: {
      mapUsers: `- userarn: !!str ${ALICE}\n  username: |-\n    alice\n  groups:\n  - 'system:masters'\n`,
    },
    users: [ALICE_M],
    problems: [],
  },
];

describe('parseAwsAuth', () => {
  it.each(cases)('$name', (c) => {
    const parsed = parseAwsAuth(cm(c.data));
    expect(parsed.found).toBe(true);
    if (c.sections) expect(parsed.sections).toMatchObject(c.sections);
    if (c.roles) expect(parsed.roles.map(brief)).toEqual(c.roles);
    if (c.users) expect(parsed.users.map(brief)).toEqual(c.users);
    if (c.accounts) expect(parsed.accounts).toEqual(c.accounts);
    if (c.problems) expect(kinds(parsed)).toEqual([...c.problems].sort());
    for (const p of parsed.problems) {
      expect(p.message).not.toMatch(/\n/);
      expect(p.pointer).toMatch(/^\/awsAuth\/data\/(data|binaryData)\//);
    }
    if (c.message) {
      const hit = parsed.problems.find((p) => c.message?.test(p.message));
      expect(hit, parsed.problems.map((p) => p.message).join('\n')).toBeDefined();
      if (c.line !== undefined) expect(hit?.line).toBe(c.line);
    }
  });

  it('reports nothing for a missing ConfigMap', () => {
    expect(parseAwsAuth(null)).toEqual({
      found: false,
      sections: { mapRoles: 'absent', mapUsers: 'absent', mapAccounts: 'absent' },
      roles: [],
      users: [],
      accounts: [],
      problems: [],
    });
    expect(parseAwsAuth({ metadata: { name: 'aws-auth' } }).found).toBe(true);
  });

  it('records entry lines, indices and the section pointer', () => {
    const parsed = parseAwsAuth(
      cm({ mapRoles: `# header\n${NODE_ENTRY}\n- rolearn: ${ADMIN_ROLE}\n  username: admin\n` }),
    );
    expect(parsed.roles.map((r) => [r.index, r.line, r.pointer])).toEqual([
      [0, 2, '/awsAuth/data/data/mapRoles'],
      [1, 8, '/awsAuth/data/data/mapRoles'],
    ]);
  });

  it('reads values that are not strings (a missing "|") and binaryData keys as problems', () => {
    const parsed = parseAwsAuth({
      data: { mapRoles: [{ rolearn: ADMIN_ROLE }] as unknown as string, mapUsers: 42 as unknown as string },
      binaryData: { mapRoles: 'AAAA' },
    } as ConfigMap);
    expect(parsed.sections).toMatchObject({ mapRoles: 'dropped', mapUsers: 'dropped' });
    expect(kinds(parsed)).toEqual(['data:unknown-data-key', 'mapRoles:yaml-error', 'mapUsers:yaml-error']);
    expect(parsed.problems.find((p) => p.section === 'mapRoles')?.message).toMatch(
      /the "\|" after "mapRoles:" is missing/,
    );
    expect(parsed.problems.find((p) => p.section === 'data')?.pointer).toBe(
      '/awsAuth/data/binaryData/mapRoles',
    );
  });

  it.each([
    [
      'an alias bomb',
      `a: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]\n${'bcdefghi'
        .split('')
        .map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`)
        .join('\n')}\n`,
      /excessive aliasing/,
    ],
    ['a self-referencing anchor', '- &a [*a]\n', /contains itself/],
    ['20,000 open brackets', '['.repeat(20_000), /nested more than 100 levels/],
    ['50,000 nested sequences on one line', `${'- '.repeat(50_000)}x`, /nested more than 100 levels/],
    ['binary noise', '\u0000\u0001\ufffe\ud800 noise \u0080', /control characters are not allowed/],
  ])('survives %s quickly, as a dropped section', (_name, text, message) => {
    const parsed = parseAwsAuth(cm({ mapRoles: text, mapUsers: text, mapAccounts: text }));
    expect(parsed.sections.mapRoles).toBe('dropped');
    expect(parsed.problems.find((p) => p.section === 'mapRoles')?.message).toMatch(message);
  });

  it('parses a 5 MB section without hanging', () => {
    const text = Array.from(
      { length: 40_000 },
      (_, i) =>
        `- rolearn: arn:aws:iam::${ACCT}:role/r${i}\n  username: "u${i}:{{SessionName}}"\n  groups: [g${i}]\n`,
    ).join('');
    expect(text.length).toBeGreaterThan(4_000_000);
    expect(parseAwsAuth(cm({ mapRoles: text })).roles).toHaveLength(40_000);
  }, 60_000);

  it('parses 3,000 mappings', () => {
    const roles = Array.from(
      { length: 1500 },
      (_, i) =>
        `- rolearn: arn:aws:iam::${ACCT}:role/team-${i}\n  username: "team-${i}:{{SessionName}}"\n  groups:\n    - system:masters\n    - team-${i}\n`,
    ).join('');
    const users = Array.from(
      { length: 1500 },
      (_, i) => `- userarn: arn:aws:iam::${ACCT}:user/u${i}\n  username: u${i}\n  groups: [viewers]\n`,
    ).join('');
    const data = cm({ mapRoles: roles, mapUsers: users });
    const parsed = parseAwsAuth(data);
    expect(parsed.roles.length + parsed.users.length).toBe(3000);
    // Timing is measured by `npm run bench`, not asserted here.
  });
});

describe('readYamlSection', () => {
  const num = (text: string) => ({ kind: 'number', text });
  it.each([
    [
      'YAML 1.1 scalars: strings stay, others keep their text',
      '[a, "1", 12, yes, ~, 0777]',
      ['a', '1', num('12'), { kind: 'boolean', text: 'yes' }, null, num('0777')],
    ],
    ['an alias takes the latest anchor before it', '[&a one, *a, &a two, *a]', ['one', 'one', 'two', 'two']],
    [
      'number and boolean keys are formatted as sigs.k8s.io/yaml does',
      '{0x1F: a, on: b}',
      new Map([
        ['31', 'a'],
        ['true', 'b'],
      ]),
    ],
    ['a lone "." is text, not a NaN float', '[., -.]', ['.', '-.']],
  ])('%s', (_name, text, root) => {
    expect(readYamlSection(text, 'interface').root).toEqual(root);
  });

  it.each([
    [
      'a {{template}} key',
      '- username: {{SessionName}}\n',
      /line 1: .*unquoted \{\{SessionName\}\} is a YAML flow mapping/,
    ],
    ['NaN', '- [.nan]\n', /line 1: json: unsupported value: \.nan/],
    ['a null key', '- a: 1\n  ~: 2\n', /line 2: unsupported map key of type: <nil>/],
  ])('into interface{} rejects %s; into []string reads on', (_name, text, message) => {
    expect(() => readYamlSection(text, 'interface')).toThrow(YamlRejected);
    try {
      readYamlSection(text, 'interface');
    } catch (error) {
      expect(`line ${(error as YamlRejected).line}: ${(error as Error).message}`).toMatch(message);
    }
    expect(Array.isArray(readYamlSection(text, 'strings').root)).toBe(true);
  });

  it('gives each list item its line', () => {
    const read = readYamlSection('# c\n- a\n\n- b: 1\n  c: 2\n-\n  d\n', 'interface');
    expect(read.itemLines).toEqual([2, 4, 7]);
    expect(read.rootLine).toBe(2);
  });

  it('caps nesting at 100 levels, counted on the parsed tokens', () => {
    expect(readYamlSection(`${'- '.repeat(100)}x`, 'strings').root).toBeDefined();
    expect(() => readYamlSection(`${'- '.repeat(101)}x`, 'strings')).toThrow(/nested more than 100 levels/);
    expect(readYamlSection(`${'['.repeat(100)}x${']'.repeat(100)}`, 'strings').root).toBeDefined();
    expect(() => readYamlSection(`${'['.repeat(101)}x${']'.repeat(101)}`, 'strings')).toThrow(/nested/);
  });

  it('expands aliases to shared values and rejects a document that is mostly aliases', () => {
    const read = readYamlSection('- &g [a, b]\n- *g\n', 'strings');
    expect(read.root).toEqual([
      ['a', 'b'],
      ['a', 'b'],
    ]);
    const layers = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 6; i++) {
      layers.push(
        `a${i}: &a${i} [${Array(10)
          .fill(i === 1 ? '*a' : `*a${i - 1}`)
          .join(', ')}]`,
      );
    }
    expect(() => readYamlSection(layers.join('\n'), 'strings')).toThrow(/excessive aliasing/);
    expect(readYamlSection(layers.slice(0, 2).join('\n'), 'strings').root).toBeInstanceOf(Map); // 110 nodes: fine
  });
});

describe('findMapping and accountMapped', () => {
  const parsed = parseAwsAuth(
    cm({
      mapRoles: `- rolearn: ${ADMIN_ROLE}\n  username: first\n- rolearn: ${ADMIN_ROLE.toUpperCase().replace('ARN:AWS:IAM', 'arn:aws:iam')}\n  username: last\n- rolearn: ${ALICE}\n  username: alice-as-role\n`,
      mapUsers: `- userarn: ${ALICE}\n  username: shadowed\n- userarn: arn:aws:iam::${ACCT}:user/Bob\n  username: bob1\n- userarn: arn:aws:iam::${ACCT}:user/bob\n  username: bob2\n- userarn: arn:aws:iam::${ACCT}:user/carol\n  username: c1\n- userarn: arn:aws:iam::${ACCT}:user/carol\n  username: c2\n`,
      mapAccounts: `- ${ACCT}\n`,
    }),
  );

  it.each([
    ['role duplicates: the last one wins', ADMIN_ROLE, 'last', 1, false],
    ['the canonical ARN is compared case-insensitively', ADMIN_ROLE.toUpperCase(), 'last', 1, false],
    ['mapRoles is checked before mapUsers', ALICE, 'alice-as-role', 0, false],
    [
      'user duplicates differing in case are nondeterministic',
      `arn:aws:iam::${ACCT}:user/bob`,
      'bob2',
      1,
      true,
    ],
    ['exact user duplicates: the last one wins', `arn:aws:iam::${ACCT}:user/carol`, 'c2', 1, false],
  ])('%s', (_name, arn, username, duplicates, nondeterministic) => {
    const match = findMapping(parsed, arn);
    expect(match?.mapping.username).toBe(username);
    expect(match?.duplicates).toHaveLength(duplicates);
    expect(match?.nondeterministic).toBe(nondeterministic);
    expect(match?.candidates).toHaveLength(nondeterministic ? 2 : 1);
  });

  it('flags the duplicates as problems', () => {
    const dup = parsed.problems.filter((p) => p.kind === 'duplicate-arn');
    expect(dup.map((p) => [p.section, p.indices ?? [p.index]])).toEqual([
      ['mapRoles', [0, 1]],
      ['mapUsers', [1, 2]],
      ['mapUsers', [3, 4]],
      ['mapUsers', [0]],
    ]);
    expect(dup[1]?.message).toMatch(/picks one at random/);
    expect(dup[3]?.message).toMatch(/also mapped in mapRoles/);
  });

  it('misses unknown principals and matches accounts exactly', () => {
    expect(findMapping(parsed, `arn:aws:iam::${ACCT}:role/Other`)).toBeUndefined();
    expect(findMapping(parseAwsAuth(cm({ mapUsers: `- userarn: " ${ALICE}"\n` })), ALICE)).toBeUndefined();
    expect(accountMapped(parsed, ACCT)).toBe(true);
    expect(accountMapped(parsed, '444455556666')).toBe(false);
  });
});

describe('mappingYaml', () => {
  it.each([
    [
      'mapRoles',
      { arn: ADMIN_ROLE, username: 'admin:{{SessionName}}', groups: ['system:masters'] },
      `- rolearn: ${ADMIN_ROLE}\n  username: "admin:{{SessionName}}"\n  groups:\n    - system:masters\n`,
    ],
    [
      'mapUsers',
      { arn: ALICE, username: 'alice', groups: [] },
      `- userarn: ${ALICE}\n  username: alice\n  groups: []\n`,
    ],
    [
      'mapUsers',
      { arn: ALICE, username: 'yes', groups: ['123', 'a: b', '#x', 'é\n"'] },
      `- userarn: ${ALICE}\n  username: "yes"\n  groups:\n    - "123"\n    - "a: b"\n    - "#x"\n    - "\\u00e9\\u000a\\""\n`,
    ],
  ] as const)('%s %j', (section, m, expected) => {
    const text = mappingYaml(section, { ...m, groups: [...m.groups] });
    expect(text).toBe(expected);
    const parsed = parseAwsAuth(cm({ [section]: text }));
    expect(brief((section === 'mapRoles' ? parsed.roles : parsed.users)[0] as AwsAuthMapping)).toEqual(m);
  });
});

describe('withMapping', () => {
  const admin = {
    section: 'mapRoles' as const,
    arn: ADMIN_ROLE,
    username: 'admin:{{SessionName}}',
    groups: ['system:masters'],
  };

  it('appends to a section and keeps comments, other entries and sections', () => {
    const before = cm({
      mapRoles: `# node group\n${NODE_ENTRY}`,
      mapUsers: ALICE_ENTRY,
      mapAccounts: `- ${ACCT}\n`,
      other: 'x',
    });
    const after = withMapping(before, admin);
    expect(after.data?.mapRoles).toMatch(/^# node group\n/);
    expect(after.data?.mapUsers).toBe(ALICE_ENTRY);
    expect(after.data?.other).toBe('x');
    expect(after.metadata).toEqual(before.metadata);
    expect(before.data?.mapRoles).toBe(`# node group\n${NODE_ENTRY}`);
    const parsed = parseAwsAuth(after);
    expect(parsed.roles.map(brief)).toEqual([
      NODE,
      { arn: ADMIN_ROLE, username: admin.username, groups: admin.groups },
    ]);
  });

  it('replaces every entry for the ARN (any case) in place, and the replaced ARN', () => {
    const pathArn = `arn:aws:iam::${ACCT}:role/team/Admin`;
    const before = cm({
      mapRoles: `- rolearn: ${pathArn}\n  username: old\n${NODE_ENTRY}- rolearn: ${ADMIN_ROLE.toLowerCase()}\n  username: dup\n`,
      mapUsers: `- userarn: ${ADMIN_ROLE}\n  username: stray\n${ALICE_ENTRY}`,
    });
    const parsed = parseAwsAuth(withMapping(before, { ...admin, replaceArn: pathArn }));
    expect(parsed.roles.map((r) => r.arn)).toEqual([ADMIN_ROLE, NODE_ROLE]);
    expect(parsed.users.map((u) => u.arn)).toEqual([ALICE]);
    expect(findMapping(parsed, ADMIN_ROLE)?.mapping.username).toBe(admin.username);
    expect(parsed.problems).toEqual([]);
  });

  it('creates the ConfigMap when there is none', () => {
    const after = withMapping(null, { section: 'mapUsers', arn: ALICE, username: 'alice', groups: [] });
    expect(after.metadata).toEqual({ name: 'aws-auth', namespace: 'kube-system' });
    expect(after.data).toEqual({ mapUsers: `- userarn: ${ALICE}\n  username: alice\n  groups: []\n` });
  });

  it('keeps a section that holds only comments, and survives a section nested too deeply to read', () => {
    const commented = withMapping(cm({ mapRoles: '# managed by hand\n' }), admin).data?.mapRoles;
    expect(commented).toBe(`# managed by hand\n${mappingYaml('mapRoles', admin)}`);
    const deep = withMapping(cm({ mapRoles: `${'- '.repeat(5000)}x` }), admin);
    expect(deep.data?.mapRoles).toBe(mappingYaml('mapRoles', admin));
  });

  it.each([
    [
      'dropped by an unquoted template',
      `${NODE_ENTRY}- rolearn: ${ADMIN_ROLE}\n  username: {{SessionName}}\n- rolearn: arn:aws:iam::${ACCT}:role/dev\n  username: {{SessionName}}\n  groups: [dev]\n`,
    ],
    [
      'broken by bad indentation',
      `${NODE_ENTRY}- rolearn: arn:aws:iam::${ACCT}:role/dev\n  username: "{{SessionName}}"\n  groups: [dev]\n - rolearn: ${ADMIN_ROLE}\n`,
    ],
  ])('rebuilds a section %s from the entries it still holds', (_name, mapRoles) => {
    expect(parseAwsAuth(cm({ mapRoles })).sections.mapRoles).toBe('dropped');
    const parsed = parseAwsAuth(withMapping(cm({ mapRoles }), admin));
    expect(parsed.sections.mapRoles).toBe('ok');
    expect(findMapping(parsed, ADMIN_ROLE)?.mapping.username).toBe(admin.username);
    expect(brief(findMapping(parsed, NODE_ROLE)?.mapping as AwsAuthMapping)).toEqual(NODE);
    expect(findMapping(parsed, `arn:aws:iam::${ACCT}:role/dev`)?.mapping).toMatchObject({
      username: '{{SessionName}}',
      groups: ['dev'],
    });
  });
});

// ─── Properties ──────────────────────────────────────────────────────────────────────────────────────────────────

const TOKENS = [
  '- ',
  '-',
  'rolearn: ',
  'userarn: ',
  'username: ',
  'groups:',
  'sso:',
  ADMIN_ROLE,
  ALICE,
  '\n',
  '  ',
  '    ',
  ' ',
  '\t',
  '{{SessionName}}',
  '"',
  "'",
  '[',
  ']',
  '{',
  '}',
  ',',
  ':',
  '&a ',
  '*a',
  '<<: ',
  '!!int ',
  '!!binary ',
  '!foo ',
  '|',
  '>',
  '#',
  '~',
  '.nan',
  'yes',
  '0x1F',
  '? ',
  '---',
  '...',
  '%YAML 1.1',
  'system:masters',
  '\\',
  'é',
  '\u2028',
  '\r\n',
  'null: ',
  'y: ',
  'groups: [',
  '- - ',
];
const yamlSoup = fc.array(fc.constantFrom(...TOKENS), { maxLength: 40 }).map((t) => t.join(''));
const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ maxLength: 200 }),
  yamlSoup,
);

describe('properties', () => {
  it('parseAwsAuth never throws, whatever a section holds', () => {
    fc.assert(
      fc.property(fc.record({ mapRoles: anyText, mapUsers: anyText, mapAccounts: anyText }), (data) => {
        const parsed = parseAwsAuth(cm(data));
        for (const p of parsed.problems) expect(p.message).not.toMatch(/[\r\n\u2028\u2029]/);
      }),
      { numRuns: 400 },
    );
  });

  it('readYamlSection agrees with the yaml package on what is a string, in the styles people write', () => {
    /** Strings stay, other scalars become their JS type name: what the JSON stage tells apart. */
    const shape = (v: unknown): unknown => {
      if (Array.isArray(v)) return v.map(shape);
      if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [k, shape(x)]));
      if (v === null || typeof v === 'string') return v;
      if (typeof v === 'object' && 'kind' in v) return `#${String(v.kind)}`;
      return `#${typeof v}`;
    };
    const hasOddFloat = (text: string): boolean => {
      let odd = false;
      visit(parseDocument(text, { version: '1.1' }), {
        Scalar(_key, node) {
          const notFinite = typeof node.value === 'number' && !Number.isFinite(node.value);
          odd ||= notFinite && !/\.(?:nan|inf)$/i.test(node.source ?? '');
        },
      });
      return odd;
    };
    /** No null key and no NaN/Inf: what sigs.k8s.io/yaml can turn into JSON. */
    const jsonable = (v: unknown): boolean => {
      if (Array.isArray(v)) return v.every(jsonable);
      if (v instanceof Map) return [...v].every(([k, x]) => k !== null && jsonable(x));
      return typeof v !== 'number' || Number.isFinite(v);
    };
    let failing = 0;
    fc.assert(
      fc.property(awsAuthText(), (text) => {
        // The yaml package reads "." and "e0" as NaN floats; yaml.v2 (and readYamlSection) as text.
        fc.pre(!hasOddFloat(text));
        let expected: unknown;
        try {
          expected = parse(text, { version: '1.1', mapAsMap: true, strict: false, uniqueKeys: false });
        } catch {
          expect(() => readYamlSection(text, 'strings')).toThrow(YamlRejected);
          return;
        }
        expect(() => readYamlSection(text, 'strings')).not.toThrow();
        if (!jsonable(expected)) {
          failing++;
          expect(() => readYamlSection(text, 'interface')).toThrow(
            /json: unsupported|map key of type: <nil>/,
          );
          return;
        }
        expect(shape(readYamlSection(text, 'interface').root)).toEqual(shape(expected));
        expect(shape(readYamlSection(text, 'strings').root)).toEqual(shape(expected));
      }),
      { numRuns: 300 },
    );
    expect(failing).toBeGreaterThan(10);
    expect(failing).toBeLessThan(200);
  });

  it('withMapping round-trips: the new mapping is found as given and every other entry keeps its mapping', () => {
    fc.assert(
      fc.property(awsAuthText('mapRoles'), awsAuthText('mapUsers'), change(), (mapRoles, mapUsers, x) => {
        const before = parseAwsAuth(cm({ mapRoles, mapUsers, mapAccounts: `- ${ACCT}\n` }));
        const after = parseAwsAuth(withMapping(cm({ mapRoles, mapUsers, mapAccounts: `- ${ACCT}\n` }), x));
        const found = findMapping(after, x.arn);
        expect(found?.mapping.section).toBe(x.section);
        expect(found?.mapping.username).toBe(x.username);
        expect(found?.mapping.groups).toEqual(x.groups);
        expect(found?.nondeterministic).toBe(false);
        expect(after.accounts).toEqual([ACCT]);
        // Entries of a section the authenticator dropped may come back; every entry it did load stays as it was.
        const touched = new Set([x.arn.toLowerCase(), x.replaceArn?.toLowerCase()]);
        const only = (p: ParsedAwsAuth, section: 'roles' | 'users'): ParsedAwsAuth =>
          section === 'roles' ? { ...p, users: [] } : { ...p, roles: [] };
        for (const section of ['roles', 'users'] as const) {
          for (const m of before[section]) {
            if (touched.has(m.arn.toLowerCase())) continue;
            const was = findMapping(only(before, section), m.arn);
            const now = findMapping(only(after, section), m.arn);
            expect(now?.candidates.map(brief)).toEqual(was?.candidates.map(brief));
          }
        }
      }),
      { numRuns: 250 },
    );
  });
});

const ARN_POOL = [
  ADMIN_ROLE,
  ADMIN_ROLE.replace('Admin', 'ADMIN'),
  NODE_ROLE,
  ALICE,
  ALICE.replace('alice', 'Alice'),
  `arn:aws:iam::${ACCT}:role/team/Dev`,
  `arn:aws:iam::${ACCT}:user/ops/bob`,
];
const text = fc.oneof(
  fc.constantFrom(
    'admin',
    'system:masters',
    'admin:{{SessionName}}',
    '{{SessionName}}',
    'yes',
    '123',
    '',
    ' a',
    'a b',
    'x: y',
    '#c',
    '~',
    'null',
    '- z',
  ),
  fc.string({ maxLength: 12 }),
);

function change() {
  return fc.record(
    {
      section: fc.constantFrom('mapRoles' as const, 'mapUsers' as const),
      arn: fc.oneof(fc.constantFrom(...ARN_POOL), fc.constant(`arn:aws:iam::${ACCT}:role/New`)),
      username: text,
      groups: fc.array(text, { maxLength: 3 }),
      replaceArn: fc.constantFrom(...ARN_POOL),
    },
    { requiredKeys: ['section', 'arn', 'username', 'groups'] },
  );
}

/** aws-auth section text in the styles people write: indented or not, quoted or not, flow lists, comments. */
function awsAuthText(section: 'mapRoles' | 'mapUsers' = 'mapRoles') {
  const scalar = fc.oneof(
    {
      arbitrary: fc.constantFrom(
        'system:masters',
        'admin',
        'yes',
        '0x1F',
        '12',
        '~',
        '.nan',
        '-.Inf',
        'a b',
        'team-1',
      ),
      weight: 3,
    },
    { arbitrary: fc.stringMatching(/^[a-z][a-z0-9:.-]{0,9}$/), weight: 3 },
    { arbitrary: fc.stringMatching(/^[a-z:{}#. -]{1,10}$/), weight: 1 },
  );
  const quoted = (s: string, style: number) =>
    style === 0 ? s : style === 1 ? JSON.stringify(s) : `'${s.replace(/'/g, "''")}'`;
  const entry = fc.record({
    key: fc.constantFrom(
      section === 'mapRoles' ? 'rolearn' : 'userarn',
      section === 'mapRoles' ? 'roleARN' : 'UserArn',
    ),
    arn: fc.constantFrom(...ARN_POOL),
    username: fc.option(scalar, { nil: undefined }),
    groups: fc.option(fc.array(scalar, { maxLength: 3 }), { nil: undefined }),
    style: fc.nat(2),
    flow: fc.boolean(),
    indentSeq: fc.boolean(),
    comment: fc.boolean(),
  });
  return fc.array(entry, { maxLength: 5 }).map((entries) =>
    entries
      .map((e) => {
        const lines = [`- ${e.key}: ${e.arn}${e.comment ? ' # arn' : ''}`];
        if (e.username !== undefined) lines.push(`  username: ${quoted(e.username, e.style)}`);
        if (e.groups !== undefined) {
          if (e.flow) lines.push(`  groups: [${e.groups.map((g) => quoted(g, e.style)).join(', ')}]`);
          else {
            lines.push(
              '  groups:',
              ...e.groups.map((g) => `${e.indentSeq ? '    ' : '  '}- ${quoted(g, e.style)}`),
            );
          }
        }
        return `${lines.join('\n')}\n`;
      })
      .join(''),
  );
}
