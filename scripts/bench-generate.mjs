// Generates the large snapshot of DESIGN §7 (Fast) from the seed sample: the seed's own evidence, unchanged and
// first in every list, plus 3,000 access entries, 3,000 aws-auth mappings, 20,000 RBAC bindings and 100,000
// CloudTrail events in the shapes the seed (and the AWS SDK / Kubernetes API) use, about 70 MB of JSON.
// Nothing added concerns the failing principal or its groups, so the diagnosis must be the seed's.
// Deterministic: the same counts give the same bytes.
//
//   node scripts/bench-generate.mjs [OUT] [--scale 0.1]     (default OUT: .bench/large-snapshot.json)
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const SEED_FILE = join(ROOT, 'samples', 'seed-metrics-api-empty-username.json');

/** What the issue asks for (DESIGN §7). */
export const FULL_COUNTS = Object.freeze({
  accessEntries: 3000,
  awsAuthMappings: 3000,
  rbacBindings: 20000,
  cloudTrailEvents: 100000,
});

export function scaledCounts(scale) {
  return Object.fromEntries(
    Object.entries(FULL_COUNTS).map(([k, v]) => [k, Math.max(1, Math.round(v * scale))]),
  );
}

/** A small deterministic PRNG (mulberry32): the file must be the same on every machine. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (n, width = 4) => String(n).padStart(width, '0');

export function generateLargeSnapshot(seed, counts = FULL_COUNTS) {
  const rand = random(20261128);
  const pick = (list) => list[Math.floor(rand() * list.length)];
  const snapshot = JSON.parse(JSON.stringify(seed));
  delete snapshot.eksdoctorSample;
  const account = '111122223333';
  const cluster = snapshot.cluster.data.name;
  const region = snapshot.incident.region;
  const collectedAt = Date.parse(snapshot.collectedAt);
  const iso = (ms) => new Date(ms).toISOString().replace('.000Z', 'Z');
  const teams = Array.from({ length: 150 }, (_, i) => `team-${pad(i, 3)}`);
  const namespaces = Array.from({ length: 200 }, (_, i) => `ns-${pad(i, 3)}`);

  // Access entries (DescribeAccessEntry + ListAssociatedAccessPolicies), none for the failing principal.
  const policies = [
    'AmazonEKSViewPolicy',
    'AmazonEKSEditPolicy',
    'AmazonEKSAdminPolicy',
    'AmazonEKSClusterAdminPolicy',
  ];
  snapshot.accessEntries.data = [
    ...snapshot.accessEntries.data,
    ...Array.from({ length: counts.accessEntries }, (_, i) => {
      const kind = i % 10 === 0 ? 'user' : 'role';
      const name =
        kind === 'user'
          ? `svc-user-${pad(i)}`
          : i % 7 === 0
            ? `AWSReservedSSO_Team${pad(i)}_0123456789abcdef`
            : `${pick(teams)}-deployer-${pad(i)}`;
      const path = kind === 'role' && i % 5 === 0 ? '/service-role/' : '/';
      const created = iso(collectedAt - (i + 1) * 3_600_000);
      const scopeNamespaced = i % 3 === 0;
      const entry = {
        clusterName: cluster,
        principalArn: `arn:aws:iam::${account}:${kind}${path}${name}`,
        kubernetesGroups: i % 4 === 0 ? [pick(teams)] : [],
        accessEntryArn: `arn:aws:eks:${region}:${account}:access-entry/${cluster}/${kind}/${account}/${name}/${pad(i, 8)}`,
        createdAt: created,
        modifiedAt: created,
        tags: {},
        username: kind === 'user' ? name : `arn:aws:sts::${account}:assumed-role/${name}/{{SessionName}}`,
        type: 'STANDARD',
        associatedPolicies: Array.from({ length: i % 3 }, (_, j) => ({
          policyArn: `arn:aws:eks::aws:cluster-access-policy/${policies[(i + j) % policies.length]}`,
          accessScope: scopeNamespaced
            ? { type: 'namespace', namespaces: [pick(namespaces)] }
            : { type: 'cluster', namespaces: [] },
          associatedAt: created,
          modifiedAt: created,
        })),
      };
      return entry;
    }),
  ];

  // aws-auth: the seed's mapRoles and mapUsers first (their line numbers stay), then the generated mappings.
  const data = snapshot.awsAuth.data.data;
  const roleCount = Math.round(counts.awsAuthMappings * (2 / 3));
  const userCount = counts.awsAuthMappings - roleCount;
  const roleLines = [];
  for (let i = 0; i < roleCount; i++) {
    const node = i % 4 === 0;
    roleLines.push(
      `- rolearn: arn:aws:iam::${account}:role/${node ? `nodegroup-${pad(i)}-NodeInstanceRole` : `app-${pad(i)}-operator`}`,
      `  username: ${node ? 'system:node:{{EC2PrivateDNSName}}' : `app-${pad(i)}:{{SessionName}}`}`,
      '  groups:',
      ...(node ? ['  - system:bootstrappers', '  - system:nodes'] : [`  - ${pick(teams)}`]),
    );
  }
  const userLines = [];
  for (let i = 0; i < userCount; i++) {
    userLines.push(
      `- userarn: arn:aws:iam::${account}:user/dev-${pad(i)}`,
      `  username: dev-${pad(i)}`,
      '  groups:',
      `  - ${pick(teams)}`,
    );
  }
  data.mapRoles = `${data.mapRoles ?? ''}${roleLines.join('\n')}\n`;
  data.mapUsers = `${data.mapUsers ?? ''}${userLines.join('\n')}\n`;

  // RBAC: team roles, namespaced roles, and bindings to teams, developers and service accounts (never to the
  // failing principal's groups or to system: groups).
  const rbac = snapshot.rbac.data;
  const rule = (i) => ({
    apiGroups: [pick(['', 'apps', 'batch', 'networking.k8s.io'])],
    resources: [pick(['pods', 'deployments', 'jobs', 'services', 'configmaps', 'ingresses'])],
    verbs: i % 2 ? ['get', 'list', 'watch'] : ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
  });
  const teamRoles = teams.map((team, i) => ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: `${team}-reader`, creationTimestamp: iso(collectedAt - 400 * 86_400_000) },
    rules: [rule(i), rule(i + 1)],
  }));
  const nsRoles = namespaces.flatMap((namespace, i) =>
    ['deployer', 'debugger'].map((name) => ({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name, namespace, creationTimestamp: iso(collectedAt - 300 * 86_400_000) },
      rules: [rule(i), rule(i + 2)],
    })),
  );
  rbac.clusterRoles = [...rbac.clusterRoles, ...teamRoles];
  rbac.roles = [...rbac.roles, ...nsRoles];
  const subject = (i) => {
    switch (i % 3) {
      case 0:
        return { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: pick(teams) };
      case 1:
        return {
          apiGroup: 'rbac.authorization.k8s.io',
          kind: 'User',
          name: `dev-${pad(i % Math.max(userCount, 1))}`,
        };
      default:
        return { kind: 'ServiceAccount', name: `sa-${pad(i % 500, 3)}`, namespace: pick(namespaces) };
    }
  };
  const clusterBindingCount = Math.round(counts.rbacBindings / 5);
  for (let i = 0; i < counts.rbacBindings; i++) {
    const subjects = Array.from({ length: 1 + (i % 3) }, (_, j) => subject(i + j));
    if (i < clusterBindingCount) {
      rbac.clusterRoleBindings.push({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: `crb-${pad(i, 5)}`, creationTimestamp: iso(collectedAt - (i % 400) * 86_400_000) },
        roleRef: {
          apiGroup: 'rbac.authorization.k8s.io',
          kind: 'ClusterRole',
          name: i % 2 ? 'view' : `${pick(teams)}-reader`,
        },
        subjects,
      });
    } else {
      const namespace = pick(namespaces);
      const toRole = i % 2 === 0;
      rbac.roleBindings.push({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: {
          name: `rb-${pad(i, 5)}`,
          namespace,
          creationTimestamp: iso(collectedAt - (i % 400) * 86_400_000),
        },
        roleRef: {
          apiGroup: 'rbac.authorization.k8s.io',
          kind: toRole ? 'Role' : 'ClusterRole',
          name: toRole ? pick(['deployer', 'debugger']) : pick(['view', 'edit']),
        },
        subjects,
      });
    }
  }

  // CloudTrail (LookupEvents .Events, CloudTrailEvent as the JSON string the API returns). Mostly read-only
  // noise; EKS access changes for other clusters or other principals; IAM lifecycle for other names.
  const readOnly = [
    ['eks.amazonaws.com', 'DescribeCluster'],
    ['eks.amazonaws.com', 'ListAccessEntries'],
    ['eks.amazonaws.com', 'DescribeAccessEntry'],
    ['sts.amazonaws.com', 'AssumeRole'],
    ['sts.amazonaws.com', 'GetCallerIdentity'],
    ['iam.amazonaws.com', 'GetRole'],
    ['ec2.amazonaws.com', 'DescribeInstances'],
  ];
  const events = snapshot.cloudTrail.data;
  for (let i = 0; i < counts.cloudTrailEvents; i++) {
    const time = iso(collectedAt - 60_000 - Math.floor(rand() * 7 * 86_400) * 1000);
    const actorName = `${pick(teams)}-ci`;
    const actor = `arn:aws:sts::${account}:assumed-role/${actorName}/session-${pad(i % 977, 3)}`;
    let source;
    let name;
    let params;
    const roll = i % 20;
    if (roll < 14) {
      [source, name] = pick(readOnly);
      params =
        source === 'eks.amazonaws.com'
          ? { name: cluster }
          : source === 'iam.amazonaws.com'
            ? { roleName: `${pick(teams)}-deployer` }
            : name === 'AssumeRole'
              ? { roleArn: `arn:aws:iam::${account}:role/${actorName}` }
              : null;
    } else if (roll < 17) {
      source = 'eks.amazonaws.com';
      name = pick(['CreateAccessEntry', 'AssociateAccessPolicy', 'UpdateClusterConfig']);
      params = {
        name: `staging-${pad(i % 40, 2)}`,
        principalArn: encodeURIComponent(`arn:aws:iam::${account}:role/${pick(teams)}-deployer`),
        policyArn: `arn:aws:eks::aws:cluster-access-policy/${pick(policies)}`,
      };
    } else if (roll < 19) {
      source = 'eks.amazonaws.com';
      name = pick([
        'DeleteAccessEntry',
        'AssociateAccessPolicy',
        'DisassociateAccessPolicy',
        'UpdateAccessEntry',
      ]);
      params = {
        name: cluster,
        principalArn: encodeURIComponent(
          `arn:aws:iam::${account}:role/${pick(teams)}-deployer-${pad(i % 3000)}`,
        ),
      };
    } else {
      source = 'iam.amazonaws.com';
      name = pick(['CreateRole', 'DeleteRole', 'CreateUser', 'UpdateUser']);
      params = name.endsWith('Role')
        ? { roleName: `${pick(teams)}-temp-${pad(i)}` }
        : { userName: `contractor-${pad(i)}` };
    }
    const eventId = `${pad(i, 8)}-${Math.floor(rand() * 0xffff)
      .toString(16)
      .padStart(4, '0')}-4000-8000-000000000000`;
    const detail = {
      userIdentity: { type: 'AssumedRole', arn: actor },
      eventTime: time,
      eventSource: source,
      eventName: name,
      awsRegion: source === 'iam.amazonaws.com' ? 'us-east-1' : region,
      userAgent: 'aws-cli/2.17.20',
      requestParameters: params,
      eventID: eventId,
    };
    events.push({
      EventId: eventId,
      EventName: name,
      ReadOnly: String(roll < 14),
      EventTime: time,
      EventSource: source,
      Username: `session-${pad(i % 977, 3)}`,
      CloudTrailEvent: JSON.stringify(detail),
    });
  }
  return snapshot;
}

/** The counts a generated snapshot holds beyond the seed's own evidence. */
export function countAdded(seed, snapshot) {
  const mappings = (s) =>
    ((s.awsAuth.data.data.mapRoles ?? '') + (s.awsAuth.data.data.mapUsers ?? ''))
      .split('\n')
      .filter((l) => /^- (role|user)arn:/.test(l)).length;
  const bindings = (s) => s.rbac.data.clusterRoleBindings.length + s.rbac.data.roleBindings.length;
  return {
    accessEntries: snapshot.accessEntries.data.length - seed.accessEntries.data.length,
    awsAuthMappings: mappings(snapshot) - mappings(seed),
    rbacBindings: bindings(snapshot) - bindings(seed),
    cloudTrailEvents: snapshot.cloudTrail.data.length - seed.cloudTrail.data.length,
  };
}

export function writeLargeSnapshot(out, counts = FULL_COUNTS) {
  const seed = JSON.parse(readFileSync(SEED_FILE, 'utf8'));
  const text = JSON.stringify(generateLargeSnapshot(seed, counts));
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, text);
  return { bytes: Buffer.byteLength(text), counts };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const scaleAt = args.indexOf('--scale');
  const scale = scaleAt >= 0 ? Number(args[scaleAt + 1]) : 1;
  const out =
    args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--scale') ??
    join(ROOT, '.bench', 'large-snapshot.json');
  const { bytes, counts } = writeLargeSnapshot(out, scale === 1 ? FULL_COUNTS : scaledCounts(scale));
  console.log(`${out}: ${(bytes / 1e6).toFixed(1)} MB, ${JSON.stringify(counts)}`);
}
