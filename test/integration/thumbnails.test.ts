import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { importDataset } from '../../src-main/engine/dataset/importDataset.js';
import { Project } from '../../src-main/engine/project.js';
import { ThumbnailService } from '../../src-main/engine/studio/thumbnails.js';
import { bmpBytes, imageBytes } from '../fixtures/images.js';
import { tempDir } from '../fixtures/tmp.js';

const tmp = tempDir();

describe('thumbnails', () => {
  it('respect EXIF orientation, decode BMP, are cached in one SQLite file, and mark undecodable files broken', async () => {
    const root = path.join(tmp, 'data');
    fs.mkdirSync(path.join(root, 'Cats'), { recursive: true });
    // 80x40 pixels stored, EXIF orientation 6: a person sees it 40 wide and 80 tall
    fs.writeFileSync(path.join(root, 'Cats/rotated.jpg'), await sharp(await imageBytes({ width: 80, height: 40 })).withMetadata({ orientation: 6 }).jpeg().toBuffer());
    fs.writeFileSync(path.join(root, 'Cats/bitmap.bmp'), bmpBytes(30, 20));
    // a whole header and trailer around damaged scan data: it passes the import probe, fails to decode
    const good = await imageBytes({ width: 64, height: 64 });
    const damaged = Buffer.from(good);
    damaged.fill(0xff, 200, damaged.length - 10);
    fs.writeFileSync(path.join(root, 'Cats/damaged.jpg'), damaged);
    const project = Project.openOrCreate(path.join(tmp, 'project'), root);
    await importDataset(project);
    const thumbs = new ThumbnailService(project);
    const id = (p: string) => project.items.findByPath(p)!.id;

    const rotated = await thumbs.get(id('Cats/rotated.jpg'));
    expect(Buffer.isBuffer(rotated)).toBe(true);
    const meta = await sharp(rotated as Buffer).metadata();
    expect(meta.format).toBe('webp');
    expect(meta.height).toBeGreaterThan(meta.width!); // upright

    const bmp = await thumbs.get(id('Cats/bitmap.bmp'));
    expect(Buffer.isBuffer(bmp)).toBe(true);

    const made = thumbs.repo.existingIds().size;
    const before = fs.readdirSync(path.join(tmp, 'project', 'thumbnails'));
    await thumbs.get(id('Cats/rotated.jpg')); // from the cache
    expect(thumbs.repo.existingIds().size).toBe(made);
    expect(before).toContain('thumbs.db');

    const broken = await thumbs.get(id('Cats/damaged.jpg'));
    expect(Buffer.isBuffer(broken)).toBe(false);
    expect((broken as { error: string }).error).toMatch(/cannot be decoded/);
    expect(project.items.get(id('Cats/damaged.jpg'))!.status).toBe('broken');
    thumbs.close();
    project.close();
  });
});
