import type { Incident } from '../model/incident.js';
import { Draft } from './draft.js';
import { parseAuthenticatorError, parseAuthenticatorLine } from './families/authenticator.js';
import { parseAwsLine } from './families/aws.js';
import { parseExecLine } from './families/exec.js';
import { parseJsonValue, tryJson } from './families/json.js';
import { parseKubernetesLine } from './families/kubernetes.js';
import { parseToolLine } from './families/tools.js';
import { readKubeconfig, type KubeconfigFacts } from './kubeconfig.js';
import { parseGoUrlError } from './request.js';
import {
  commandContext,
  eksctlName,
  findClusterArn,
  findEksEndpoint,
  findPrincipalArn,
  findTimestamp,
  stripAnsi,
  unboxLine,
} from './text.js';
import { TOKEN_PREFIX, decodeToken } from './token.js';

export interface ParseOptions {
  /** "Now" for token age checks; defaults to the current time. */
  now?: Date;
}

/** Only this much of one line is examined: real log lines are far shorter, and it bounds the work per line. */
const LINE_WINDOW = 16_384;
/** A kubeconfig is a few kilobytes; larger YAML-looking pastes are read as log lines. */
const MAX_KUBECONFIG_CHARS = 1_000_000;
/** Tokens decoded per paste (each is checked fully). */
const MAX_TOKENS = 5;

const HINT =
  'nothing recognisable: paste the complete error output (the kubectl, Helm or Terraform error, an ' +
  'aws-iam-authenticator log line, an audit event, an AWS CLI error, a k8s-aws-v1 token or a kubeconfig)';

/** One pasted line (or block) → an Incident (DESIGN §6). Never throws. */
export function parseLogLine(text: string, options?: ParseOptions): Incident {
  return parseLogLines(text, options);
}

/** Several lines, or one block of text: everything they reveal, merged into one Incident. Never throws. */
export function parseLogLines(text: string | string[], options?: ParseOptions): Incident {
  const state = new ParseState(options?.now ?? new Date());
  const chunks = Array.isArray(text) ? text.map((c) => (typeof c === 'string' ? c : String(c))) : [text];
  // Lines given one by one may still be one pretty-printed JSON document or kubeconfig: read those whole.
  if (chunks.length > 1) {
    try {
      if (state.whole(chunks.join('\n').trim())) return state.finish();
    } catch {
      // Fall back to reading the lines one by one.
    }
  }
  for (const chunk of chunks) {
    try {
      state.chunk(typeof chunk === 'string' ? chunk : String(chunk));
    } catch {
      // A parser bug must not cost the user what the other lines revealed.
    }
  }
  return state.finish();
}

class ParseState {
  readonly draft = new Draft();
  private tokens = 0;
  private sawToken = false;
  private sawKubeconfig = false;

  constructor(private readonly now: Date) {}

  /** Reads the text as one JSON document or kubeconfig; false when it is neither. */
  whole(trimmed: string): boolean {
    if ((trimmed.startsWith('{') || trimmed.startsWith('[')) && this.wholeJson(trimmed)) return true;
    return (
      trimmed.length < MAX_KUBECONFIG_CHARS && looksLikeKubeconfigYaml(trimmed) && this.kubeconfig(trimmed)
    );
  }

