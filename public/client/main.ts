/**
 * circles in the browser: wires the socket, the local state, the canvas and
 * the page's controls together. Each piece lives in its own module.
 */
import { announce, pageAnnouncer } from "./announcer.js";
import { ActionsMenu } from "./tools/actions-menu.js";
import { BoardEnded, deletedReason, isRemovedRefusal, type EndReason } from "./board-ended.js";
import { exportPng, exportSvg } from "./tools/board-export.js";
import { BoardFeed } from "./board/board-feed.js";
import { boardPath, copyText, randomBoardName, readBoardName } from "./tools/board-links.js";
import { BoardsHistory } from "./tools/boards-history.js";
import { BoardView } from "./board/board-view.js";
import { ChatPanel } from "./people/chat-panel.js";
import { announceCircles } from "./board/circle-announcements.js";
import { ClearNotice } from "./tools/clear-notice.js";
import { makeCircle } from "./board/circle-factory.js";
import { CirclesState } from "./board/circles-state.js";
import { ConfirmDialog, type ConfirmRequest } from "./confirm-dialog.js";
import { ConnectionStatus } from "./connection-status.js";
import { CursorLayer } from "./people/cursor-layer.js";
import { exposeDebug, type RenderTiming } from "./debug.js";
import { byId } from "./dom.js";
import { hostRoom } from "./tools/host-room.js";
import { IdentityPanel } from "./people/identity-panel.js";
import { loadInitials, saveInitials } from "./people/initials.js";
import { newId } from "./outbox/ids.js";
import { PageWrites } from "./outbox/page-writes.js";
import { KeyboardControls } from "./input/keyboard-controls.js";
import { Keys } from "./people/keys.js";
import { takeKeysFromAddress } from "./people/link-keys.js";
import { PlayersList } from "./people/players-list.js";
import { Reconnection } from "./reconnection.js";
import { Replay } from "./tools/replay.js";
import { showRetention } from "./tools/retention.js";
import { DRAWING_PAUSED, RoomRules } from "./tools/room-rules.js";
import { connect, deleteOtherBoard, moveCursor, registerPlayer, sendMessage, syncBoard, type Registered } from "./socket.js";
import { Toaster } from "./toast.js";
import { listenForUndo } from "./input/undo-keys.js";
import { ViewportController } from "./input/viewport-controller.js";
import type { Point } from "./input/viewport.js";
import { YourBoards } from "./tools/your-boards.js";

const board = readBoardName(document.body);
const keys = new Keys();
// Before connecting, so that the handshake carries them: a host or admin link's keys, taken out of the address bar.
takeKeysFromAddress(board, keys, { location, history });
const boardsHistory = new BoardsHistory();
boardsHistory.visit(board);
const canvas = byId("board", HTMLCanvasElement);
const pendingLayer = byId("board-pending", HTMLCanvasElement);
const state = new CirclesState();
let lastRender: RenderTiming | null = null;
const view = new BoardView({
  canvas,
  container: byId("stage", HTMLElement),
  state,
  pending: pendingLayer,
  onRender: (circles) => {
    lastRender = { circles, at: performance.now() };
  },
});
const players = new PlayersList(
  {
    list: byId("players", HTMLUListElement),
    here: byId("here-count", HTMLElement),
    playing: byId("player-count", HTMLElement),
    empty: byId("players-empty", HTMLElement),
  },
  { onRemove: (player) => void room.removals.remove(player) },
);
const status = new ConnectionStatus(byId("connection", HTMLElement), byId("connection-label", HTMLElement));
const toaster = new Toaster(byId("toast", HTMLElement));
const feed = new BoardFeed({ state, requestSync: (since) => syncBoard(socket, since), onApplied: (seq) => writes.boardAt(seq) });
const rules = new RoomRules();
const { socket, reconnect } = connect(board, () => feed.seq, {
  playerKey: keys.playerKey(),
  hostKey: keys.hostKeyOf(board),
  adminKey: keys.adminKey(),
});
// Taps, undos and clears wait for the connection (and taps for a later visit); chat and the host's actions do not.
const writes = new PageWrites({ board, socket, state, view, status, toaster, seq: () => feed.seq });

let initials: string | null = loadInitials();

const identity = new IdentityPanel(
  {
    panel: byId("join", HTMLElement),
    form: byId("initials-form", HTMLFormElement),
    input: byId("initials", HTMLInputElement),
    message: byId("initials-message", HTMLElement),
    submit: byId("initials-submit", HTMLButtonElement),
    cancel: byId("initials-cancel", HTMLButtonElement),
    chip: byId("identity", HTMLElement),
    chipName: byId("identity-name", HTMLElement),
    change: byId("change-initials", HTMLButtonElement),
  },
  chooseInitials,
);

function adopt(next: string): void {
  initials = next;
  saveInitials(next);
}

/** The server's answer to a registration: who this page is on the board, for its chip and to skip its own pointer. */
function registered(ack: Registered): void {
  adopt(ack.initials);
  players.setSelf(ack.id);
  cursors.tracker.setSelf(ack.id);
}

