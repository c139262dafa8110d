// Copying a value for the reader to paste elsewhere (an invite link, a DNS record): the
// browser's clipboard, which it may refuse (no permission, not a secure context); the caller
// then says so and leaves the value on the page to select by hand.

/** Copies text; false when the browser refused. */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}
