/**
 * The region of a profile in the shared config file, read the way the AWS CLI reads it (`[default]`,
 * `[profile NAME]`, `AWS_CONFIG_FILE`). Only `region` is needed here; credentials are the SDK providers' job.
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

export function configFilePath(env: NodeJS.ProcessEnv): string {
  return env.AWS_CONFIG_FILE || join(env.HOME || env.USERPROFILE || homedir(), '.aws', 'config');
}

/** Parses an INI text into sections of key/value pairs (nested sub-sections are ignored). */
export function parseIni(text: string): Map<string, Map<string, string>> {
  const sections = new Map<string, Map<string, string>>();
  let current: Map<string, string> | undefined;
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.replace(/^\s+/, '');
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[\s*([^\]]+?)\s*\]/.exec(line);
    if (header?.[1]) {
      current = new Map();
      sections.set(header[1].replace(/\s+/g, ' '), current);
      continue;
    }
    if (rawLine !== line) continue; // indented: a nested value (e.g. s3 = ...), not a top-level key
    const pair = /^([^=]+?)\s*=\s*(.*)$/.exec(line);
    if (pair?.[1] && current) current.set(pair[1].trim().toLowerCase(), (pair[2] ?? '').trim());
  }
  return sections;
}

export async function profileRegion(profile: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(configFilePath(env), 'utf8');
  } catch {
    return undefined;
  }
  const sections = parseIni(text);
  const section =
    profile === 'default'
      ? (sections.get('default') ?? sections.get('profile default'))
      : sections.get(`profile ${profile}`);
  return section?.get('region') || undefined;
}
