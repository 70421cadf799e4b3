import { describe, expect, it } from 'vitest';
import { compareCodePoints } from '../../src-main/shared/order.js';

describe('compareCodePoints', () => {
  it('orders by code point, whatever the locale (astral characters after U+FFFF)', () => {
    const names = ['😀', 'Ｚ', 'バッグ', 'É', 'e', 'b', 'Z', 'B', 'ab', 'a'];
    expect([...names].sort(compareCodePoints)).toEqual(['B', 'Z', 'a', 'ab', 'b', 'e', 'É', 'バッグ', 'Ｚ', '😀']);
    // the order of the UTF-8 bytes, by definition
    const byUtf8 = [...names].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    expect([...names].sort(compareCodePoints)).toEqual(byUtf8);
    expect(compareCodePoints('same', 'same')).toBe(0);
  });
});
