/**
 * Ctrl+C (SIGINT) and SIGTERM (kill, a service manager, a container stopping) both cancel a
 * CLI job the same way: the first asks it to stop at a safe point (the job keeps what it
 * finished, the database stays consistent, the command exits 130); a second one exits at once.
 */
export function cancelOnSignals(message?: string): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const onSignal = (): void => {
    if (controller.signal.aborted) process.exit(130);
    if (message) process.stderr.write(`\n${message}\n`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
