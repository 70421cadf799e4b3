/**
 * The renderer's only way to the engine. In Electron the preload exposes `window.shiwake`
 * (the contract client); in browser mode calls go over HTTP and events over a WebSocket.
 */
import type { Api, Args, EventName, Events, GridItem, MethodName, Result, Results } from '../../src-main/shared/contract';

declare global {
  interface Window {
    shiwake?: Api;
  }
}

type Listener = (payload: unknown) => void;

/** Browser mode's link to the server: lost when its WebSocket closes (the server stopped, the laptop slept, an SSH tunnel dropped). */
export type Connection = { state: 'connected' } | { state: 'lost'; retryAt: number };
const connectionListeners = new Set<(c: Connection) => void>();
let current: Connection = { state: 'connected' };
function setConnection(c: Connection): void {
  current = c;
  connectionListeners.forEach((l) => l(c));
}
export const connection = {
  get: (): Connection => current,
  subscribe(listener: (c: Connection) => void): () => void {
    connectionListeners.add(listener);
    return () => connectionListeners.delete(listener);
  },
};

function browserApi(): Api {
  const listeners = new Map<EventName, Set<Listener>>();
  const dispatch = (event: EventName, payload: unknown): void => listeners.get(event)?.forEach((l) => l(payload));
  let failures = 0;
  const connect = (): void => {
    const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/events`);
    ws.onmessage = (m) => {
      const { event, payload } = JSON.parse(String(m.data)) as { event: EventName; payload: unknown };
      dispatch(event, payload);
    };
    ws.onopen = () => {
      failures = 0;
      if (current.state === 'connected') return;
      setConnection({ state: 'connected' });
      // events sent while we were away are lost: queries fetch again (hooks.ts), and so does the grid
      dispatch('onLabelsChanged', { batch: null, description: 'reconnected' });
    };
    ws.onclose = () => {
      // back off: 0.5 s, 1 s, 2 s ... up to 10 s between tries, so a stopped server is not hammered
      const delay = Math.min(10_000, 500 * 2 ** failures++);
      setConnection({ state: 'lost', retryAt: Date.now() + delay });
      setTimeout(connect, delay);
    };
  };
  connect();
  return {
    async call<M extends MethodName>(method: M, args: Args<M>): Promise<Result<Results[M]>> {
      try {
        const res = await fetch(`/api/${method}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(args), credentials: 'same-origin' });
        if (res.status === 401) return { ok: false, error: 'not authorised: open the URL that `shiwake serve` printed' };
        return (await res.json()) as Result<Results[M]>;
      } catch (err) {
        return { ok: false, error: `the studio server is not reachable (${(err as Error).message})` };
      }
    },
    on<E extends EventName>(event: E, listener: (payload: Events[E]) => void) {
      const set = listeners.get(event) ?? new Set();
      set.add(listener as Listener);
      listeners.set(event, set);
      return () => set.delete(listener as Listener);
    },
  };
}

export const api: Api = window.shiwake ?? browserApi();

/** Calls a method and throws its error: for code paths that show errors in a toast. */
export async function call<M extends MethodName>(method: M, args: Args<M>): Promise<Results[M]> {
  const r = await api.call(method, args);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

let mediaProject = '';
/** The open project's key (ProjectInfo.key), set by App before the project's views render. */
export function setMediaProject(key: string | null): void {
  mediaProject = key ?? '';
}

type MediaItem = Pick<GridItem, 'id' | 'size' | 'mtimeMs'>;
/**
 * URLs of images, the same paths in both transports (Electron serves them via its protocol).
 * They name the project and the file's size and time: a browser caches pictures by URL, and
 * must never show another project's item with the same id, or an older version of the file.
 */
const mediaUrl = (what: 'thumb' | 'preview', item: MediaItem): string => {
  const rest = `${what}/${encodeURIComponent(mediaProject)}/${item.id}?v=${item.size}-${Math.round(item.mtimeMs)}`;
  return window.shiwake ? `shiwake-media://${rest}` : `/media/${rest}`;
};
export const media = {
  thumb: (item: MediaItem): string => mediaUrl('thumb', item),
  preview: (item: MediaItem): string => mediaUrl('preview', item),
};
