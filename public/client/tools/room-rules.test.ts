import { describe, expect, it, vi } from "vitest";
import { DRAWING_PAUSED, drawingNote, RoomRules } from "./room-rules.js";

const open = { draw: "everyone", chat: "everyone", clear: "everyone", hosted: false } as const;

describe("RoomRules", () => {
  it("lets everyone do everything on a board it knows nothing of, and may not claim it yet", () => {
    const rules = new RoomRules();
    expect(rules).toMatchObject({ host: false, hosted: false, known: false, mayDraw: true, mayChat: true, mayClear: true });
    expect(rules.mayClaim(0)).toBe(false);
  });

  it("may claim a board with no host only while nothing has happened on it", () => {
    const rules = new RoomRules();
    rules.rules({ ...open, host: false });
    expect(rules.mayClaim(0)).toBe(true);
    expect(rules.mayClaim(1)).toBe(false);
    expect(rules.mayClaim(undefined)).toBe(false);
    rules.rules({ ...open, hosted: true });
    expect(rules.mayClaim(0)).toBe(false);
  });

  it("pauses drawing and chat for everyone but the host", () => {
    const rules = new RoomRules();
    rules.rules({ draw: "host", chat: "host", clear: "everyone", hosted: true, host: false });
    expect(rules).toMatchObject({ drawPaused: true, chatPaused: true, mayDraw: false, mayChat: false, mayClear: true });
    rules.rules({ draw: "host", chat: "host", clear: "host", hosted: true, host: true });
    expect(rules).toMatchObject({ host: true, mayDraw: true, mayChat: true, mayClear: true, locked: true });
  });

  it("keeps whether this page is the host when a change leaves it out", () => {
    const rules = new RoomRules();
    rules.rules({ ...open, hosted: true, host: true });
    const listener = vi.fn();
    rules.subscribe(listener);
    rules.rules({ ...open, draw: "host", hosted: true });
    expect(rules.host).toBe(true);
    expect(listener).toHaveBeenCalledWith({ hostSaid: false });
    rules.rules({ ...open, hosted: true, host: false });
    expect(listener).toHaveBeenLastCalledWith({ hostSaid: true });
    expect(rules.host).toBe(false);
  });

  it("takes the Clear lock from board-lock too", () => {
    const rules = new RoomRules();
    rules.lock({ locked: true, host: false });
    expect(rules).toMatchObject({ locked: true, hosted: true, mayClear: false });
    rules.lock({ locked: false });
    expect(rules.mayClear).toBe(true);
    rules.lock({ locked: true, host: true });
    expect(rules).toMatchObject({ host: true, mayClear: true });
  });

  it("ignores malformed messages", () => {
    const rules = new RoomRules();
    const listener = vi.fn();
    rules.subscribe(listener);
    rules.rules(null);
    rules.rules({ ...open, draw: "nobody" });
    rules.rules({ draw: "host", chat: "host" });
    rules.lock({ locked: "yes" });
    rules.lock(undefined);
    expect(listener).not.toHaveBeenCalled();
    expect(rules.drawPaused).toBe(false);
  });

  it("becomes host after a claim, and takes the host's own answers at once", () => {
    const rules = new RoomRules();
    rules.rules({ ...open, host: false });
    rules.becameHost();
    expect(rules).toMatchObject({ host: true, hosted: true });
    rules.applied({ draw: "host" });
    expect(rules.drawPaused).toBe(true);
    rules.applied({ clear: "host", chat: 3 });
    expect(rules).toMatchObject({ locked: true, chatPaused: false });
  });
});

describe("drawingNote", () => {
  it("says the host paused drawing to those who cannot draw, reminds the host, and says nothing otherwise", () => {
    expect(drawingNote({ drawPaused: true, host: false })).toBe(DRAWING_PAUSED);
    expect(DRAWING_PAUSED).toBe("The host paused drawing");
    expect(drawingNote({ drawPaused: true, host: true })).toBe("Drawing is paused for everyone but you");
    expect(drawingNote({ drawPaused: false, host: false })).toBe("");
  });
});
