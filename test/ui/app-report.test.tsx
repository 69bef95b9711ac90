/** The report screens (what --demo opens on): verdict, finding detail, copy, save, timeline, help, quitting. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Report } from '../../src/model/report.js';
import { fakeServices, fits, KEYS, renderApp, seedReport, type Harness } from './harness.js';

const report = seedReport();
const finding = report.findings[0]!;
const firstCommand = finding.fixes[0]!.commands[0]!.text;
const secondCommand = finding.fixes[0]!.commands[1]!.text;
const start = { kind: 'report' as const, report, title: 'eksdoctor --demo' };

/** The seed report with `n` findings (copies of the first, numbered), for lists and paging. */
function manyFindings(n: number): Report {
  return {
    ...report,
    findings: Array.from({ length: n }, (_, i) => ({
      ...finding,
      ruleId: `rule-${i + 1}`,
      title: `Finding number ${i + 1}`,
    })),
  };
}

let harness: Harness | undefined;
afterEach(() => harness?.unmount());

describe('verdict', () => {
  it.each([
    { columns: 100, rows: 32 },
    { columns: 80, rows: 24 },
  ])(
    'shows the outcome, the request, the chain of stages and the findings at $columns×$rows',
    async (size) => {
      harness = await renderApp(start, fakeServices(), size);
      const frame = harness.frame();
      expect(frame).toContain('401 UNAUTHORIZED');
      expect(frame).toContain(report.request.principalArn!);
      expect(frame).toContain('GET /apis/metrics.eks.amazonaws.com/v1');
      const stageRows = frame.split('\n').filter((l) => /[┌├└] [✓✗·?] /.test(l));
      expect(stageRows.map((l) => /[┌├└] [✓✗·?] (\S+)/.exec(l)?.[1])).toEqual([
        'client',
        'token',
        'STS',
        'mapping',
        'identity',
        'authorization',
        'aggregation',
      ]);
      expect(stageRows.filter((l) => l.startsWith(' ▶'))).toEqual([expect.stringContaining('✗ aggregation')]);
      expect(frame).toMatch(/› 1\. error {3}aws-auth maps/);
      expect(frame.split('\n').at(-1)).toContain('q quit');
      expect(fits(frame, size)).toBe(true);
    },
  );

  it('uses spare rows to say which evidence was not seen', async () => {
    const notes = [
      'cloudTrail not collected: it would show who changed aws-auth (needs cloudtrail:LookupEvents).',
    ];
    harness = await renderApp({ ...start, report: { ...report, notes } }, fakeServices());
    const frame = harness.frame();
    expect(frame).toMatch(/ Evidence\n · cloudTrail not collected: it would show who changed aws-auth/);
    expect(fits(frame, { columns: 100, rows: 32 })).toBe(true);
  });

  it('keeps the selected finding in view in a long list at 80×24', async () => {
    harness = await renderApp({ ...start, report: manyFindings(15) }, fakeServices(), {
      columns: 80,
      rows: 24,
    });
    expect(harness.frame()).not.toContain('Finding number 12');
    await harness.press(...Array<string>(11).fill(KEYS.down));
    const frame = await harness.until((f) => f.includes('› 12. '), 'finding 12 selected');
    expect(frame).toContain('Finding number 12');
    expect(frame).not.toContain('Finding number 1 ');
    expect(fits(frame, { columns: 80, rows: 24 })).toBe(true);
  });
});

