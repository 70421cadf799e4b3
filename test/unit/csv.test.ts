import { describe, expect, it } from 'vitest';
import { csvField, parseCsv } from '../../src-main/engine/dataset/csv.js';
import { categoryFromFolder, normalizeCategoryName } from '../../src-main/shared/categoryName.js';

describe('CSV', () => {
  it('parses quotes, escaped quotes, commas and newlines inside fields, CRLF and a BOM', () => {
    const text = '\uFEFFpath,label\r\n"a, b.jpg",Men > Shoes\r\n"say ""hi"".png","multi\nline"\nplain.jpg,Bags\n';
    expect(parseCsv(text)).toEqual([
      { line: 1, fields: ['path', 'label'] },
      { line: 2, fields: ['a, b.jpg', 'Men > Shoes'] },
      { line: 3, fields: ['say "hi".png', 'multi\nline'] },
      { line: 5, fields: ['plain.jpg', 'Bags'] },
    ]);
  });

  it('keeps empty fields and skips blank lines; reports an unterminated quote', () => {
    expect(parseCsv('a,,c\n\nd,e,\n').map((r) => r.fields)).toEqual([
      ['a', '', 'c'],
      ['d', 'e', ''],
    ]);
    expect(() => parseCsv('a,"b\n')).toThrow(/unterminated quoted field starting on line 1/);
  });

  it('round-trips fields through csvField', () => {
    const fields = ['plain', 'with,comma', 'with "quotes"', 'new\nline', 'ü 日本'];
    expect(parseCsv(fields.map(csvField).join(','))[0]!.fields).toEqual(fields);
  });
});

describe('category names', () => {
  it('joins folder paths with " > " and never flattens', () => {
    expect(categoryFromFolder('Men/Shoes/Sneakers')).toBe('Men > Shoes > Sneakers');
    expect(categoryFromFolder('a>b/c')).toBe('a›b > c');
  });
  it('normalizes typed names and rejects empty parts', () => {
    expect(normalizeCategoryName(' Men >Shoes>  Sneakers ')).toBe('Men > Shoes > Sneakers');
    expect(() => normalizeCategoryName('Men > > Shoes')).toThrow(/not a valid category name/);
    expect(() => normalizeCategoryName('  ')).toThrow(/not a valid category name/);
  });
});