  chunk(raw: string): void {
    // Colour codes of a CI log split the phrases the parsers look for; they are never part of a message.
    const text = stripAnsi(raw);
    const trimmed = text.trim();
    if (trimmed === '' || this.whole(trimmed)) return;
    // Lines of a `│ … │` box (Pulumi, rich CLIs) are one message wrapped at the box width: read them joined.
    const box: string[] = [];
    let boxLength = 0;
    const flushBox = (): void => {
      if (box.length > 0) this.line(box.join(' '));
      box.length = 0;
      boxLength = 0;
    };
    let start = 0;
    while (start <= text.length) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = text.length;
      const line = text.slice(start, Math.min(end, start + LINE_WINDOW));
      start = end + 1;
      const inner = unboxLine(line);
      if (inner === undefined) {
        flushBox();
        if (line.trim() !== '') this.line(line);
        continue;
      }
      // An empty box line ends a paragraph; a full window is read before the next line is added.
      if (inner === '' || boxLength + inner.length >= LINE_WINDOW) flushBox();
      if (inner !== '') {
        box.push(inner);
        boxLength += inner.length + 1;
      }
    }
    flushBox();
  }

  private wholeJson(text: string): boolean {
    // Real pastes nest a few levels; thousands of opening brackets are noise and slow to materialise.
    if (/^[[{\s]{256}/.test(text)) return false;
    const value = tryJson(text);
    if (value === undefined) return false;
    if (isKubeconfigObject(value)) {
      if (!this.kubeconfig(value)) return false;
    } else if (!parseJsonValue(value, this.draft, (line) => this.line(line.slice(0, LINE_WINDOW)))) {
      return false;
    }
    this.scanTokens(text);
    return true;
  }

  private kubeconfig(config: unknown): boolean {
    let facts: KubeconfigFacts;
    try {
      facts = readKubeconfig(config);
    } catch {
      return false;
    }
    this.sawKubeconfig = true;
    const d = this.draft;
    d.set('clusterName', facts.clusterName);
    d.set('region', facts.region);
    d.set('endpoint', facts.endpoint);
    for (const problem of facts.problems) d.fact(problem.fact);
    return true;
  }

  line(raw: string): void {
    const line = stripAnsi(raw).replace(/\r$/, '');
    const lower = line.toLowerCase();
    const d = this.draft;

    const brace = line.indexOf('{');
    if (brace >= 0 && /\{\s*"/.test(line.slice(brace, brace + 10))) {
      const end = line.lastIndexOf('}');
      const value = end > brace ? tryJson(line.slice(brace, end + 1)) : undefined;
      if (value !== undefined) parseJsonValue(value, d, (nested) => this.line(nested.slice(0, LINE_WINDOW)));
    }

    if (!parseAuthenticatorLine(line, lower, d)) {
      parseToolLine(line, lower, d);
      parseAwsLine(line, lower, d);
      parseExecLine(line, lower, d);
      parseKubernetesLine(line, lower, d);
      parseAuthenticatorError(line, lower, d);
      parseGoUrlError(line, d);
    }
    this.generic(line, lower);
    if (lower.includes(TOKEN_PREFIX)) this.scanTokens(line);
  }

  /** What any line may carry: endpoints, cluster and principal ARNs, context names, timestamps, status codes. */
  private generic(line: string, lower: string): void {
    const d = this.draft;
    const endpoint = findEksEndpoint(line);
    if (endpoint) {
      d.set('endpoint', endpoint.endpoint);
      d.set('region', endpoint.region);
    }
    if (lower.includes(':eks:')) {
      const cluster = findClusterArn(line);
      if (cluster) {
        d.set('clusterName', cluster.name);
        d.set('region', cluster.region);
      }
    }
    const eksctlAt = lower.indexOf('.eksctl.io');
    if (eksctlAt >= 0) {
      const around = line.slice(Math.max(0, eksctlAt - 300), eksctlAt + 10);
      const m = /[^\s"'@]{0,200}@[^\s"']{1,200}\.eksctl\.io|[^\s"'@]{1,200}\.eksctl\.io/.exec(around);
      const named = m ? eksctlName(m[0]) : undefined;
      if (named) {
        d.set('clusterName', named.name);
        d.set('region', named.region);
      }
    }
    // A bare ARN is only a guess: on an echoed command it may be the role asked for, not the caller.
    if (lower.includes('arn:aws')) d.fallback('principalArn', findPrincipalArn(line));
    d.set('time', findTimestamp(line));
    const command = commandContext(line, lower);
    if (command) {
      d.set('clusterName', command.clusterName);
      d.set('region', command.region);
    }
    const goStatus = line.includes('Code:') ? /\bCode:(\d{3})\}/.exec(line) : null;
    if (goStatus && Number(goStatus[1]) >= 400) d.set('status', Number(goStatus[1]));
  }

  private scanTokens(text: string): void {
    const re = /k8s-aws-v1\.[A-Za-z0-9_-]{16,}/g;
    for (let m = re.exec(text); m && this.tokens < MAX_TOKENS; m = re.exec(text)) {
      this.tokens++;
      try {
        const decoded = decodeToken(m[0], this.now);
        this.sawToken = true;
        const d = this.draft;
        d.token({ url: decoded.url, length: decoded.length });
        d.set('accessKeyId', decoded.accessKeyId);
        for (const problem of decoded.problems) {
          d.fact(problem.fact);
          if (MALFORMED_FAMILY.has(problem.fact)) d.fact('token-malformed');
        }
      } catch {
        this.draft.fact('token-malformed');
      }
    }
  }

  finish(): Incident {
    const d = this.draft;
    if (this.sawToken) d.source('token');
    if (this.sawKubeconfig) d.source('kubeconfig');
    const incident = d.build();
    if (Object.keys(incident).length === 0) return { hint: HINT };
    return incident;
  }
}

const MALFORMED_FAMILY = new Set([
  'token-missing-prefix',
  'token-non-whitelisted-parameter',
  'token-duplicate-parameter',
  'token-cluster-id-not-signed',
  'token-invalid-expires',
]);

function isKubeconfigObject(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  return (
    v.kind === 'Config' ||
    (Array.isArray(v.clusters) && (Array.isArray(v.users) || Array.isArray(v.contexts)))
  );
}

function looksLikeKubeconfigYaml(text: string): boolean {
  return /^clusters:/m.test(text) && (/^users:/m.test(text) || /^contexts:/m.test(text));
}
