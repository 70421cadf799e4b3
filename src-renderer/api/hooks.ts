import { useCallback, useEffect, useRef, useState } from 'react';
import type { Args, EventName, Events, JobInfo, MethodName, Results } from '../../src-main/shared/contract';
import { api, call, connection } from './transport';

export function useEvent<E extends EventName>(event: E, listener: (payload: Events[E]) => void): void {
  const ref = useRef(listener);
  ref.current = listener;
  useEffect(() => api.on(event, (p) => ref.current(p)), [event]);
}

/** A query that reloads when its arguments change or when `reloadOn` events arrive. */
export function useQuery<M extends MethodName>(
  method: M,
  args: Args<M> | null,
  reloadOn: EventName[] = [],
): { data: Results[M] | undefined; error: string | undefined; reload: () => void } {
  const [state, setState] = useState<{ data?: Results[M]; error?: string }>({});
  const [tick, setTick] = useState(0);
  const key = JSON.stringify(args);
  useEffect(() => {
    if (args === null) return;
    let live = true;
    void api.call(method, args).then((r) => live && setState(r.ok ? { data: r.value } : { error: r.error, data: undefined }));
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [method, key, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  // back from a lost connection: what the server says now may differ from what is shown
  useEffect(() => connection.subscribe((c) => c.state === 'connected' && reload()), [reload]);
  useEffect(() => {
    const offs = reloadOn.map((e) => api.on(e, reload));
    return () => offs.forEach((off) => off());
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [reloadOn.join(',')]);
  return { data: state.data, error: state.error, reload };
}

/** Running jobs with live progress; finished ones are reported through `onDone`. */
export function useJobs(onDone?: (done: Events['onJobDone']) => void): JobInfo[] {
  const [jobs, setJobs] = useState<Map<number, JobInfo>>(new Map());
  useEffect(() => {
    void call('jobs.active', {}).then((list) => setJobs(new Map(list.map((j) => [j.id, j]))));
  }, []);
  useEvent('onJobProgress', (j) => setJobs((m) => new Map(m).set(j.id, j)));
  useEvent('onJobDone', (d) => {
    setJobs((m) => {
      const next = new Map(m);
      next.delete(d.id);
      return next;
    });
    onDone?.(d);
  });
  return [...jobs.values()];
}
