import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { ApiError, errorMessage, getSession, isAbort, type SessionDesk, type SessionView } from '../api.ts';

/**
 * What every staff screen needs to know: who is signed in, at which institution and desk, and
 * what they may do there. The server decides every privilege (conventions.md, "Authorization
 * in one place"); the UI only reads the session's abilities to hide what would be refused.
 */
export interface StaffContextValue {
  session: SessionView;
  /** The desk the operator works at, or null before one is chosen. */
  desk: SessionDesk | null;
  /** The institution the staff screens act for: the desk's, else the operator's home. */
  institutionId: string;
  institutionName: string;
  /** True when the session holds the privilege at the current institution. */
  can: (privilege: string) => boolean;
  /** Replaces the session after a change (a desk chosen). */
  setSession: (session: SessionView) => void;
}

const StaffContext = createContext<StaffContextValue | null>(null);

/** The staff context; only inside {@link StaffSessionProvider}. */
export function useStaff(): StaffContextValue {
  const value = useContext(StaffContext);
  if (!value) throw new Error('useStaff() is used outside the staff screens.');
  return value;
}

/** The staff context when one is loaded, else null (for the layout's loading state). */
export function useOptionalStaff(): StaffContextValue | null {
  return useContext(StaffContext);
}

export function currentInstitution(session: SessionView): { id: string; name: string } {
  if (session.desk) return { id: session.desk.institutionId, name: session.desk.institutionName };
  const home =
    session.abilities.institutions.find((i) => i.institutionId === session.user.institutionId) ??
    session.abilities.institutions[0];
  return {
    id: home?.institutionId ?? session.user.institutionId,
    name: home?.name ?? session.user.institutionCode,
  };
}

interface ProviderProps {
  /** Rendered while the session loads or when it failed (with the error). */
  fallback: (error: string | null) => ReactNode;
  children: ReactNode;
}

/** Loads the staff session once; sends anyone not signed in as staff to the sign-in page. */
export function StaffSessionProvider({ fallback, children }: ProviderProps) {
  const navigate = useNavigate();
  const [session, setSession] = useState<SessionView | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    getSession(controller.signal)
      .then((s) => {
        // A patron session is not a staff session: staff must sign in themselves.
        if (s.user.kind !== 'staff') navigate('/staff/sign-in', { replace: true });
        else setSession(s);
      })
      .catch((e: unknown) => {
        if (isAbort(e)) return;
        if (e instanceof ApiError && e.status === 401) navigate('/staff/sign-in', { replace: true });
        else setLoadError(errorMessage(e));
      });
    return () => controller.abort();
  }, [navigate]);

  const replaceSession = useCallback((next: SessionView) => setSession(next), []);

  const value = useMemo<StaffContextValue | null>(() => {
    if (!session) return null;
    const institution = currentInstitution(session);
    const privileges = new Set(
      session.abilities.institutions.find((i) => i.institutionId === institution.id)?.privileges ?? [],
    );
    return {
      session,
      desk: session.desk,
      institutionId: institution.id,
      institutionName: institution.name,
      can: (privilege: string) => privileges.has(privilege),
      setSession: replaceSession,
    };
  }, [session, replaceSession]);

  if (!value) return <>{fallback(loadError)}</>;
  return <StaffContext.Provider value={value}>{children}</StaffContext.Provider>;
}
