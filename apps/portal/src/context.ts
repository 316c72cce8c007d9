import { createContext } from 'preact';
import { useCallback, useContext, useEffect, useRef, useState } from 'preact/hooks';
import type { Api } from './api';
import type { Session } from './session';

export interface PortalContext {
  readonly api: Api;
  readonly session: Session;
  /** Says something to screen readers and shows it in the status bar. */
  announce(message: string): void;
}

export const Portal = createContext<PortalContext | null>(null);

export function usePortal(): PortalContext {
  const context = useContext(Portal);
  if (!context) throw new Error('usePortal outside the portal');
  return context;
}

export interface Loaded<T> {
  readonly data?: T;
  readonly error?: Error;
  readonly loading: boolean;
  reload(): void;
}

/** Loads once per change of `deps`, dropping answers that arrive after a newer request. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  const latest = useRef(0);
  useEffect(() => {
    const request = ++latest.current;
    setState((previous) => ({ data: previous.data, loading: true }));
    load().then(
      (data) => request === latest.current && setState({ data, loading: false }),
      (error: Error) => request === latest.current && setState({ error, loading: false }),
    );
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}
