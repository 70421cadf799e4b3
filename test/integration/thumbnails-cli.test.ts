import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ThumbRepo } from '../../src-main/engine/db/repos/thumbs.js';
import { Project } from '../../src-main/engine/project.js';
import { shiwake, shiwakeJson, spawnShiwake } from '../fixtures/cli.js';
import { jpegWithMiddleCut, writeImage, TORN_JPEG_REASON } from '../fixtures/images.js';
import { tempDir } from '../fixtures/tmp.js';

const tmp = tempDir();

function lastJsonLine(stdout: string): unknown {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!);
}

function decodedCount(dir: string): number {
  const p = Project.open(dir);
  try {
    return p.db.prepare("SELECT COUNT(*) FROM items WHERE decoded = 1 AND status = 'active'").pluck().get() as number;
  } finally {
    p.close();
  }
}

describe('shiwake thumbnails', () => {
  it('decodes and thumbnails every image once, marks a torn JPEG broken, and prints {images, broken, seconds} last', async () => {
    const root = path.join(tmp, 'set');
    for (let i = 0; i < 8; i++) await writeImage(path.join(root, `c${i % 2}`, `${i}.jpg`), { seed: i, width: 300, height: 200 });
    await writeImage(path.join(root, 'c0/p.png'), { seed: 3, format: 'png' });
    fs.writeFileSync(path.join(root, 'c1/torn.jpg'), await jpegWithMiddleCut({ seed: 5 }));
    const dir = path.join(tmp, 'set-project');
    shiwakeJson(['import', root, '--project', dir]);

    const first = shiwake(['thumbnails', '--project', dir, '--json']);
    expect(first.code).toBe(0);
    const out = lastJsonLine(first.stdout) as Record<string, number>;
    expect(Object.keys(out)).toEqual(['images', 'broken', 'seconds']);
    expect(out).toMatchObject({ images: 10, broken: 1 });
    expect(out.seconds).toBeGreaterThan(0);
    const project = Project.open(dir);
    expect(project.items.broken()).toEqual([{ path: 'c1/torn.jpg', reason: expect.stringMatching(new RegExp(`^cannot be decoded: .*(${TORN_JPEG_REASON.source})`)) }]);
    project.close();
    const thumbs = new ThumbRepo(dir);
    expect(thumbs.existingIds().size).toBe(9);
    thumbs.close();
    expect(decodedCount(dir)).toBe(9);

    // done once: a second run has nothing to do
    expect(lastJsonLine(shiwake(['thumbnails', '--project', dir, '--json']).stdout)).toMatchObject({ images: 0, broken: 0 });
    // without --json: a summary on stdout, the progress (done/total, rate) on stderr
    const plain = shiwake(['thumbnails', '--project', dir]);
    expect(plain.stdout).toMatch(/^Decoded 0 images in [\d.]+ s, 0 broken\.$/m);
  });

  it('decodes a file again once it changed (new size and time), and finds it torn', async () => {
    const root = path.join(tmp, 'changed');
    for (let i = 0; i < 4; i++) await writeImage(path.join(root, 'a', `${i}.jpg`), { seed: i, width: 256, height: 256 });
    const dir = path.join(tmp, 'changed-project');
    shiwakeJson(['import', root, '--project', dir]);
    expect(lastJsonLine(shiwake(['thumbnails', '--project', dir, '--json']).stdout)).toMatchObject({ images: 4, broken: 0 });

    fs.writeFileSync(path.join(root, 'a/2.jpg'), await jpegWithMiddleCut({ seed: 2 }));
    fs.utimesSync(path.join(root, 'a/2.jpg'), new Date(), new Date(Date.now() + 5000));
    shiwakeJson(['import', root, '--project', dir]);
    const again = shiwake(['thumbnails', '--project', dir]);
    expect(again.stderr).toMatch(/decoding images: \d+\/1 images/);
    expect(again.stdout).toMatch(/^Decoded 1 images in [\d.]+ s, 1 broken\.$/m);
    expect(again.stdout).toMatch(/a\/2\.jpg: cannot be decoded/);
    expect(decodedCount(dir)).toBe(3);
  });

  it('stops on SIGTERM like Ctrl+C: exit 130, what was decoded is kept, and the next run does the rest', async () => {
    const root = path.join(tmp, 'many');
    const bytes = await writeImage(path.join(root, 'a/0.jpg'), { seed: 1, width: 640, height: 480 });
    // the same picture under many names (a comment makes each file differ): quick to make, slow enough to decode
    for (let i = 1; i < 400; i++) {
      const tag = Buffer.from(`copy ${i}`);
      fs.writeFileSync(path.join(root, 'a', `${i}.jpg`), Buffer.concat([bytes.subarray(0, 2), Buffer.from([0xff, 0xfe, 0, tag.length + 2]), tag, bytes.subarray(2)]));
    }
    const dir = path.join(tmp, 'many-project');
    shiwakeJson(['import', root, '--project', dir]);
    const child = spawnShiwake(['thumbnails', '--project', dir, '--json']);
    let stdout = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    // wait until some images are decoded (their results are written in batches of 256)
    const thumbsDb = path.join(dir, 'thumbnails', 'thumbs.db');
    while (!fs.existsSync(thumbsDb) && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGTERM');
    expect(await exited).toBe(130);
    const first = lastJsonLine(stdout) as { images: number };
    expect(first.images).toBeLessThan(400);
    expect(decodedCount(dir)).toBe(first.images);
    const rest = lastJsonLine(shiwake(['thumbnails', '--project', dir, '--json']).stdout) as { images: number };
    expect(rest.images).toBe(400 - first.images);
    expect(decodedCount(dir)).toBe(400);
  });
});
