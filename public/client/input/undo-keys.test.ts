import { describe, expect, it } from "vitest";
import { isTextField, isUndoKey, type UndoKeyEvent } from "./undo-keys.js";

const key = (overrides: Partial<UndoKeyEvent> = {}): UndoKeyEvent => ({
  key: "z",
  ctrlKey: true,
  metaKey: false,
  shiftKey: false,
  altKey: false,
  target: { tagName: "CANVAS" },
  ...overrides,
});

describe("the undo key", () => {
  it("is Ctrl+Z or Cmd+Z, with Caps Lock too", () => {
    expect(isUndoKey(key())).toBe(true);
    expect(isUndoKey(key({ ctrlKey: false, metaKey: true }))).toBe(true);
    expect(isUndoKey(key({ key: "Z" }))).toBe(true);
  });

  it("is not Z alone, redo, Alt+Z or another key", () => {
    expect(isUndoKey(key({ ctrlKey: false }))).toBe(false);
    expect(isUndoKey(key({ shiftKey: true }))).toBe(false);
    expect(isUndoKey(key({ altKey: true }))).toBe(false);
    expect(isUndoKey(key({ key: "y" }))).toBe(false);
  });

  it("leaves text fields their own undo, but not buttons", () => {
    for (const target of [
      { tagName: "INPUT", type: "text" },
      { tagName: "INPUT", type: "url" },
      { tagName: "TEXTAREA" },
      { isContentEditable: true },
    ]) {
      expect(isTextField(target)).toBe(true);
      expect(isUndoKey(key({ target }))).toBe(false);
    }
    expect(isUndoKey(key({ target: { tagName: "INPUT", type: "button" } }))).toBe(true);
    expect(isUndoKey(key({ target: { tagName: "BUTTON" } }))).toBe(true);
    expect(isUndoKey(key({ target: null }))).toBe(true);
  });
});
