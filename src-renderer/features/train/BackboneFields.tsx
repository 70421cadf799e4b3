import { useState } from 'react';
import type { Args } from '../../../src-main/shared/contract';
import type { BackboneInfo } from '../../../src-main/shared/transfer';
import { call } from '../../api/transport';

type Options = Args<'train.start'>;
type Set = <K extends keyof Options>(k: K, v: Options[K]) => void;

function describe(info: BackboneInfo): string {
  return `${info.name}: input ${info.inputSize ? `${info.inputSize} × ${info.inputSize} px` : 'of any size'} · ${info.parameters.toLocaleString()} parameters · ${info.featureWidth.toLocaleString()} features · ${info.layers} layers`;
}

/**
 * A pretrained backbone: where it is (a folder or a URL), a check of what it is (loaded by the
 * engine in a child process), frozen or its last N layers fine-tuned, and, frozen, its
 * features cached: computed once, so each epoch trains only the head.
 */
export function BackboneFields({ o, set }: { o: Options; set: Set }) {
  const [info, setInfo] = useState<BackboneInfo | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [checking, setChecking] = useState(false);
  const location = o.backbone ?? '';
  const fineTune = o.fineTuneLayers ?? 0;
  const check = (): void => {
    setChecking(true);
    setError(null);
    setInfo(null);
    void call('train.inspectBackbone', { location }).then(setInfo, (e: Error) => setError(e.message)).finally(() => setChecking(false));
  };
  const setMode = (mode: string): void => {
    // fine-tuning changes the features every step: they cannot be cached
    set('fineTuneLayers', mode === 'fine-tune' ? Math.min(2, info?.layers ?? 2) : undefined);
    if (mode === 'fine-tune') set('cacheFeatures', undefined);
  };
  return (
    <fieldset className="train-backbone" data-testid="train-backbone">
      <label title="a TensorFlow.js layers model: a folder with model.json, or the http(s) URL of a model.json">backbone
        <input value={location} placeholder="folder or URL of model.json" onChange={(e) => (set('backbone', e.target.value), setInfo(null), setError(null))} data-testid="train-backbone-location" />
      </label>
      <button type="button" onClick={check} disabled={!location.trim() || checking} data-testid="train-backbone-check">{checking ? 'Checking…' : 'Check'}</button>
      {info && <span className="muted" data-testid="train-backbone-info">{describe(info)}</span>}
      {error && <span className="error" data-testid="train-backbone-error">{error}</span>}
      <label>backbone layers <select value={fineTune > 0 ? 'fine-tune' : 'frozen'} onChange={(e) => setMode(e.target.value)} data-testid="train-backbone-mode">
        <option value="frozen">frozen</option>
        <option value="fine-tune">fine-tune the last N</option>
      </select></label>
      {fineTune > 0 && <label>layers to fine-tune <input type="number" min={1} max={info?.layers} value={fineTune} onChange={(e) => set('fineTuneLayers', Math.max(1, Number(e.target.value) || 1))} data-testid="train-fineTuneLayers" /></label>}
      {fineTune === 0 && (
        <label title="compute the backbone's features of every image once, then train the head on them: seconds per epoch instead of minutes; the images are not augmented">
          <span><input type="checkbox" checked={o.cacheFeatures === true} onChange={(e) => set('cacheFeatures', e.target.checked ? true : undefined)} data-testid="train-cacheFeatures" /> cache features</span>
        </label>
      )}
    </fieldset>
  );
}
