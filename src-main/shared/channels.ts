/** The two Electron IPC channels that carry the whole contract (calls, events). */
export const CALL_CHANNEL = 'shiwake:call';
export const EVENT_CHANNEL = 'shiwake:event';
