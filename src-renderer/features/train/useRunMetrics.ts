import { useEffect, useState } from 'react';
import type { RunMetric } from '../../../src-main/shared/contract';
import type { TrainEvent } from '../../../src-main/shared/training';
import { useEvent } from '../../api/hooks';
import { call } from '../../api/transport';

/** A run's metrics: loaded once from the database, then extended live from its events. */
export function useRunMetrics(run: string | null): { metrics: RunMetric[]; live: Extract<TrainEvent, { type: 'step' }> | null } {
  const [metrics, setMetrics] = useState<RunMetric[]>([]);
  const [live, setLive] = useState<Extract<TrainEvent, { type: 'step' }> | null>(null);
  useEffect(() => {
    setMetrics([]);
    setLive(null);
    if (run) void call('runs.metrics', { run }).then(setMetrics);
  }, [run]);
  useEvent('onTrainEvent', (e) => {
    if (e.run !== run) return;
    if (e.type === 'start') {
      // a resumed run starts afresh: the last step's figures (rate, time left) belong to the old process
      setLive(null);
      setMetrics((m) => m.filter((x) => x.step <= e.resumedAt));
    }
    if (e.type === 'step') {
      setLive(e);
      setMetrics((m) => [...m, { kind: 'train', step: e.step, epoch: e.epoch, loss: e.loss, top1: e.top1, top5: e.top5, lr: e.lr, images_per_sec: e.imagesPerSec }]);
    }
    if (e.type === 'epoch') setMetrics((m) => [...m, { kind: 'validation', step: e.step, epoch: e.epoch, loss: e.val_loss, top1: e.val_top1, top5: e.val_top5, lr: null, images_per_sec: null }]);
  });
  return { metrics, live };
}
