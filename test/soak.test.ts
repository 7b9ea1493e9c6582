/**
 * A bounded soak: about 200 clients on 4 boards join, register, click, leave
 * and come back at random for ~30 s, each clicking well under the default
 * rate limit, so every click must be accepted. Afterwards every board's
 * players, everywhere they can be read, are exactly the clients still on it;
 * every acknowledged circle is stored and nothing else is; and once everyone
 * has gone, connections, rooms and memory are back where they started.
 *
 * The server runs in this process, not as a child: presence, rooms and the
 * heap can then be read directly instead of inferred. The price is that the
 * clients share the heap, so memory is compared only at two quiet points with
 * no client alive (after a warm-up, and at the end), each after a forced
 * collection (`--expose-gc` switched on from here, see `collectGarbage`).
 *
 * SOAK_MS, SOAK_CLIENTS and SOAK_SEED change the duration, the crowd and the
 * random choices. The settings are printed before the run and named in every
 * assertion's message, so that a failing run can be repeated with them.
 */
import v8 from "node:v8";
import vm from "node:vm";
import { io as connect, type Socket } from "socket.io-client";
import { afterAll, expect, it, vi } from "vitest";
import type { Ack, Circle, ClientToServerEvents, ServerToClientEvents } from "../lib/protocol/events.js";
import { rawRequest } from "./support/raw-http.js";
import { RecordingStore } from "./support/recording-store.js";
import { TICK_MS } from "../socket/relay/fanout.js";
import { startTestServer, type TestServer } from "./support/test-server.js";

const DURATION_MS = Number(process.env["SOAK_MS"] ?? 30_000);
const CLIENTS = Number(process.env["SOAK_CLIENTS"] ?? 200);
const SEED = Number(process.env["SOAK_SEED"] ?? Date.now() % 2 ** 31);
/** A second bound besides the clock: the loop stops at whichever comes first. */
const MAX_OPS = 100_000;
const BOARDS = ["soak-a", "soak-b", "soak-c", "soak-d"];
/** The production default: 20 writes a second, bursts of 40. Clients click at most 5 a second. */
const RATE_LIMIT = { perSecond: 20, burst: 40 };
const MIN_CLICK_GAP_MS = 200;
const ACK_TIMEOUT_MS = 10_000;
/** Heap growth allowed between the warm-up baseline and the end, circles stored meanwhile included. */
const HEAP_MARGIN_BYTES = 50 * 1024 * 1024;
/**
 * Heap growth allowed once the boards are emptied as well: 10 MB, or 8 KB per connection made
 * when there were more than ~1,300 (a longer SOAK_MS). A run of the defaults makes ~1,200
 * connections and leaves ~3.5 MB, most of it the clients' own (the server alone, measured in a
 * child process, stays flat); a server keeping each closed socket would add ~10 MB more.
 */
const leftoverMargin = (connections: number) => Math.max(10 * 1024 * 1024, connections * 8 * 1024);

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

