/**
 * Long loops in jobs run on the event loop the studio serves requests from: await the
 * function this returns once per step, and every `everySteps` steps or `everyMs`
 * milliseconds it lets the loop turn (setImmediate), so no job holds it for long.
 */
export function breather(everySteps = 64, everyMs = 20): () => Promise<void> | undefined {
  let steps = 0;
  let last = performance.now();
  return () => {
    if (++steps < everySteps && performance.now() - last < everyMs) return undefined;
    steps = 0;
    return new Promise<void>((resolve) =>
      setImmediate(() => {
        last = performance.now();
        resolve();
      }),
    );
  };
}
