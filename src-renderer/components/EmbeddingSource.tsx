import { useState } from 'react';
import type { RunSummary } from '../../src-main/shared/contract';
import { useQuery } from '../api/hooks';
import { percent } from './RunPicker';

/** The choice "a pretrained backbone not used before": a folder or URL field appears. */
export const NEW_BACKBONE = 'new-backbone';

/** A new backbone as the user typed it: a folder with model.json or an http(s) URL, and an optional image size. */
export interface BackboneInput {
  backbone: string;
  imageSize: string;
}

/** The contract's arguments for a typed backbone (the image size only when given). */
export function backboneArgs(input: BackboneInput): { backbone: string; imageSize?: number } {
  const size = Number(input.imageSize);
  return { backbone: input.backbone.trim(), ...(input.imageSize.trim() !== '' && Number.isInteger(size) ? { imageSize: size } : {}) };
}

/**
 * Where embeddings come from for Review and Duplicates: finished trained runs, and the
 * backbones used before (their pseudo-runs, listed only here). The list follows training and
 * finished jobs (a review with a new backbone records its pseudo-run).
 */
export function useEmbeddingSources(active: boolean): { runs: RunSummary[]; backbones: RunSummary[]; error: string | undefined } {
  const list = useQuery('runs.list', active ? { backbones: true } : null, ['onTrainEvent', 'onJobDone']);
  const all = list.data ?? [];
  return { runs: all.filter((r) => r.state === 'done' && r.model !== 'backbone'), backbones: all.filter((r) => r.model === 'backbone'), error: list.error };
}

/** The chosen source: the latest finished run (else the latest backbone) until the user picks one. */
export function useChosenSource(runs: RunSummary[], backbones: RunSummary[]): { run: string | null; chosen: string | null; setChosen: (id: string) => void } {
  const [chosen, setChosen] = useState<string | null>(null);
  // a backbone's pseudo-run is listed once its job has loaded the model: keep the choice meanwhile
  const known = chosen !== null && (chosen.startsWith('backbone-') || runs.some((r) => r.run === chosen));
  const run = chosen === NEW_BACKBONE ? null : known ? chosen : (runs[0]?.run ?? backbones[0]?.run ?? null);
  return { run, chosen: chosen === NEW_BACKBONE ? NEW_BACKBONE : run, setChosen };
}

interface SelectProps {
  runs: RunSummary[];
  backbones: RunSummary[];
  value: string | null;
  onChange: (id: string) => void;
  /** the first option, e.g. "identical files only" (value '') */
  none?: string;
  testid: string;
}

/** Trained runs, backbones used before, and "a pretrained backbone (folder or URL)". */
export function SourceSelect({ runs, backbones, value, onChange, none, testid }: SelectProps) {
  const listed = value === null || value === NEW_BACKBONE || value === '' || [...runs, ...backbones].some((r) => r.run === value);
  return (
    <select value={value ?? ''} onChange={(e) => onChange(e.target.value)} data-testid={testid}>
      {none !== undefined && <option value="">{none}</option>}
      {runs.length > 0 && (
        <optgroup label="trained runs">
          {runs.map((r) => (
            <option key={r.run} value={r.run}>
              {r.name ? `${r.name} · ` : ''}{r.run} · {r.model}{typeof r.options.level === 'number' ? ` · level ${r.options.level}` : ''} · top-1 {percent(r.top1)}
            </option>
          ))}
        </optgroup>
      )}
      {(backbones.length > 0 || !listed) && (
        <optgroup label="pretrained backbones">
          {backbones.map((r) => (
            <option key={r.run} value={r.run}>backbone {r.name ?? r.run}</option>
          ))}
          {!listed && <option value={value!}>backbone {value} (embedding…)</option>}
        </optgroup>
      )}
      <option value={NEW_BACKBONE}>a pretrained backbone (folder or URL)…</option>
    </select>
  );
}

/** The folder-or-URL field and the image size (needed only when the model has no fixed input size). */
export function BackboneLocationFields({ value, onChange, onSubmit }: { value: BackboneInput; onChange: (v: BackboneInput) => void; onSubmit: () => void }) {
  return (
    <>
      <input
        type="text" value={value.backbone} placeholder="folder with model.json, or https://…/model.json" style={{ width: 320 }} data-testid="backbone-location"
        title="a TensorFlow.js layers model: it is cut before its classifier; images get a central crop of 0.875, are resized and scaled to [-1, 1]"
        onChange={(e) => onChange({ ...value, backbone: e.target.value })} onKeyDown={(e) => e.key === 'Enter' && onSubmit()}
      />
      <label title="only for a model without a fixed input size">
        image size <input type="number" min={8} max={2048} value={value.imageSize} placeholder="auto" style={{ width: 64 }} onChange={(e) => onChange({ ...value, imageSize: e.target.value })} data-testid="backbone-image-size" />
      </label>
    </>
  );
}
