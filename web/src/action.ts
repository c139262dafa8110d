// The one way a form or a button calls the API: busy while it runs (its button disabled), and
// the error in words when it fails.
import { useCallback, useState, type FormEvent } from 'react';

/** What work says when it fails: the error in words, or nothing when it succeeded. */
type Work = () => Promise<string | void | undefined>;

export interface Action {
  busy: boolean;
  error: string;
  /** Runs work unless it is running already; its answer becomes the error. */
  run(work: Work): Promise<void>;
  /** A form's onSubmit that runs work instead of reloading the page. */
  submit(work: Work): (e: FormEvent) => void;
}

export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const run = useCallback(async (work: Work) => {
    setBusy(true);
    setError('');
    try {
      setError((await work()) ?? '');
    } finally {
      setBusy(false);
    }
  }, []);
  const submit = useCallback((work: Work) => (e: FormEvent) => {
    e.preventDefault();
    void run(work);
  }, [run]);
  return { busy, error, run, submit };
}
