// The polite message that says a change was made ("3 invitations revoked."): a live region that
// is on the page before its text changes, so screen readers read each new message.
export function Announcer({ message }: { message: string }) {
  return <p role="status" className={message ? 'done' : 'visually-hidden'}>{message}</p>;
}
