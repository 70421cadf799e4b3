import { useCallback, useState } from 'react';

const KEY = 'shiwake.recentCategories';

/** The nine categories moved to most recently, for the 1…9 keys; kept across sessions. */
export function useRecentCategories(): { names: string[]; use: (name: string) => void } {
  const [names, setNames] = useState<string[]>(() => {
    try {
      return JSON.parse(localStorage.getItem(KEY) ?? '[]') as string[];
    } catch {
      return [];
    }
  });
  const use = useCallback((name: string) => {
    setNames((list) => {
      const next = [name, ...list.filter((n) => n !== name)].slice(0, 9);
      localStorage.setItem(KEY, JSON.stringify(next));
      return next;
    });
  }, []);
  return { names, use };
}
