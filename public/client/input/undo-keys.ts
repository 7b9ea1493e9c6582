/**
 * Ctrl+Z (Cmd+Z on a Mac) anywhere in the page undoes the player's last
 * circle, except where the key already means something: in a text field
 * (the initials, the chat), which undoes its own typing, and with Shift
 * (redo) or Alt.
 */

/** The fields of a keydown that decide, and where it happened. */
export interface UndoKeyEvent {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
  target: unknown;
}

/** Whether the element takes typing, and so has an undo of its own. */
export function isTextField(target: unknown): boolean {
  if (typeof target !== "object" || target === null) return false;
  const element = target as { tagName?: unknown; isContentEditable?: unknown; type?: unknown };
  if (element.isContentEditable === true) return true;
  if (element.tagName === "TEXTAREA" || element.tagName === "SELECT") return true;
  // Buttons and checkboxes are inputs that take no text.
  return element.tagName === "INPUT" && !["button", "submit", "reset", "checkbox", "radio", "range", "color", "file"].includes(String(element.type));
}

export function isUndoKey(event: UndoKeyEvent): boolean {
  return event.key.toLowerCase() === "z" && (event.ctrlKey || event.metaKey) && !event.shiftKey && !event.altKey && !isTextField(event.target);
}

/** Calls `undo` for the Undo button and for Ctrl/Cmd+Z in the page; a key held down undoes once. */
export function listenForUndo(button: HTMLButtonElement, undo: () => void): void {
  button.addEventListener("click", undo);
  document.addEventListener("keydown", (event) => {
    if (!isUndoKey(event)) return;
    // The browser's own undo would do nothing useful outside a text field.
    event.preventDefault();
    if (!event.repeat) undo();
  });
}
