/**
 * A MemoryStore that remembers every board anything was written to, so a
 * test can inspect all of them, not only the boards it meant to touch.
 */
import type { Circle } from "../../lib/events.js";
import { MemoryStore } from "../../lib/store/memory-store.js";

export class RecordingStore extends MemoryStore {
  /** Boards that received an `add` or a `clear`, in first-write order. */
  readonly written = new Set<string>();

  override async add(board: string, circle: Circle, maxCircles: number): Promise<string[]> {
    this.written.add(board);
    return super.add(board, circle, maxCircles);
  }

  override async clear(board: string): Promise<void> {
    this.written.add(board);
    return super.clear(board);
  }
}
