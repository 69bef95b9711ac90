import { describe, expect, it } from 'vitest';
import { renderTemplate, rendersEmpty } from '../../src/eks/templates.js';

const role = { accountId: '111122223333', sessionName: 'jane@example.com', accessKeyId: 'ASIAEXAMPLE' };
const user = { accountId: '111122223333', sessionName: '' };

describe('renderTemplate', () => {
  const cases: Array<[string, typeof role | typeof user, string]> = [
    ['admin:{{SessionName}}', role, 'admin:jane-example.com'],
    ['admin:{{SessionNameRaw}}', role, 'admin:jane@example.com'],
    ['{{AccountID}}:{{AccessKeyID}}', role, '111122223333:ASIAEXAMPLE'],
    ['{{SessionName}}', user, ''],
    ['', role, ''],
    ['static', user, 'static'],
  ];
  it.each(cases)('%s', (template, ctx, expected) => {
    const r = renderTemplate(template, ctx);
    expect(r.ok && r.value).toBe(expected);
  });

  it('fails EC2PrivateDNSName for a session that is not an instance id (FM-28)', () => {
    const r = renderTemplate('system:node:{{EC2PrivateDNSName}}', role);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain('SessionName did not contain an instance id');
    expect(
      renderTemplate('system:node:{{EC2PrivateDNSName}}', {
        accountId: '1',
        sessionName: 'i-0123456789abcdef0',
      }).ok,
    ).toBe(true);
  });

  it('marks values it cannot know offline', () => {
    const r = renderTemplate('ops:{{SessionName}}', { accountId: '1', sessionName: undefined });
    expect(r).toEqual({ ok: true, value: 'ops:{{SessionName}}', unknown: ['{{SessionName}}'] });
  });

  it('rendersEmpty spots the FM-45/46 trap', () => {
    expect(rendersEmpty(undefined, user)).toBe(true);
    expect(rendersEmpty('{{SessionName}}', user)).toBe(true);
    expect(rendersEmpty('{{SessionName}}', role)).toBe(false);
  });
});
