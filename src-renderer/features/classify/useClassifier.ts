import { useCallback, useEffect, useRef, useState } from 'react';
import type { ClassifyAnswer, ClassifyResult, RunBrief } from '../../../src-main/shared/predict';
import { countOf } from '../../../src-main/shared/count';
import { call } from '../../api/transport';
import { looksLikeImage, toBase64, uploadProblem } from './files';

/** One file (or dataset item) asked about, and, once it came, what the model said. */
export interface Entry {
  key: number;
  name: string;
  /** an object URL of the picked file; none for a path from the native dialog or a dataset item (its thumbnail shows) */
  image: string | null;
  objectUrl: boolean;
  state: 'pending' | 'done';
  result?: ClassifyResult;
  run?: RunBrief;
}

let nextKey = 1;

/**
 * The Classify view's list. Files go one per call, one after another, so each result appears
 * as soon as it is ready and a big folder never sends one huge request.
 */
export function useClassifier(run: string | null) {
  const [entries, setEntries] = useState<Entry[]>([]);
  const queue = useRef<Promise<void>>(Promise.resolve());
  const runRef = useRef(run);
  runRef.current = run;

  const update = (key: number, patch: Partial<Entry>): void => setEntries((list) => list.map((e) => (e.key === key ? { ...e, ...patch } : e)));
  const failed = (file: string, error: string): ClassifyResult => ({ file, error, ms: 0 });
  const enqueue = (work: () => Promise<void>): void => {
    queue.current = queue.current.then(work, work);
  };
  const runArg = (): { run?: string } => (runRef.current ? { run: runRef.current } : {});

  const addFiles = useCallback((files: File[]) => {
    const images = files.filter(looksLikeImage);
    const skipped = files.length - images.length;
    const added: Entry[] = images.map((f) => ({ key: nextKey++, name: f.name, image: URL.createObjectURL(f), objectUrl: true, state: 'pending' }));
    if (skipped > 0) added.push({ key: nextKey++, name: countOf(skipped, 'file'), image: null, objectUrl: false, state: 'done', result: failed(countOf(skipped, 'file'), 'not images, left out') });
    setEntries((list) => [...added, ...list]);
    images.forEach((file, i) => {
      const key = added[i]!.key;
      const problem = uploadProblem(file);
      if (problem) return update(key, { state: 'done', result: failed(file.name, problem) });
      enqueue(async () => {
        try {
          const answer = await call('classify.files', { ...runArg(), uploads: [{ name: file.name, data: await toBase64(file) }] });
          update(key, { state: 'done', result: answer.results[0] ?? failed(file.name, 'no answer for this file'), run: answer.run });
        } catch (e) {
          update(key, { state: 'done', result: failed(file.name, (e as Error).message) });
        }
      });
    });
  }, []);

  /** Paths from the native dialog: they stay on the engine's machine, so no image here, just the name. */
  const addPaths = useCallback((paths: string[]) => {
    const added: Entry[] = paths.map((p) => ({ key: nextKey++, name: p.slice(Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\')) + 1), image: null, objectUrl: false, state: 'pending' }));
    setEntries((list) => [...added, ...list]);
    paths.forEach((file, i) =>
      enqueue(async () => {
        const key = added[i]!.key;
        try {
          const answer = await call('classify.files', { ...runArg(), files: [file] });
          update(key, { state: 'done', result: answer.results[0] ?? failed(file, 'no answer for this file'), run: answer.run });
        } catch (e) {
          update(key, { state: 'done', result: failed(file, (e as Error).message) });
        }
      }),
    );
  }, []);

  /** Dataset items classified elsewhere (Browse: "Classify selected"). */
  const addAnswer = useCallback((answer: Promise<ClassifyAnswer>, label: string) => {
    const key = nextKey++;
    setEntries((list) => [{ key, name: label, image: null, objectUrl: false, state: 'pending' }, ...list]);
    answer.then(
      (a) => setEntries((list) => [...a.results.map((r): Entry => ({ key: nextKey++, name: r.file.slice(r.file.lastIndexOf('/') + 1), image: null, objectUrl: false, state: 'done', result: r, run: a.run })), ...list.filter((e) => e.key !== key)]),
      (e: Error) => update(key, { state: 'done', result: failed(label, e.message) }),
    );
  }, []);

  const clear = useCallback(() => setEntries((list) => (list.forEach((e) => e.objectUrl && e.image && URL.revokeObjectURL(e.image)), [])), []);
  const latest = useRef(entries);
  latest.current = entries;
  useEffect(() => () => latest.current.forEach((e) => e.objectUrl && e.image && URL.revokeObjectURL(e.image)), []);
  return { entries, addFiles, addPaths, addAnswer, clear };
}
