import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FASHION_MNIST_CLASSES, fashionMnistInstalled, writeFashionMnistFolder } from '../../scripts/fashion-mnist.js';
import { shiwake, shiwakeJson } from '../fixtures/cli.js';
import { requireSystem, tempDir } from '../fixtures/tmp.js';

const tmp = tempDir();

describe('Fashion-MNIST (Debian dataset-fashion-mnist)', () => {
  it('converts to a folder dataset that imports with one category per class', async () => {
    if (!requireSystem('dataset-fashion-mnist (apt-get install dataset-fashion-mnist)', fashionMnistInstalled())) return;
    const root = path.join(tmp, 'fashion');
    const written = await writeFashionMnistFolder({ out: root, limitPerClass: 40 });
    expect(written).toBe(40 * 10 * 2);
    const projectDir = path.join(tmp, 'fashion-project');
    expect(shiwakeJson(['import', root, '--project', projectDir])).toMatchObject({ added: 800, broken: 0, issues: [] });
    const stats = shiwakeJson(['stats', '--project', projectDir]);
    expect(stats.categories).toEqual([...FASHION_MNIST_CLASSES].sort().map((name) => ({ name, count: 80 })));
    const project = (await import('../../src-main/engine/project.js')).Project.open(projectDir);
    const coat = project.db.prepare("SELECT path FROM items WHERE path LIKE 'Coat/%' ORDER BY path LIMIT 1").pluck().get() as string;
    expect(project.items.findByPath(coat)).toMatchObject({ format: 'png', width: 28, height: 28 });
    project.close();
    expect(shiwake(['relabel', '--project', projectDir, '--to', 'Pullover', coat]).code).toBe(0);
    const after = shiwakeJson(['stats', '--project', projectDir]).categories;
    expect(after).toContainEqual({ name: 'Pullover', count: 81 });
    expect(after).toContainEqual({ name: 'Coat', count: 79 });
  });
});
