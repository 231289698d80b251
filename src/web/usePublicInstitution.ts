import { useEffect, useState } from 'react';
import {
  ApiError,
  errorMessage,
  getPublicInstitution,
  isAbort,
  type PublicInstitutionDetail,
} from './api.ts';

/** The discovery institution of a page, as it loads. */
export type LoadedInstitution =
  | { state: 'loading' }
  | { state: 'found'; institution: PublicInstitutionDetail }
  | { state: 'not-found' }
  | { state: 'error'; message: string };

/** Loads the public view of the institution whose discovery pages these are (`/discovery/:code`). */
export function usePublicInstitution(code: string): LoadedInstitution {
  const [loaded, setLoaded] = useState<LoadedInstitution>({ state: 'loading' });

  useEffect(() => {
    const controller = new AbortController();
    setLoaded({ state: 'loading' });
    getPublicInstitution(code, controller.signal)
      .then((institution) => setLoaded({ state: 'found', institution }))
      .catch((e: unknown) => {
        if (isAbort(e)) return;
        if (e instanceof ApiError && e.status === 404) setLoaded({ state: 'not-found' });
        else setLoaded({ state: 'error', message: errorMessage(e) });
      });
    return () => controller.abort();
  }, [code]);

  return loaded;
}
