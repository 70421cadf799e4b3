import { useState } from 'react';
import type { TrainEvent } from '../../../src-main/shared/training';
import { useEvent } from '../../api/hooks';

const duration = (s: number): string => `${Math.floor(s / 60)}:${String(Math.round(s % 60)).padStart(2, '0')}`;

/** A cached-features run's one pass over the images through the backbone, until its first step. */
export function FeaturePass({ run }: { run: string }) {
  const [pass, setPass] = useState<Extract<TrainEvent, { type: 'features' }> | null>(null);
  useEvent('onTrainEvent', (e) => {
    if (e.run !== run) return;
    if (e.type === 'features') setPass(e);
    else if (e.type !== 'start') setPass(null); // training (or the run) has moved on
  });
  if (!pass || pass.done >= pass.total) return null;
  return (
    <p data-testid="train-features-progress">
      computing the backbone's features (once): {pass.done.toLocaleString()}/{pass.total.toLocaleString()} images · {Math.round(pass.imagesPerSec).toLocaleString()} images/s · {duration(pass.eta)} left
      <progress max={pass.total} value={pass.done} />
    </p>
  );
}
