import { describe, expect, it } from 'vitest';
import { methods, parseArgs, type MethodName } from '../../src-main/shared/contract.js';

describe('the API contract validates every method at the boundary', () => {
  for (const method of Object.keys(methods) as MethodName[]) {
    it(`${method} rejects unknown fields with an error naming the method`, () => {
      const r = parseArgs(method, { surprise: 1 });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).toMatch(new RegExp(`^${method.replace('.', '\\.')}: `));
    });
  }

  it('names the field and the problem', () => {
    expect(parseArgs('items.page', { filter: {}, offset: -1, limit: 10 })).toEqual({ ok: false, error: expect.stringMatching(/^items\.page: .*\(offset\)$/) });
    expect(parseArgs('items.page', { filter: {}, offset: 0, limit: 100000 })).toEqual({ ok: false, error: expect.stringMatching(/\(limit\)/) });
    expect(parseArgs('labels.move', { selection: { ids: [] }, category: 'X' })).toMatchObject({ ok: false });
    expect(parseArgs('labels.move', { selection: { ids: [1] }, category: '   ' })).toEqual({ ok: false, error: expect.stringMatching(/category name must not be empty/) });
    expect(parseArgs('labels.move', { selection: { ids: [1.5] }, category: 'A' })).toMatchObject({ ok: false });
    expect(parseArgs('items.count', { filter: { status: 'weird' } })).toMatchObject({ ok: false });
    expect(parseArgs('project.open', { dir: 42 })).toMatchObject({ ok: false });
    expect(parseArgs('nope' as MethodName, {})).toEqual({ ok: false, error: 'unknown method "nope"' });
  });

  it('accepts good arguments', () => {
    expect(parseArgs('labels.move', { selection: { filter: { categoryId: 3, status: 'active' } }, category: 'A > B' }).ok).toBe(true);
    expect(parseArgs('items.page', { filter: {}, offset: 0, limit: 100 }).ok).toBe(true);
    expect(parseArgs('app.info', undefined).ok).toBe(true);
  });
});
