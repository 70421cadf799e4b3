import { useState } from 'react';
import type { Args } from '../../../src-main/shared/contract';
import { DEFAULT_IMAGE_SIZE, defaultFlipAverage, defaultRecipe } from '../../../src-main/shared/training';
import { BackboneFields } from './BackboneFields';
import { BatchFields } from './BatchFields';

type Options = Args<'train.start'>;

/** A model built from scratch, or a pretrained backbone (its input size is its own) with a new head; each with its default recipe. */
function withModel(o: Options, choice: string): Options {
  if (choice === 'backbone') return { ...o, backbone: o.backbone ?? '', flipAverage: undefined, ...defaultRecipe(o.model, true) };
  const model = choice as Options['model'];
  return { ...o, model, imageSize: DEFAULT_IMAGE_SIZE[model], backbone: undefined, fineTuneLayers: undefined, cacheFeatures: undefined, flipAverage: undefined, ...defaultRecipe(model, false) };
}

/** Another optimizer brings its own default rate and schedule. */
const withOptimizer = (o: Options, optimizer: Options['optimizer']): Options => ({ ...o, ...defaultRecipe(o.model, o.backbone !== undefined, optimizer) });

/** Model, image size, batch, epochs, optimizer, learning rate and schedule. */
export function TrainForm({ onStart, busy }: { onStart: (o: Options) => void; busy: boolean }) {
  const [o, setO] = useState<Options>({ model: 'small-cnn', imageSize: DEFAULT_IMAGE_SIZE['small-cnn'], epochs: 10, batchSize: 32, ...defaultRecipe('small-cnn', false), labelSmoothing: 0.1 });
  const set = <K extends keyof Options>(k: K, v: Options[K]): void => setO((prev) => ({ ...prev, [k]: v }));
  const num = (k: 'imageSize' | 'epochs' | 'learningRate' | 'labelSmoothing') => (
    <input type="number" value={o[k] ?? ''} step="any" onChange={(e) => set(k, e.target.value === '' ? undefined : Number(e.target.value))} data-testid={`train-${k}`} />
  );
  return (
    <form className="train-form" onSubmit={(e) => (e.preventDefault(), onStart(o))}>
      <label>model <select value={o.backbone !== undefined ? 'backbone' : o.model} onChange={(e) => setO(withModel(o, e.target.value))} data-testid="train-model">
        <option value="small-cnn">small CNN (small images)</option>
        <option value="mobilenet-v2">MobileNetV2</option>
        <option value="inception-v3">Inception-v3 (the reference)</option>
        <option value="backbone">pretrained backbone (transfer learning)</option>
      </select></label>
      {o.backbone !== undefined && <BackboneFields o={o} set={set} />}
      <label>image size {num('imageSize')}</label>
      <label>epochs {num('epochs')}</label>
      <BatchFields o={o} set={set} />
      <label title="data-parallel threads on the CPU backends, each with a copy of the model and a share of every batch; empty: one per core, at most one per 16 examples of the batch (1 on a GPU)">worker threads <input type="number" min={1} value={o.workers ?? ''} placeholder="one per core" onChange={(e) => set('workers', e.target.value === '' ? undefined : Number(e.target.value))} data-testid="train-workers" /></label>
      <label>optimizer <select value={o.optimizer} onChange={(e) => setO(withOptimizer(o, e.target.value as Options['optimizer']))} data-testid="train-optimizer">
        <option value="adam">Adam</option>
        <option value="rmsprop">RMSProp (reference)</option>
        <option value="sgd">SGD + momentum</option>
      </select></label>
      <label>learning rate {num('learningRate')}</label>
      <label>schedule <select value={o.schedule} onChange={(e) => set('schedule', e.target.value as Options['schedule'])}>
        <option value="constant">constant</option>
        <option value="exponential">staircase exponential (×0.16 every 30 epochs)</option>
        <option value="cosine">cosine</option>
        <option value="warmup-cosine">warm-up (10% of the steps), then cosine</option>
      </select></label>
      <label>label smoothing {num('labelSmoothing')}</label>
      <label title="at evaluation, classify and review, average each image's probabilities with those of its mirror image: a little more accurate for a model trained on mirrored images, at twice the cost of a pass">
        <input type="checkbox" checked={o.flipAverage ?? defaultFlipAverage(o.model, o.backbone !== undefined)} onChange={(e) => set('flipAverage', e.target.checked)} data-testid="train-flipAverage" /> average with the mirror image
      </label>
      <label title="train on the categories rolled up to this depth of the tree (1 = the top level); empty: the leaves">tree level <input type="number" min={1} value={o.level ?? ''} placeholder="leaves" onChange={(e) => set('level', e.target.value === '' ? undefined : Number(e.target.value))} data-testid="train-level" /></label>
      <label>name <input value={o.name ?? ''} placeholder="optional" onChange={(e) => set('name', e.target.value === '' ? undefined : e.target.value)} data-testid="train-name" /></label>
      <button className="primary" disabled={busy || o.backbone?.trim() === ''} data-testid="train-start">Train</button>
    </form>
  );
}