/** The form's submit: register now when connected, otherwise on (re)connect. */
async function chooseInitials(next: string): Promise<string | null> {
  if (socket.connected) {
    const ack = await registerPlayer(socket, next);
    if (!ack.ok) return ack.error;
    registered(ack);
  } else {
    adopt(next);
  }
  return null;
}

async function reRegister(): Promise<void> {
  if (!initials) return;
  const ack = await registerPlayer(socket, initials);
  if (!ack.ok) {
    toaster.show(`Could not join as ${initials}: ${ack.error}`, "error");
    // Refused initials need new ones; anything else (a busy server) is retried on the next connect.
    if (/initials/i.test(ack.error)) identity.open();
    return;
  }
  registered(ack);
}

function placeCircle(x: number, y: number): void {
  if (ending.ended) return;
  // The server would refuse it: say why at once.
  if (!rules.mayDraw) {
    toaster.show(DRAWING_PAUSED, "error");
    return;
  }
  if (!initials) {
    identity.prompt("Enter your initials first, then click the board.");
    return;
  }
  // Drawn at once as pending, and solid once the server relays it, to us as to everyone (see "the socket" below).
  writes.tap(makeCircle(initials, x, y));
}

// --- the board: taps, drags and pinches, the keyboard cursor, replay, export ------

const replayOverlay = byId("board-replay", HTMLCanvasElement);
const replayButton = byId("replay", HTMLButtonElement);
const replay = new Replay(
  { overlay: replayOverlay, board: canvas, status: byId("replay-status", HTMLElement), button: replayButton },
  view,
  state,
  announce,
);

/** While a replay shows, the picture is not the live board: a circle added then would land unseen. */
function placeAt(point: Point): void {
  if (replay.running) toaster.show("Replaying… you can add circles again when it ends");
  else placeCircle(point.x, point.y);
}

const viewport = new ViewportController({
  stage: byId("stage", HTMLElement),
  canvas,
  layers: [pendingLayer, replayOverlay],
  view,
  onTap: placeAt,
});
new KeyboardControls({ canvas, ring: byId("board-cursor", HTMLElement), viewport, onPlace: placeAt });
announceCircles(state, pageAnnouncer());

replayButton.addEventListener("click", () => {
  if (replay.running) replay.stop();
  else if (!replay.start()) toaster.show("Nothing to replay yet: the board is empty");
});
byId("export-png", HTMLButtonElement).addEventListener("click", () => {
  exportPng(view, state.values(), board).catch((error: unknown) => {
    toaster.show(`PNG not saved: ${error instanceof Error ? error.message : String(error)}`, "error");
  });
});
byId("export-svg", HTMLButtonElement).addEventListener("click", () => exportSvg(view, state.values(), board));

// --- chat and pointers -------------------------------------------------------------

const chat = new ChatPanel(
  {
    panel: byId("chat", HTMLElement),
    list: byId("chat-messages", HTMLOListElement),
    form: byId("chat-form", HTMLFormElement),
    input: byId("chat-input", HTMLInputElement),
    toggle: byId("chat-toggle", HTMLButtonElement),
    unread: byId("chat-unread", HTMLElement),
    send: byId("chat-send", HTMLButtonElement),
    note: byId("chat-note", HTMLElement),
  },
  {
    async send(text) {
      if (!socket.connected) return "Not connected: waiting to reconnect…";
      const ack = await writes.now((op) => sendMessage(socket, initials ? { text, op } : { user: "guest", text, op }));
      return ack.ok ? null : ack.error;
    },
    announce,
  },
);

const cursors = new CursorLayer({
  stage: byId("stage", HTMLElement),
  layer: byId("cursors", HTMLElement),
  viewport,
  // Only players have a pointer others can name.
  send: (position) => {
    if (initials && socket.connected) moveCursor(socket, position);
  },
});

// --- header actions: undo, clear and its undo, the host's lock ----------------------

// A circle on the board goes when the server broadcasts its removal, as anyone's change.
listenForUndo(byId("undo", HTMLButtonElement), () => void writes.undo());

const clearButton = byId("clear", HTMLButtonElement);
const menu = ActionsMenu.onPage();
const confirmDialog = ConfirmDialog.onPage();
/** Asked from a folded menu, focus comes back to its button. */
const confirm = (request: ConfirmRequest, opener: HTMLElement) => confirmDialog.ask(request, opener, menu.toggle);

/** Put a link on the clipboard, or show it selected when the browser will not; say which. */
async function copyLink(link: string, copied: string, manual: string): Promise<void> {
  const result = await copyText(link, byId("share-link", HTMLInputElement), byId("share", HTMLElement));
  toaster.show(result === "copied" ? copied : manual);
}

