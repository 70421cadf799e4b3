import { useEffect, useState } from 'react';
import type { RunMetric } from '../../../src-main/shared/contract';
import { useEvent } from '../../api/hooks';
import { call } from '../../api/transport';

/**
 * The stored metrics of several runs, fetched again when one of them ends an epoch or the
 * run: the comparison is of whole epochs, so the per-step stream is not needed here.
 */
export function useRunsMetrics(runs: readonly string[]): Map<string, RunMetric[]> {
  const [metrics, setMetrics] = useState<Map<string, RunMetric[]>>(new Map());
  const [version, setVersion] = useState(0);
  const key = runs.join('\n');
  useEffect(() => {
    let current = true;
    void Promise.all(runs.map(async (run) => [run, await call('runs.metrics', { run })] as const)).then((pairs) => current && setMetrics(new Map(pairs)));
    return () => void (current = false);
  }, [key, version]); // eslint-disable-line react-hooks/exhaustive-deps
  useEvent('onTrainEvent', (e) => {
    if (runs.includes(e.run) && (e.type === 'epoch' || e.type === 'done')) setVersion((v) => v + 1);
  });
  return metrics;
}
