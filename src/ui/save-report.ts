/** `j` and `m`: the report as JSON (the DESIGN §4 contract) or Markdown, in a new file in the working directory. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Report } from '../model/report.js';

export type ReportFormat = 'json' | 'markdown';

export async function reportText(report: Report, format: ReportFormat): Promise<string> {
  if (format === 'json') return JSON.stringify(report, null, 2) + '\n';
  const { renderMarkdown } = await import('../report/markdown.js');
  return renderMarkdown(report);
}

/** Writes `eksdoctor-report.json` (or `.md`), never over an existing file: the next free `-2`, `-3`… name. */
export async function saveReport(report: Report, format: ReportFormat, dir: string): Promise<string> {
  const text = await reportText(report, format);
  const ext = format === 'json' ? 'json' : 'md';
  for (let n = 1; n < 1000; n++) {
    const path = join(dir, `eksdoctor-report${n === 1 ? '' : `-${n}`}.${ext}`);
    try {
      await writeFile(path, text, { flag: 'wx' });
      return path;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  throw new Error(`too many eksdoctor-report files in ${dir}`);
}
