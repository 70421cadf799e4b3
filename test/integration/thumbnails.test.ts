import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { importDataset } from '../../src-main/engine/dataset/importDataset.js';
import { Project } from '../../src-main/engine/project.js';
import { ThumbnailService } from '../../src-main/engine/studio/thumbnails.js';
import { bmpBytes, imageBytes, jpegWithMiddleCut, TORN_JPEG_REASON } from '../fixtures/images.js';
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

  it('decode every image strictly once: whole ones are marked decoded, a JPEG missing its middle becomes broken, a changed file is decoded again', async () => {
    const root = path.join(tmp, 'strict');
    fs.mkdirSync(path.join(root, 'A'), { recursive: true });
    const whole = await imageBytes({ width: 64, height: 64, seed: 1 });
    fs.writeFileSync(path.join(root, 'A/whole.jpg'), whole);
    fs.writeFileSync(path.join(root, 'A/b.bmp'), bmpBytes(30, 20));
    fs.writeFileSync(path.join(root, 'A/torn.jpg'), await jpegWithMiddleCut());
    const project = Project.openOrCreate(path.join(tmp, 'strict-project'), root);
    await importDataset(project);
    const item = (p: string) => project.db.prepare('SELECT status, reason, decoded FROM items WHERE path = ?').get(p) as { status: string; reason: string | null; decoded: number };
    expect(item('A/torn.jpg')).toEqual({ status: 'active', reason: null, decoded: 0 }); // the probe cannot tell
    const thumbs = new ThumbnailService(project);
    const decoded = await thumbs.pregenerate(new AbortController().signal, () => {});
    expect(decoded).toBe(3);
    expect(item('A/whole.jpg')).toMatchObject({ status: 'active', decoded: 1 });
    expect(item('A/b.bmp')).toMatchObject({ status: 'active', decoded: 1 });
    expect(item('A/torn.jpg')).toMatchObject({ status: 'broken', reason: expect.stringMatching(new RegExp(`cannot be decoded: .*(${TORN_JPEG_REASON.source})`)) });
    expect(thumbs.repo.existingIds().size).toBe(2);
    expect(await thumbs.pregenerate(new AbortController().signal, () => {})).toBe(0); // once, ever

    // a changed file is not trusted until it is decoded again
    fs.writeFileSync(path.join(root, 'A/whole.jpg'), await imageBytes({ width: 64, height: 64, seed: 2 }));
    fs.utimesSync(path.join(root, 'A/whole.jpg'), new Date(), new Date(Date.now() + 5000));
    await importDataset(project);
    expect(item('A/whole.jpg')).toMatchObject({ status: 'active', decoded: 0 });
    // on demand (a grid cell) counts as well
    expect(Buffer.isBuffer(await thumbs.get(project.items.findByPath('A/whole.jpg')!.id))).toBe(true);
    thumbs.close();
    expect(item('A/whole.jpg')).toMatchObject({ decoded: 1 });
    project.close();
  });
});
