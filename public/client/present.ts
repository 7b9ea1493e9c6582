/**
 * The presenter screen (/b/<name>/present), for the projector: the board,
 * live, as large as the screen allows, under its link and beside its QR code
 * and the count of people here. Nothing on it can be pressed. It only
 * watches: its handshake carries the board and protocol 2 (and `since`) but
 * no player or host key, it never registers initials and writes nothing, so
 * the server counts it as here and never as playing. It draws exactly as the
 * board page does, from the same feed of numbered changes.
 */
import { io } from "socket.io-client";
import { BoardFeed } from "./board/board-feed.js";
import { deletedReason } from "./board-ended.js";
import { BoardView } from "./board/board-view.js";
import { CirclesState } from "./board/circles-state.js";
import { ConnectionStatus } from "./connection-status.js";
import { exposeDebug, type RenderTiming } from "./debug.js";
import { byId } from "./dom.js";
import { Reconnection } from "./reconnection.js";
import { handshakeQuery, keepSinceFresh, syncBoard, type CirclesSocket } from "./socket.js";
import { readBoardName } from "./tools/board-links.js";

const ENDED = {
  deleted: "This board was deleted by its host.",
  expired: "This board was deleted after going unused.",
};

const board = readBoardName(document.body);
const canvas = byId("board", HTMLCanvasElement);
const state = new CirclesState();
let lastRender: RenderTiming | null = null;
new BoardView({
  canvas,
  container: byId("stage", HTMLElement),
  state,
  onRender: (circles) => {
    lastRender = { circles, at: performance.now() };
  },
});

const status = new ConnectionStatus(byId("connection", HTMLElement), byId("connection-label", HTMLElement));
const here = byId("present-here", HTMLElement);
const hereCount = byId("here-count", HTMLElement);
let players: string[] = [];

const feed = new BoardFeed({ state, requestSync: (since) => syncBoard(socket, since) });
const socket: CirclesSocket = io({ query: handshakeQuery(board, feed.seq) });
const refresh = keepSinceFresh(socket.io, board, () => feed.seq);
const reconnection = new Reconnection({
  socket,
  reconnect() {
    refresh();
    socket.connect();
  },
  status,
  // The connection indicator says it; there is nobody at this screen to tell more.
  onError: () => undefined,
  onConnect: () => undefined,
  onDisconnect: () => feed.disconnected(),
  // Only players are removed, and this screen never plays.
  isFinal: () => false,
});

// The circles follow the server's broadcasts: a snapshot or what was missed on (re)connecting, then every change in seq order.
socket.on("board-snapshot", (snapshot) => feed.snapshot(snapshot));
socket.on("board-events", (batch) => feed.events(batch?.events));
socket.on("board-people", (people) => {
  hereCount.textContent = String(people.here);
  here.hidden = false;
  players = people.players.map((player) => player.initials);
});
// The host deleted the board, or nobody used it for too long: its link and code lead nowhere now, so they go too.
socket.on("board-deleted", (notice) => {
  reconnection.end();
  state.replace([]);
  for (const id of ["present-invite", "present-qr", "present-here"]) document.getElementById(id)?.setAttribute("hidden", "");
  const ended = byId("present-ended", HTMLElement);
  ended.textContent = ENDED[deletedReason(notice?.reason) === "expired" ? "expired" : "deleted"];
  ended.hidden = false;
});

exposeDebug({
  board,
  circles: () => state.list(),
  // The presenter screen draws nothing of its own.
  pending: () => [],
  players: () => [...players],
  initials: () => null,
  connected: () => socket.connected,
  rendered: () => Number(canvas.dataset.circleCount ?? 0),
  seq: () => feed.seq,
  lastRender: () => (lastRender ? { ...lastRender } : null),
});
