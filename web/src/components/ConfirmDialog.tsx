// The question a destructive change asks once before it is made: a modal <dialog> (the page
// behind is inert, Escape cancels, and Tab cycles through its buttons rather than leave it for
// the browser's own controls), which says what will happen and names the button after it.
import { useEffect, useId, useRef, type KeyboardEvent, type ReactNode } from 'react';

export interface Question {
  /** The dialog's heading, e.g. "Revoke 3 invitations?" */
  title: string;
  /** What will happen, in words. */
  body: ReactNode;
  /** The confirming button's text, e.g. "Revoke 3 invitations". */
  confirm: string;
  /** What to do once confirmed. */
  onConfirm: () => void;
}

export function ConfirmDialog({ question, onClose }: { question: Question | null; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const id = useId();
  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (question && !d.open) d.showModal();
    if (!question && d.open) d.close();
  }, [question]);
  function trapTab(e: KeyboardEvent<HTMLDialogElement>) {
    if (e.key !== 'Tab') return;
    const buttons = Array.from(dialog.current?.querySelectorAll('button') ?? []);
    const [first, last] = [buttons[0], buttons[buttons.length - 1]];
    if (!first || !last) return;
    if (e.shiftKey && document.activeElement === first) { e.preventDefault(); last.focus(); }
    else if (!e.shiftKey && document.activeElement === last) { e.preventDefault(); first.focus(); }
  }
  return (
    <dialog ref={dialog} onKeyDown={trapTab} aria-labelledby={`${id}-title`} aria-describedby={`${id}-body`} className="confirm"
      onClose={onClose} onCancel={onClose}>
      {question && (
        <>
          <h2 id={`${id}-title`}>{question.title}</h2>
          <div id={`${id}-body`}>{question.body}</div>
          <div className="actions">
            <button type="button" className="secondary" onClick={onClose} autoFocus>Cancel</button>
            <button type="button" className="danger" onClick={() => { onClose(); question.onConfirm(); }}>{question.confirm}</button>
          </div>
        </>
      )}
    </dialog>
  );
}