/** mulberry32: small, seedable, good enough to pick actions. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rng = random(SEED);
/** How to run this soak again with the same choices; timing still varies from run to run. */
const REPRO = `SOAK_SEED=${SEED} SOAK_MS=${DURATION_MS} SOAK_CLIENTS=${CLIENTS}`;
/** An assertion message that says how to reproduce the run. */
const why = (what: string) => `${what} [${REPRO}]`;
const pick = <T>(items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const randomInitials = () => Array.from({ length: 2 + Math.floor(rng() * 2) }, () => pick([...ALNUM])).join("");
const sorted = (list: readonly string[]) => [...list].sort();

/** Force a full collection when V8 lets us; otherwise just give it time. */
const collectGarbage: (() => void) | undefined = (() => {
  try {
    v8.setFlagsFromString("--expose-gc");
    const gc = vm.runInNewContext("gc") as unknown;
    return typeof gc === "function" ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
})();
async function settledHeap(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    await sleep(200);
    collectGarbage?.();
  }
  return process.memoryUsage().heapUsed;
}
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const signed = (bytes: number) => `${bytes >= 0 ? "+" : ""}${mb(bytes)}`;

/** Connects and resolves once the board's snapshot and player list have arrived. */
function join(url: string, board: string, transport: "websocket" | "polling", onPlayers: (list: readonly string[]) => void): Promise<Client> {
  const socket: Client = connect(url, { transports: [transport], forceNew: true, reconnection: false, query: { board } });
  socket.on("update-player-list", onPlayers);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`join ${board} timed out`)), ACK_TIMEOUT_MS);
    socket.once("update-player-list", () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once("connect_error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/**
 * Resolves once everything the server sent `socket` before now has arrived: a refused
 * registration (it announces nothing) is answered on the same connection, after all of it.
 */
async function settled(socket: Client): Promise<void> {
  const answer = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck("register-player", "");
  expect(answer.ok, why("the answer to an empty registration")).toBe(false);
}

let server: TestServer | undefined;
afterAll(async () => {
  await server?.close();
});

it("keeps players, circles, connections and memory right through ~30 s of churn", async () => {
  // Printed first, so that even a run that fails or hangs can be repeated.
  // eslint-disable-next-line no-console -- the seed is the soak's reproduction recipe
  console.log(`soak: ${REPRO}`);
  let store!: RecordingStore;
  server = await startTestServer({
    wrapStore: (sqlite) => (store = new RecordingStore(sqlite)),
    config: { rateLimit: RATE_LIMIT, maxCircles: 1_000_000 },
  });
  const { url } = server;
  const live = server;

  // Warm-up: load the code paths once, then take the memory baseline with no one connected.
  const warm = await Promise.all(Array.from({ length: 40 }, (_, i) => join(url, BOARDS[i % BOARDS.length]!, "websocket", () => {})));
  for (const socket of warm) {
    await socket.emitWithAck("register-player", "WU");
    await socket.emitWithAck("add-circle", { initials: "WU", x: 1, y: 1, dia: 5, rgba: "#000" });
  }
  for (const socket of warm) socket.disconnect();
  warm.length = 0;
  await vi.waitFor(() => expect(live.presence.connections, why("connections after the warm-up")).toBe(0), { timeout: 5000, interval: 20 });
  for (const board of BOARDS) await live.boards.clear(board, { key: "warm-up" });
  const baseline = await settledHeap();
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 250);

  // What the test knows: every acknowledged circle, and every failure.
  const acked = new Map<string, Set<string>>(BOARDS.map((b) => [b, new Set<string>()]));
  const failures: string[] = [];
  const counts = { ops: 0, clicks: 0, joins: 0, leaves: 0, registrations: 0 };

  interface Agent {
    socket: Client | undefined;
    board: string;
    initials: string | undefined;
    /** The last player list this client was sent. */
    players: readonly string[] | undefined;
  }
  const agents: Agent[] = [];
  const started = Date.now();
  const deadline = started + DURATION_MS;
  const running = () => Date.now() < deadline && counts.ops < MAX_OPS;

  async function enter(agent: Agent, board: string): Promise<void> {
    const transport = rng() < 0.1 ? "polling" : "websocket";
    agent.board = board;
    agent.initials = undefined;
    agent.players = undefined;
    agent.socket = await join(url, board, transport, (list) => (agent.players = list));
    counts.joins++;
    // One in ten watches without ever registering: connected, but no player.
    if (rng() < 0.9) await register(agent);
  }

  async function register(agent: Agent): Promise<void> {
    const initials = randomInitials();
    const ack = await agent.socket!.timeout(ACK_TIMEOUT_MS).emitWithAck("register-player", initials);
    if (!ack.ok) failures.push(`register ${initials}: ${ack.error}`);
    else agent.initials = initials;
    counts.registrations++;
  }

  async function click(agent: Agent): Promise<void> {
    const circle = { initials: "CL", x: rng() * 1920, y: rng() * 1080, dia: 1 + rng() * 99, rgba: `rgba(${pick([0, 80, 160, 240])}, 10, 20, 0.5)` };
    const ack: Ack<{ circle: Circle }> = await agent.socket!.timeout(ACK_TIMEOUT_MS).emitWithAck("add-circle", circle);
    counts.clicks++;
    if (!ack.ok) return void failures.push(`click on ${agent.board}: ${ack.error}`);
    acked.get(agent.board)!.add(ack.circle.id);
    if (ack.circle.initials !== (agent.initials ?? "CL")) failures.push(`circle initials ${ack.circle.initials}, player ${agent.initials}`);
  }

  function leave(agent: Agent): void {
    const socket = agent.socket!;
    agent.socket = undefined;
    counts.leaves++;
    const how = rng();
    const transport = socket.io.engine.transport as unknown as { name: string; ws?: { terminate?: () => void } };
    if (how < 0.5)
      socket.disconnect(); // says goodbye
    else if (how < 0.8 || transport.ws?.terminate === undefined)
      socket.io.engine.close(); // closes the transport
    else transport.ws.terminate(); // drops the TCP connection without a closing handshake
    socket.disconnect(); // no-op after the other two, but releases the manager
  }

  async function lifetime(agent: Agent): Promise<void> {
    await sleep(rng() * 2000); // arrive over the first two seconds
    await enter(agent, pick(BOARDS));
    let lastClick = 0;
    while (running()) {
      counts.ops++;
      const action = rng();
      if (agent.socket === undefined) {
        if (action < 0.8) await enter(agent, pick(BOARDS)); // back, maybe elsewhere
      } else if (action < 0.75) {
        const wait = lastClick + MIN_CLICK_GAP_MS - Date.now();
        if (wait > 0) await sleep(wait);
        lastClick = Date.now();
        await click(agent);
      } else if (action < 0.8) {
        await register(agent);
      } else if (action < 0.88) {
        leave(agent);
      }
      await sleep(100 + rng() * 500);
    }
  }

  const lifetimes = Array.from({ length: CLIENTS }, () => {
    const agent: Agent = { socket: undefined, board: BOARDS[0]!, initials: undefined, players: undefined };
    agents.push(agent);
    return lifetime(agent).catch((error: unknown) => void failures.push(`client failed: ${String(error)}`));
  });
  await Promise.all(lifetimes);
  // A last wave of departures with nothing after it: lists are right only if leaving is announced.
  for (const agent of agents) if (agent.socket !== undefined && rng() < 0.2) leave(agent);
  const churnMs = Date.now() - started;

  // Settle: the server sees exactly the clients still connected, so every departure has been
  // announced. Then a round trip on each connection: its answer comes after every list the
  // server sent that client before it, so each client's last list is the one it ends with.
  const connected = agents.filter((a) => a.socket !== undefined);
  await vi.waitFor(() => expect(live.presence.connections, why("connections after the churn")).toBe(connected.length), {
    timeout: 5000,
    interval: 20,
  });
  // Player lists go out with the fan-out's next tick: let it pass before the round trips.
  await sleep(2 * TICK_MS);
  await Promise.all(connected.map((agent) => settled(agent.socket!)));

  expect(failures, why("failures")).toEqual([]);

  for (const board of BOARDS) {
    const here = connected.filter((a) => a.board === board);
    const expected = sorted(here.flatMap((a) => (a.initials === undefined ? [] : [a.initials])));
    const players = live.presence.players(board);
    expect(sorted(players), why(`presence on ${board}`)).toEqual(expected);

    const fresh = await new Promise<string[]>((resolve, reject) => {
      const socket: Client = connect(url, { transports: ["websocket"], forceNew: true, reconnection: false, query: { board } });
      socket.once("update-player-list", (list) => {
        socket.disconnect();
        resolve([...list]);
      });
      socket.once("connect_error", reject);
    });
    expect(sorted(fresh), why(`a newcomer's list on ${board}`)).toEqual(expected);

    const response = await rawRequest(url, { method: "GET", path: `/api/boards/${board}` });
    const body = JSON.parse(response.body) as { circles: Circle[]; players: string[] };
    expect(sorted(body.players), why(`GET /api/boards/${board}`)).toEqual(expected);

    // Every client on the board was told the same, current list.
    for (const agent of here) expect(agent.players, why(`the last list a client on ${board} got`)).toEqual(players);

    // Every acknowledged circle is stored, and nothing else.
    const stored = new Set(body.circles.map((c) => c.id));
    const mine = acked.get(board)!;
    expect(stored.size, why(`circles on ${board}`)).toBe(mine.size);
    expect(
      [...mine].filter((id) => !stored.has(id)),
      why(`acknowledged but missing on ${board}`),
    ).toEqual([]);
  }
  expect(
    [...store.written].filter((b) => !BOARDS.includes(b)),
    why("boards written besides the soak's"),
  ).toEqual([]);

  // Everyone leaves: no connection, player or room may be left behind, and the heap comes back.
  for (const agent of connected) agent.socket?.disconnect();
  await vi.waitFor(
    () => {
      expect(live.presence.connections, why("connections left")).toBe(0);
      expect(live.presence.playerCount, why("players left")).toBe(0);
      expect(live.io.of("/").sockets.size, why("sockets left")).toBe(0);
      expect(live.io.of("/").adapter.rooms.size, why("rooms left")).toBe(0);
      expect(live.io.engine.clientsCount, why("engine clients left")).toBe(0);
    },
    { timeout: 5000, interval: 20 },
  );
  const circles = [...acked.values()].reduce((sum, set) => sum + set.size, 0);
  const clientsSeen = agents.length;
  for (const agent of agents) agent.socket = undefined;
  agents.length = 0;
  connected.length = 0;
  acked.clear();
  clearInterval(sampler);
  const final = await settledHeap();
  // With the boards emptied too, what is left over is what the churn itself left behind.
  for (const board of BOARDS) await live.boards.clear(board, { key: "soak-end" });
  const emptied = await settledHeap();

  // eslint-disable-next-line no-console -- the soak's figures are its report
  console.log(
    [
      `soak: seed ${SEED}, ${clientsSeen} clients on ${BOARDS.length} boards for ${(churnMs / 1000).toFixed(1)} s`,
      `  ops ${counts.ops}, joins ${counts.joins}, leaves ${counts.leaves}, registrations ${counts.registrations}, clicks ${counts.clicks}, circles acknowledged ${circles}`,
      `  heap: baseline ${mb(baseline)}, peak ${mb(peak)}, final ${mb(final)} (${signed(final - baseline)}), boards emptied ${mb(emptied)} (${signed(emptied - baseline)}); gc ${collectGarbage ? "forced" : "not available"}`,
    ].join("\n"),
  );

  // Each client clicks about every half second while it is connected: a server that stalled
  // (a blocked event loop, acks that never came) falls far short of a third of that.
  const expectedClicks = (CLIENTS * churnMs) / 1000 / 2;
  expect(circles, why("circles acknowledged, against a third of the clicks expected")).toBeGreaterThan(expectedClicks / 3);
  expect(final - baseline, why("heap growth")).toBeLessThan(HEAP_MARGIN_BYTES);
  expect(emptied - baseline, why("heap growth with the boards emptied")).toBeLessThan(leftoverMargin(counts.joins));
}, 90_000);