describe('finding detail', () => {
  it('opens with Down/Enter and shows the explanation, evidence and fix commands', async () => {
    harness = await renderApp(start, fakeServices());
    await harness.press(KEYS.down, KEYS.enter);
    const frame = await harness.until((f) => f.includes('finding 1 of 1'), 'the finding');
    expect(frame).toContain('Why');
    expect(frame).toContain('Evidence');
    expect(frame).toContain('Fix A: ');
    expect(frame).toContain(`› $ ${firstCommand.slice(0, 60)}`);
    expect(fits(frame, { columns: 100, rows: 32 })).toBe(true);
  });

  it.each([
    ['the first command', [] as string[], firstCommand],
    ['the next command after Down', [KEYS.down], secondCommand],
  ])('c copies %s and says so', async (_name, keys, expected) => {
    const services = fakeServices();
    harness = await renderApp(start, services);
    await harness.press(KEYS.enter, ...keys, 'c');
    const frame = await harness.until((f) => f.includes('Copied with OSC 52'), 'the copy message');
    expect(services.copy).toHaveBeenCalledWith(expected);
    expect(frame.split('\n').at(-1)).toContain(expected.slice(0, 30));
  });

  it('handles keys that arrive in one chunk one at a time, each on the screen it leads to', async () => {
    const services = fakeServices();
    harness = await renderApp(start, services);
    await harness.press(`${KEYS.enter}c`);
    await harness.until((f) => f.includes('Copied with OSC 52'), 'the copy message');
    expect(services.copy).toHaveBeenCalledWith(firstCommand);
  });

  it('says when copying failed', async () => {
    harness = await renderApp(
      start,
      fakeServices({ copy: vi.fn(async () => Promise.reject(new Error('no terminal'))) }),
    );
    await harness.press(KEYS.enter, 'c');
    await harness.until((f) => f.includes('Could not copy: no terminal'), 'the failure');
  });

  it('moves between findings with ← → and back to the verdict with Esc', async () => {
    harness = await renderApp({ ...start, report: manyFindings(3) }, fakeServices());
    await harness.press(KEYS.enter, KEYS.right, KEYS.right);
    await harness.until(
      (f) => f.includes('finding 3 of 3') && f.includes('3. Finding number 3'),
      'finding 3',
    );
    await harness.press(KEYS.left);
    await harness.until((f) => f.includes('finding 2 of 3'), 'finding 2');
    await harness.press(KEYS.escape);
    await harness.until((f) => f.includes('› 2. error'), 'the verdict with finding 2 selected');
  });

  it('scrolls a long finding with PgDn at 80×24 and stays inside the screen', async () => {
    harness = await renderApp(start, fakeServices(), { columns: 80, rows: 24 });
    await harness.press(KEYS.enter);
    const before = await harness.until((f) => f.includes('finding 1 of 1'), 'the finding');
    await harness.press(KEYS.pageDown, KEYS.pageDown);
    const after = await harness.until((f) => f !== before, 'a scrolled frame');
    expect(after).toContain('References');
    expect(fits(after, { columns: 80, rows: 24 })).toBe(true);
  });
});

describe('report keys', () => {
  it.each([
    ['j', 'json', 'Wrote the JSON report to /tmp/eksdoctor-report.json'],
    ['m', 'markdown', 'Wrote the Markdown report to /tmp/eksdoctor-report.md'],
  ])('%s writes the %s report and says where', async (key, format, message) => {
    const services = fakeServices();
    harness = await renderApp(start, services);
    await harness.press(key);
    await harness.until((f) => f.includes(message), 'the saved message');
    expect(services.save).toHaveBeenCalledWith(report, format);
  });

  it('t shows the timeline and Esc returns', async () => {
    harness = await renderApp(start, fakeServices());
    await harness.press('t');
    const frame = await harness.until((f) => f.includes('· timeline'), 'the timeline');
    for (const event of report.timeline ?? []) expect(frame).toContain(event.time);
    await harness.press(KEYS.escape);
    await harness.until((f) => f.includes('401 UNAUTHORIZED'), 'the verdict');
  });

  it('? shows the keys and q returns', async () => {
    harness = await renderApp(start, fakeServices(), { columns: 80, rows: 24 });
    await harness.press('?');
    const frame = await harness.until((f) => f.includes('eksdoctor · keys'), 'the help');
    expect(frame).toContain('copy the selected command');
    expect(fits(frame, { columns: 80, rows: 24 })).toBe(true);
    await harness.press('q');
    await harness.until((f) => f.includes('401 UNAUTHORIZED'), 'the verdict');
  });
});

describe('quitting', () => {
  it.each([
    { name: 'q on the verdict', keys: ['q'], code: 0 },
    { name: 'Esc on the verdict of --demo', keys: [KEYS.escape], code: 0 },
    { name: 'q from a finding, then q', keys: [KEYS.enter, 'q', 'q'], code: 0 },
    { name: 'Ctrl-C in a finding', keys: [KEYS.enter, KEYS.ctrlC], code: 130 },
  ])('$name exits with $code', async ({ keys, code }) => {
    harness = await renderApp(start, fakeServices());
    await harness.press(...keys);
    await vi.waitFor(() => expect(harness!.onExit).toHaveBeenCalledWith(code), { timeout: 5000 });
    expect(harness.onExit).toHaveBeenCalledTimes(1);
  });
});
