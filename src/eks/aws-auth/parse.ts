/**
 * kube-system/aws-auth read exactly as aws-iam-authenticator's ConfigMap mapper reads it
 * (AUTH:pkg/mapper/configmap/configmap.go, AUTH:pkg/config/mapper.go; FM §0 step 5, FM-19..FM-21, FM-24..FM-29,
 * FM-33, FM-41, FM-46): only the case-sensitive keys mapRoles, mapUsers and mapAccounts of `data` are read,
 * each on its own (section.ts).
 */
import type { ConfigMap } from '../../model/snapshot.js';
import { duplicateProblems } from './lookup.js';
import { parseSection } from './section.js';
import type { AwsAuthProblem, AwsAuthSection, ParsedAwsAuth } from './types.js';
import { SECTIONS, awsAuthPointer, quote } from './types.js';

export function parseAwsAuth(configMap: ConfigMap | null | undefined): ParsedAwsAuth {
  const result: ParsedAwsAuth = {
    found: configMap !== null && configMap !== undefined,
    sections: { mapRoles: 'absent', mapUsers: 'absent', mapAccounts: 'absent' },
    roles: [],
    users: [],
    accounts: [],
    problems: [],
  };
  if (!configMap || typeof configMap !== 'object') return result;
  const { problems } = result;
  const data: unknown = configMap.data;
  for (const [key, value] of Object.entries(data && typeof data === 'object' ? data : {})) {
    const section = SECTIONS.find((s) => s === key);
    if (!section) {
      problems.push(ignoredKeyProblem(key, 'data'));
    } else if (typeof value !== 'string') {
      result.sections[section] = 'dropped';
      problems.push(notTextProblem(section, value));
    } else {
      const read = parseSection(section, value, problems);
      result.sections[section] = read.status;
      if (section === 'mapRoles') result.roles = read.mappings;
      else if (section === 'mapUsers') result.users = read.mappings;
      else result.accounts = read.accounts;
    }
  }
  const binary: unknown = (configMap as { binaryData?: unknown }).binaryData;
  for (const key of Object.keys(binary && typeof binary === 'object' ? binary : {})) {
    problems.push(ignoredKeyProblem(key, 'binaryData'));
  }
  problems.push(...duplicateProblems(result));
  // Messages are one line whatever the YAML held (JSON quoting leaves U+2028/U+2029 and NEL as they are).
  for (const p of problems) p.message = p.message.replace(/[\r\n\v\f\u0085\u2028\u2029]+/g, ' ');
  return result;
}

/** A section that is not text never reached the authenticator (the API server rejects such a ConfigMap). */
function notTextProblem(section: AwsAuthSection, value: unknown): AwsAuthProblem {
  const message = Array.isArray(value)
    ? `${section} is a YAML list instead of a string: the "|" after "${section}:" is missing; the API server rejects such a ConfigMap, so this content never reached the authenticator`
    : `${section} is not a string (a ConfigMap value must be text); the authenticator cannot read it`;
  return { section, kind: 'yaml-error', message, pointer: awsAuthPointer(section) };
}

/** A data key the authenticator never reads (top-level keys are case-sensitive), or any binaryData key. */
function ignoredKeyProblem(key: string, field: 'data' | 'binaryData'): AwsAuthProblem {
  const sameLetters = SECTIONS.find((s) => s.toLowerCase() === key.toLowerCase());
  const suggestion = sameLetters ?? closestSection(key);
  const binary = `binaryData key ${quote(key, 80)} is ignored: the authenticator reads only data`;
  const wrongCase = `data key ${quote(key)} is ignored: the authenticator reads only "${sameLetters}" (top-level keys are case-sensitive)`;
  const unknown = `data key ${quote(key, 80)} is ignored by the authenticator (it reads only mapRoles, mapUsers and mapAccounts)${suggestion ? `; did you mean "${suggestion}"?` : ''}`;
  const isWrongCase = field === 'data' && sameLetters !== undefined;
  return {
    section: 'data',
    kind: isWrongCase ? 'wrong-key-case' : 'unknown-data-key',
    message: field === 'binaryData' ? binary : isWrongCase ? wrongCase : unknown,
    pointer: awsAuthPointer(key, field),
    key,
    ...(suggestion ? { suggestion } : {}),
  };
}

/** The section a misspelt key was probably meant to be (at most two edits apart). */
function closestSection(key: string): AwsAuthSection | undefined {
  const letters = key.toLowerCase().replace(/[^a-z]/g, '');
  const distances = SECTIONS.map((s) => ({ s, d: editDistance(letters, s.toLowerCase()) }));
  const best = distances.sort((a, b) => a.d - b.d)[0];
  return best && best.d < 3 ? best.s : undefined;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return 99;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      row[j] = Math.min((previous[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, substitution);
    }
    previous = row;
  }
  return previous[b.length] ?? 99;
}
