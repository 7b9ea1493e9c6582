/**
 * The host's room on this page, wired to the socket: the board's rules as
 * the server tells them (`board-rules`, `board-lock`) and what they change
 * here (the line over the board, the chat box, "Remove" on the chips, the
 * Clear notice), the host's controls (host-controls.ts) and the removed
 * players (removals.ts, `removed-players`).
 */
import { byId } from "../dom.js";
import type { Ack } from "../../../lib/protocol/events.js";
import type { Keys } from "../people/keys.js";
import { hostLink } from "../people/link-keys.js";
import type { PlayersList } from "../people/players-list.js";
import { claimBoard, deleteBoard, lockBoard, readmitPlayer, removePlayer, setRules, type CirclesSocket } from "../socket.js";
import type { Toaster } from "../toast.js";
import type { ConfirmRequest } from "../confirm-dialog.js";
import { boardPath } from "./board-links.js";
import { HostControls } from "./host-controls.js";
import { Removals } from "./removals.js";
import { drawingNote, type RoomRules } from "./room-rules.js";

export interface HostRoomOptions {
  socket: CirclesSocket;
  /** Send a request now, with an operation id made for it (page-writes.ts's `now`). */
  now: <T extends object>(request: (op: string) => Promise<Ack<T>>) => Promise<Ack<T>>;
  board: string;
  keys: Keys;
  rules: RoomRules;
  /** The seq the page is at. */
  seq: () => number | undefined;
  players: Pick<PlayersList, "setHost">;
  chat: { setPaused(paused: boolean): void };
  clearNotice: { hide(): void };
  confirm: (request: ConfirmRequest, opener: HTMLElement) => Promise<boolean>;
  /** Put a link on the clipboard (or show it to copy), saying `copied` or `manual`. */
  copyLink: (link: string, copied: string, manual: string) => Promise<void>;
  toaster: Toaster;
}

export interface HostRoom {
  host: HostControls;
  removals: Removals;
}

export function hostRoom(options: HostRoomOptions): HostRoom {
  const { socket, now, board, keys, rules, toaster } = options;
  const onError = (message: string) => toaster.show(message, "error");
  const host = HostControls.onPage({
    rules,
    hostKey: () => keys.hostKeyOf(board),
    seq: options.seq,
    claim: (hostKey) => now((op) => claimBoard(socket, op, hostKey)),
    makeHostKey: () => keys.makeHostKey(board),
    forgetHostKey: () => keys.forgetHostKey(board),
    setLocked: (locked) => now((op) => lockBoard(socket, locked, op)),
    setRules: (wanted) => now((op) => setRules(socket, wanted, op)),
    copyHostLink: (hostKey) =>
      options.copyLink(
        hostLink(`${location.origin}${boardPath(board)}`, hostKey),
        "Host link copied: whoever opens it can run this board",
        "Copy the selected host link: whoever opens it can run this board",
      ),
    confirm: options.confirm,
    deleteBoard: () => now((op) => deleteBoard(socket, op)),
    onError,
  });
  const removals = Removals.onPage({
    remove: (id) => now((op) => removePlayer(socket, id, op)),
    readmit: (id) => now((op) => readmitPlayer(socket, id, op)),
    onError,
    onInfo: (message) => toaster.show(message),
  });

  const boardStatus = byId("board-status", HTMLElement);
  rules.subscribe(() => {
    options.players.setHost(rules.host);
    options.chat.setPaused(!rules.mayChat);
    boardStatus.textContent = drawingNote(rules);
    if (!rules.mayClear) options.clearNotice.hide();
  });
  socket.on("board-rules", (message) => rules.rules(message));
  socket.on("board-lock", (lock) => rules.lock(lock));
  socket.on("removed-players", (removed) => removals.update(removed));
  return { host, removals };
}
