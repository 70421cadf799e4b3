/**
 * Label edits in the studio that a person must be able to trust: a toast's Undo undoes its
 * own change, categories are renamed from the tree, and edits made by another process (the
 * CLI) appear without a reload.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idsForPaths, moveItems } from '../../src-main/engine/dataset/labels.js';
import { Project } from '../../src-main/engine/project.js';
import { shiwakeJson } from '../fixtures/cli.js';
import { writeImage } from '../fixtures/images.js';
import { tempDir } from '../fixtures/tmp.js';
import { chromiumPresent, openStudio, type StudioSession } from './chromium.js';

const haveChromium = chromiumPresent();
const tmp = tempDir();
const projectDir = path.join(tmp, 'project');
let session: StudioSession | undefined;
let page: Page;

/** Waits until the tree shows exactly these categories with these counts (own + below). */
async function treeIs(expected: Record<string, number>): Promise<void> {
  await page.waitForFunction((want) => {
    const rows = [...document.querySelectorAll('[data-testid="tree-row"]')].map((r) => [r.getAttribute('data-name'), Number(r.getAttribute('data-count'))]);
    return JSON.stringify(Object.fromEntries(rows)) === JSON.stringify(want);
  }, expected);
}

async function moveWithPalette(cells: number[], category: string): Promise<void> {
  await page.getByTestId('cell').nth(cells[0]!).click();
  for (const i of cells.slice(1)) await page.getByTestId('cell').nth(i).click({ modifiers: ['Control'] });
  await page.keyboard.press('m');
  await page.getByTestId('palette-input').fill(category);
  await page.keyboard.press('Enter');
}

describe.runIf(haveChromium)('trusting label edits in the studio', () => {
  beforeAll(async () => {
    const root = path.join(tmp, 'data');
    for (let i = 0; i < 6; i++) await writeImage(path.join(root, 'Shoes', `s${i}.jpg`), { seed: i, width: 40, height: 30 });
    shiwakeJson(['import', root, '--project', projectDir]);
    // the first load builds thumbnails; slow on a loaded machine
    session = await openStudio(['--project', projectDir], path.join(tmp, 'home'), { timeout: 60_000 });
    page = session.page;
    await treeIs({ Shoes: 6 });
  });

  afterAll(() => session?.close());

  it("a toast's Undo undoes its own move, not the newer one", async () => {
    await moveWithPalette([0, 1], 'A');
    const toastA = page.getByTestId('toast').filter({ hasText: 'move 2 items to A (new category)' });
    await toastA.waitFor();
    await treeIs({ A: 2, Shoes: 4 });
    await moveWithPalette([2], 'B'); // another item: the A move can be undone alone
    await page.getByTestId('toast').filter({ hasText: 'move 1 item to B (new category)' }).waitFor();
    await treeIs({ A: 2, B: 1, Shoes: 3 });
    await toastA.getByRole('button', { name: 'Undo' }).click();
    await page.getByTestId('toast').filter({ hasText: 'Undone: move 2 items to A (new category)' }).waitFor();
    await treeIs({ B: 1, Shoes: 5 }); // A, now empty, leaves the tree; B's move stays
  });

  it('renames a category from the tree, with an Undo', async () => {
    await page.locator('[data-testid="tree-row"][data-name="B"]').click({ button: 'right' });
    await page.getByTestId('category-new-name').fill('Boots');
    await page.keyboard.press('Enter');
    const toast = page.getByTestId('toast').filter({ hasText: 'rename category B to Boots (1 item)' });
    await toast.waitFor();
    await treeIs({ Boots: 1, Shoes: 5 });
    await toast.getByRole('button', { name: 'Undo' }).click();
    await treeIs({ B: 1, Shoes: 5 });
  });

  it('shows a relabel made by another process without a reload', async () => {
    await page.locator('[data-testid="tree-row"][data-name="Shoes"]').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="shown-count"]')?.textContent === '5 items');
    const other = Project.open(projectDir);
    try {
      moveItems(other, idsForPaths(other, ['Shoes/s5.jpg']), 'Elsewhere');
    } finally {
      other.close();
    }
    await treeIs({ B: 1, Elsewhere: 1, Shoes: 4 });
    await page.waitForFunction(() => document.querySelector('[data-testid="shown-count"]')?.textContent === '4 items');
  });
});
