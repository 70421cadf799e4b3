/**
 * The preload exposes the contract's client and nothing else: no ipcRenderer, no Node.
 * Method and event names are checked here too, so the page cannot reach other channels.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { Api, EventName } from '../shared/contract.js';
import { CALL_CHANNEL, EVENT_CHANNEL } from '../shared/channels.js';

const api: Api = {
  call: (method, args) => ipcRenderer.invoke(CALL_CHANNEL, method, args),
  on(event, listener) {
    const handler = (_e: IpcRendererEvent, message: { event: EventName; payload: unknown }): void => {
      if (message.event === event) (listener as (p: unknown) => void)(message.payload);
    };
    ipcRenderer.on(EVENT_CHANNEL, handler);
    return () => ipcRenderer.off(EVENT_CHANNEL, handler);
  },
};

contextBridge.exposeInMainWorld('shiwake', api);
