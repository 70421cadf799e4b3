import { createContext, useCallback, useContext, useState, type ReactNode } from 'react';

export interface Toast {
  id: number;
  message: string;
  kind: 'info' | 'error';
  action?: { label: string; run: () => void };
}

export type Notify = (message: string, options?: { kind?: Toast['kind']; action?: Toast['action'] }) => void;

const ToastContext = createContext<Notify>(() => {});

export function useNotify(): Notify {
  return useContext(ToastContext);
}

/** Short confirmations (with an Undo button) and errors, bottom right; they fade after a few seconds. */
export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const notify = useCallback<Notify>((message, options = {}) => {
    const toast: Toast = { id: Date.now() + Math.random(), message, kind: options.kind ?? 'info', action: options.action };
    setToasts((t) => [...t.slice(-3), toast]);
    setTimeout(() => setToasts((t) => t.filter((x) => x.id !== toast.id)), toast.kind === 'error' ? 9000 : 5000);
  }, []);
  return (
    <ToastContext.Provider value={notify}>
      {children}
      <div className="toasts" aria-live="polite">
        {toasts.map((t) => (
          <div key={t.id} className={`toast ${t.kind}`} data-testid="toast">
            <span>{t.message}</span>
            {t.action && (
              <button onClick={() => (t.action!.run(), setToasts((all) => all.filter((x) => x.id !== t.id)))}>{t.action.label}</button>
            )}
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}
