// The signed-in user, shared by every page. The token lives in localStorage (api.ts); `me`
// says whom it belongs to: undefined while asking, null when signed out.
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { LogOutDocument, MeDocument, type UserFieldsFragment } from '@invites/client';
import { keepSessionToken, mutate, onSessionEnded, query, sessionToken } from './api';

interface Session {
  me: UserFieldsFragment | null | undefined;
  /** Keeps the token from signUp or logIn and the user it signs in. */
  signIn(token: string, user: UserFieldsFragment): void;
  /** Ends the session on the server and forgets the token. */
  logOut(): Promise<void>;
  /** Asks the server again who is signed in (after verifying the email, say). */
  refresh(): Promise<void>;
  /** The kept session was ended by the server (it expired, or was logged out elsewhere). */
  ended: boolean;
  /** Forgets that the session ended, once the notice has been read. */
  dismissEnded(): void;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<UserFieldsFragment | null | undefined>(sessionToken() ? undefined : null);
  const [ended, setEnded] = useState(false);

  // Any answer that refuses the kept token ends the session here too, and says so.
  useEffect(() => onSessionEnded(() => {
    setMe(null);
    setEnded(true);
  }), []);

  const refresh = useCallback(async () => {
    if (!sessionToken()) {
      setMe(null);
      return;
    }
    const { data, error } = await query(MeDocument, {});
    if (error && !data) {
      setMe(null);
      return;
    }
    if (!data?.me) {
      keepSessionToken(null); // the session ended or expired
      setEnded(true);
    }
    setMe(data?.me ?? null);
  }, []);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const signIn = useCallback((token: string, user: UserFieldsFragment) => {
    keepSessionToken(token);
    setMe(user);
    setEnded(false);
  }, []);

  const logOut = useCallback(async () => {
    if (sessionToken()) await mutate(LogOutDocument, {});
    keepSessionToken(null);
    setMe(null);
  }, []);

  const dismissEnded = useCallback(() => setEnded(false), []);

  return <SessionContext.Provider value={{ me, signIn, logOut, refresh, ended, dismissEnded }}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}