YourBoards.onPage(menu.toggle, {
  history: boardsHistory,
  current: board,
  hostKeyOf: (name) => keys.hostKeyOf(name),
  forgetHostKey: (name) => keys.forgetHostKey(name),
  confirm,
  deleteBoard: (name, hostKey) => deleteOtherBoard(name, { playerKey: keys.playerKey(), hostKey }, newId()),
});
const clearNotice = new ClearNotice(
  { box: byId("clear-notice", HTMLElement), text: byId("clear-notice-text", HTMLElement), undo: byId("undo-clear", HTMLButtonElement) },
  {
    undo: (seq, until) => writes.undoClear(seq, until),
    onError: (message) => toaster.show(message, "error"),
  },
);
const room = hostRoom({
  socket,
  now: (request) => writes.now(request),
  board,
  keys,
  rules,
  seq: () => feed.seq,
  players,
  chat,
  clearNotice,
  confirm,
  copyLink,
  toaster,
});
// Like circles, the clear itself arrives as a broadcast; the ack is only for errors.
clearButton.addEventListener("click", () => writes.clear());

byId("new-board", HTMLButtonElement).addEventListener("click", () => {
  const name = randomBoardName();
  // Whoever makes a board is its host: its page claims it with this key.
  keys.makeHostKey(name);
  location.assign(boardPath(name));
});

byId("copy-link", HTMLButtonElement).addEventListener(
  "click",
  () => void copyLink(location.href, "Link copied", "Copy the selected link to share this board"),
);

// --- the socket ------------------------------------------------------------------

/*
 * The circles follow the server's broadcasts and nothing else: on
 * (re)connect a snapshot or the changes missed since our last seq, then
 * every add, remove and clear in seq order (see board-feed.ts). Our own
 * requests are broadcast back to us like anyone's. Acks never touch the
 * state: an ack and the broadcasts of the changes around it come in no
 * order the page can rely on (protocol 2 acks leave before the tick's
 * `board-events`), so acting on one could undo what happened in between,
 * e.g. wipe a circle added just after our clear, or bring back one of ours
 * that someone else's clear removed. Our taps not relayed yet are drawn
 * over the board as pending until it has them (outbox/pending-taps.ts).
 * "Become host" goes once anything has happened on the board.
 */
socket.on("board-snapshot", (snapshot) => {
  feed.snapshot(snapshot);
  room.host.refresh();
});
// The lesson's `socket.on('add-circle', drawCircle)` is this: protocol 2 sends the board's changes as `board-events`, which
// BoardFeed (board/board-feed.ts) applies in seq order to CirclesState (board/circles-state.ts), and BoardView (board/board-view.ts) draws.
socket.on("board-events", (batch) => {
  feed.events(batch?.events);
  room.host.refresh();
});
socket.on("board-people", (people) => {
  players.update(people);
  cursors.tracker.setPlayers(people.players);
  cursors.render();
});
socket.on("cursors", (moves) => {
  cursors.tracker.moved(moves, performance.now());
  cursors.render();
});
socket.on("chat-history", (messages) => chat.history(messages));
// Sent as the clear happens, usually just ahead of the clear itself: then the circles still here are what undoing brings back.
socket.on("board-cleared", (cleared) => {
  const { lastClear } = feed;
  const somethingToUndo = lastClear?.seq === cleared.seq ? lastClear.ids.size > 0 : state.size > 0;
  clearNotice.show(cleared, writes.clearing ? "You" : (cleared.by ?? "Someone"), rules.mayClear && somethingToUndo);
});
// A circle the last clear removed is back: someone undid the clear.
state.subscribe((change) => {
  if (change.kind === "add" && feed.lastClear?.ids.has(change.circle.id)) clearNotice.hide();
});
socket.on("message", (message) => chat.add(message, !message.bot && message.user === initials));

// --- the end of this page on the board, and staying connected until then -----------

const ending = BoardEnded.onPage({ freshBoard: randomBoardName, onNewBoard: (name) => void keys.makeHostKey(name) });
function end(reason: EndReason): void {
  reconnection.end();
  writes.end();
  if (replay.running) replay.stop();
  ending.show(reason);
}
socket.on("player-removed", () => end("removed"));
socket.on("board-deleted", (notice) => {
  // The name is free again: nothing of this browser's is left on it.
  boardsHistory.forget(board);
  keys.forgetHostKey(board);
  end(deletedReason(notice?.reason));
});

const reconnection = new Reconnection({
  socket,
  reconnect,
  status,
  onError: (message) => toaster.show(message, "error", 6000),
  onConnect: () => void reRegister(),
  onDisconnect: () => feed.disconnected(),
  isFinal: (message) => {
    if (!isRemovedRefusal(message)) return false;
    end("removed");
    return true;
  },
});

showRetention(byId("retention", HTMLElement), document.body);

// --- start -----------------------------------------------------------------------

identity.setCurrent(initials);

exposeDebug({
  board,
  circles: () => state.list(),
  pending: () => writes.pending().map((circle) => ({ ...circle })),
  players: () => players.players.map((player) => player.initials),
  initials: () => initials,
  connected: () => socket.connected,
  rendered: () => Number(canvas.dataset.circleCount ?? 0),
  seq: () => feed.seq,
  lastRender: () => (lastRender ? { ...lastRender } : null),
});
