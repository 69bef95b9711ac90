export type AwsAuthSection = 'mapRoles' | 'mapUsers' | 'mapAccounts';
export type MappingSection = 'mapRoles' | 'mapUsers';
export const SECTIONS: readonly AwsAuthSection[] = ['mapRoles', 'mapUsers', 'mapAccounts'];

export interface AwsAuthMapping {
  section: MappingSection;
  index: number; // 0-based position in the section's list as written (invalid entries keep their slot)
  arn: string; // rolearn / userarn as written, trimmed
  rawArn?: string; // the exact value when it has surrounding whitespace: compared as is, so it never matches
  username?: string; // undefined when the key is absent; '' when empty, null, or not a string
  usernameNotString?: boolean; // a number, boolean, list or mapping: the authenticator uses ''
  groups: string[]; // what the authenticator hands to Kubernetes ([] when absent or not a list)
  groupsMalformed?: 'not-a-list' | 'scalar-with-dashes' | 'non-string-items';
  unknownKeys?: string[]; // keys the authenticator ignores (`rolarn`, or `userarn` inside mapRoles)
  line?: number; // 1-based, inside the section text
  pointer: string; // JSON Pointer of the section string: '/awsAuth/data/data/mapRoles'
}

export interface AwsAuthProblem {
  section: AwsAuthSection | 'data';
  kind:
    | 'yaml-error'
    | 'not-a-list'
    | 'entry-missing-arn'
    | 'entry-invalid'
    | 'wrong-key-case'
    | 'unknown-data-key'
    | 'groups-malformed'
    | 'duplicate-arn'
    | 'sso-entry';
  message: string; // one line: what the authenticator would log or do
  index?: number;
  line?: number;
  pointer: string;
  indices?: number[]; // duplicate-arn: every index of the duplicated ARN in the section
  arn?: string; // duplicate-arn and entry problems: the ARN concerned
  key?: string; // wrong-key-case / unknown-data-key: the data key as written
  suggestion?: AwsAuthSection; // wrong-key-case / unknown-data-key: the section probably meant
}

export interface ParsedAwsAuth {
  found: boolean; // false when the ConfigMap is null/undefined
  /** 'dropped' = an error made the authenticator discard the whole section; 'ok' includes present-but-blank. */
  sections: Record<AwsAuthSection, 'ok' | 'absent' | 'dropped'>;
  roles: AwsAuthMapping[];
  users: AwsAuthMapping[];
  accounts: string[];
  problems: AwsAuthProblem[];
}

export interface MappingMatch {
  mapping: AwsAuthMapping;
  duplicates: AwsAuthMapping[]; // every other entry of the section that matches the same ARN
  nondeterministic: boolean; // mapUsers ARNs differing only in case: a random winner per lookup
  candidates: AwsAuthMapping[]; // the entries that can win (more than one only when nondeterministic)
}

export function awsAuthPointer(key: string, field: 'data' | 'binaryData' = 'data'): string {
  return `/awsAuth/data/${field}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

/** The lookup key of an ARN: Go's strings.EqualFold, close enough for ARNs (ſ folds onto s). */
export function arnKey(arn: string): string {
  return arn.toLowerCase().replace(/\u017f/g, 's');
}

/** User text inside a message: JSON-quoted (so it stays on one line) and shortened. */
export function quote(text: string, max = 100): string {
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
}

export function entryLabel(section: AwsAuthSection, index: number, line: number | undefined): string {
  return `${section} entry ${index + 1}${line ? ` (line ${line})` : ''}`;
}
