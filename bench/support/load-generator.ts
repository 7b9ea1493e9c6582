/**
 * The fan-out benchmark's load generator, a process of its own (through
 * fork(), under tsx): it holds one group of WireClients on one board and
 * runs what its parent asks over IPC, answering each command once:
 *
 * - open: connect `count` clients (at most OPEN_AT_ONCE still joining at a
 *   time), optionally registering each as a player; answers once all have
 *   their board and player list (and, registering, the full list), or at the
 *   timeout, with how many did.
 * - traffic: the first `senders` clients emit numbered circles, spread evenly
 *   at `rate` per second on a fixed schedule (a timer that catches up),
 *   for a warm-up and then a measured window; every client counts each
 *   measured circle it receives once and times it from its scheduled send
 *   (so that a late send counts against the latency, not for it).
 * - storm-arm, then storm-go: the parent restarts the server; answers when
 *   every client that lost its connection has the whole board again.
 * - close: closes the group.
 *
 * It never outlives its parent, nor MAX_LIFETIME_MS.
 */
import { performance } from "node:perf_hooks";
import { FrameCache, MAX_CIRCLE_NUMBER, addCircleBody, addedCircle, decodeEvents, decodeSnapshot, rawCircleBody } from "./frames.js";
import { Histogram, type Summary } from "./stats.js";
import { WireClient, type Target } from "./wire-client.js";

export type GeneratorCommand =
  | { type: "open"; target: Target; board: string; count: number; protocol: 1 | 2; register: boolean; timeoutMs: number }
  | { type: "traffic"; rate: number; senders: number; warmupMs: number; measureMs: number; drainMs: number }
  | { type: "storm-arm" }
  | { type: "storm-go"; timeoutMs: number }
  | { type: "close" };

export interface OpenResult {
  type: "opened";
  ready: number;
  refused: number;
  firstError: string;
  /** From the first connection to the last client ready (or the timeout). */
  ms: number;
  /** Registering: clients whose latest player list holds every player, and when the last of them saw it. */
  complete: number;
  completeMs: number;
}

export interface TrafficResult {
  type: "traffic";
  receivers: number;
  measured: number;
  acked: number;
  refused: number;
  firstError: string;
  /** Emits that found their sender disconnected. */
  unsent: number;
  expected: number;
  delivered: number;
  duplicates: number;
  latency: Summary;
  /** Circles received during the measured window, by every receiver, measured or not. */
  deliveredInWindow: number;
  ack: Summary;
  /** The longest a circle was sent after its scheduled time (the generator falling behind). */
  sendLagMaxMs: number;
  /** After the last send, until every delivery had arrived (or the drain timeout). */
  drainMs: number;
  /** This process's CPU over the measured window, in % of one core. */
  cpuPercent: number;
  reconnects: number;
}

export interface StormResult {
  type: "storm";
  lost: number;
  whole: number;
  /** For each client that lost its connection and has the whole board again: ms from storm-go. */
  times: Summary;
}

export type GeneratorMessage =
  | OpenResult
  | { type: "window"; edge: "start" | "end" }
  | TrafficResult
  | { type: "armed"; count: number; seq: number; agreeing: number; clients: number }
  | StormResult
  | { type: "closed" }
  | { type: "error"; message: string };

const OPEN_AT_ONCE = 200;
const MAX_LIFETIME_MS = 15 * 60_000;

interface Receiver {
  index: number;
  client: WireClient;
  initials: string;
  count: number;
  hasBoard: boolean;
  hasPlayers: boolean;
  ready: boolean;
  completeAt: number;
  /** Lost its connection in the storm and does not have the whole board back yet. */
  lost: boolean;
  /** In the storm: when it last had the whole board back, in ms from storm-go; -1 before. */
  wholeMs: number;
}

interface Measure {
  first: number;
  total: number;
  receivers: number;
  /** Each measured circle's scheduled send time; -1 until sent. */
  sentAt: Float64Array;
  /** One bit per receiver and measured circle. */
  seen: Uint8Array;
  delivered: number;
  duplicates: number;
  latency: Histogram;
}

const send = (message: GeneratorMessage) => process.send?.(message);
const lifetime = setTimeout(() => process.exit(1), MAX_LIFETIME_MS);
lifetime.unref();

let group: Receiver[] = [];
let protocolOf: 1 | 2 = 1;
let raw = false;
let measure: Measure | undefined;
let nextCircle = 0;
/** Every circle received by any receiver, so far. */
let received = 0;
let reconnects = 0;
let expectedPlayers = new Set<string>();
let storm: { at: number; count: number; seq: number } | undefined;
const events = new FrameCache(decodeEvents);
const snapshots = new FrameCache(decodeSnapshot);
let players = new FrameCache(decodePlayers);

function decodePlayers(frame: Buffer): boolean {
  const [, list] = JSON.parse(frame.subarray(2).toString()) as [string, string[]];
  return list.length === expectedPlayers.size && list.every((initials) => expectedPlayers.has(initials));
}

/** Three letters or digits for each index (below 36^3), all different. */
const initialsOf = (index: number) => index.toString(36).toUpperCase().padStart(3, "0");

function delivered(n: number, r: Receiver, now: number): void {
  const m = measure;
  if (m === undefined) return;
  const k = n - m.first;
  if (k < 0 || k >= m.total || r.index >= m.receivers) return;
  const sentAt = m.sentAt[k] ?? -1;
  if (sentAt < 0) return;
  const bit = r.index * m.total + k;
  const byte = bit >>> 3;
  const mask = 1 << (bit & 7);
  const seen = m.seen[byte] ?? 0;
  if ((seen & mask) !== 0) {
    m.duplicates++;
    return;
  }
  m.seen[byte] = seen | mask;
  m.delivered++;
  m.latency.add(now - sentAt);
}

function boardArrived(r: Receiver): void {
  r.hasBoard = true;
  becameReady(r);
  if (storm !== undefined && r.lost && r.count === storm.count && r.client.lastSeq === storm.seq) {
    r.lost = false;
    r.wholeMs = performance.now() - storm.at;
  }
}

function becameReady(r: Receiver): void {
  if (!r.ready && (raw || (r.hasBoard && r.hasPlayers))) r.ready = true;
}

function onFrame(r: Receiver, frame: Buffer): void {
  const now = performance.now();
  switch (frame[4]) {
    case 0x61: // add-circle
      r.count++;
      received++;
      return delivered(addedCircle(frame), r, now);
    case 0x72: // remove-circle
      r.count--;
      return;
    case 0x63: // clear-circles, clear-display; not chat-history or cursors
      if (frame[5] === 0x6c) r.count = 0;
      return;
    case 0x75: // update-player-list
      r.hasPlayers = true;
      if (expectedPlayers.size > 0 && r.completeAt === 0 && players.get(frame)) r.completeAt = now;
      return becameReady(r);
    case 0x62: {
      if (frame[10] === 0x65) {
        // board-events
        const batch = events.get(frame);
        received += batch.added.length;
        for (const n of batch.added) delivered(n, r, now);
        r.count = batch.cleared ? batch.delta : r.count + batch.delta;
        if (batch.lastSeq >= 0) r.client.lastSeq = batch.lastSeq;
      } else if (frame[10] === 0x73) {
        // board-snapshot (not board-people, board-cleared or board-lock)
        const snapshot = snapshots.get(frame);
        r.count = snapshot.count;
        r.client.lastSeq = snapshot.seq;
      } else {
        return;
      }
      return boardArrived(r);
    }
  }
}

/** The node client `index` connects to: with several, each in turn. */
function nodeFor(index: number, target: Target): Target {
  if (target.kind === "raw" || !target.spread?.length) return target;
  const ports = [target.port, ...target.spread];
  return { kind: "circles", port: ports[index % ports.length] ?? target.port };
}

function openReceiver(index: number, target: Target, board: string, register: boolean, refusals: string[]): Receiver {
  const r: Receiver = {
    index,
    initials: initialsOf(index),
    count: 0,
    hasBoard: false,
    hasPlayers: false,
    ready: false,
    completeAt: 0,
    lost: false,
    wholeMs: -1,
    client: undefined as unknown as WireClient,
  };
  r.client = new WireClient({
    target: nodeFor(index, target),
    board,
    protocol: protocolOf,
    onFrame: (_client, frame) => onFrame(r, frame),
    onConnect: (client) => {
      becameReady(r);
      if (register) client.emit(`["register-player","${r.initials}"]`, () => undefined);
    },
    onClose: (_client, willRetry) => {
      r.hasBoard = false;
      r.hasPlayers = false;
      if (storm !== undefined) r.lost = true;
      if (willRetry) reconnects++;
    },
    onRefused: (client, message) => {
      refusals.push(message);
      client.close();
    },
  });
  r.client.reconnect = true;
  return r;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function open(command: Extract<GeneratorCommand, { type: "open" }>): Promise<OpenResult> {
  protocolOf = command.protocol;
  raw = command.target.kind === "raw";
  expectedPlayers = new Set(command.register ? Array.from({ length: command.count }, (_, i) => initialsOf(i)) : []);
  players = new FrameCache(decodePlayers);
  const refusals: string[] = [];
  const start = performance.now();
  const deadline = start + command.timeoutMs;
  const joining = () => group.filter((r) => !r.ready).length;
  while (group.length < command.count && performance.now() < deadline) {
    const room = Math.min(OPEN_AT_ONCE - joining() - refusals.length, command.count - group.length);
    for (let i = 0; i < room; i++) group.push(openReceiver(group.length, command.target, command.board, command.register, refusals));
    await sleep(room > 0 ? 1 : 5);
  }
  const done = () => refusals.length + group.filter((r) => r.ready && (!command.register || r.completeAt > 0)).length >= command.count;
  while (!done() && performance.now() < deadline) await sleep(5);
  const ready = group.filter((r) => r.ready);
  const complete = group.filter((r) => r.completeAt > 0);
  return {
    type: "opened",
    ready: ready.length,
    refused: refusals.length,
    firstError: refusals[0] ?? "",
    ms: performance.now() - start,
    complete: complete.length,
    completeMs: complete.reduce((last, r) => Math.max(last, r.completeAt - start), 0),
  };
}

async function traffic(command: Extract<GeneratorCommand, { type: "traffic" }>): Promise<TrafficResult> {
  const { rate, warmupMs, measureMs, drainMs } = command;
  const senders = group.slice(0, command.senders).map((r) => r.client);
  const warmup = Math.round((rate * warmupMs) / 1000);
  const total = Math.round((rate * measureMs) / 1000);
  const base = nextCircle;
  nextCircle += warmup + total;
  if (nextCircle > MAX_CIRCLE_NUMBER) throw new Error("out of circle numbers");
  const m: Measure = {
    first: base + warmup,
    total,
    receivers: group.length,
    sentAt: new Float64Array(total).fill(-1),
    seen: new Uint8Array(Math.ceil((group.length * total) / 8)),
    delivered: 0,
    duplicates: 0,
    latency: new Histogram(),
  };
  measure = m;
  reconnects = 0;
  const ack = new Histogram();
  let acked = 0;
  let refused = 0;
  let unsent = 0;
  let firstError = "";
  let lagMax = 0;
  let cpuBefore = process.cpuUsage();
  let cpuFrom = 0;
  let receivedFrom = 0;
  const start = performance.now();
  const interval = 1000 / rate;
  await new Promise<void>((resolve) => {
    let i = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      const due = Math.min(warmup + total, Math.floor((now - start) / interval) + 1);
      for (; i < due; i++) {
        const scheduled = start + i * interval;
        lagMax = Math.max(lagMax, performance.now() - scheduled);
        const measured = i >= warmup;
        if (i === warmup) {
          send({ type: "window", edge: "start" });
          cpuBefore = process.cpuUsage();
          cpuFrom = performance.now();
          receivedFrom = received;
        }
        if (measured) m.sentAt[i - warmup] = scheduled;
        const sender = senders[i % senders.length];
        const n = base + i;
        const sent = raw
          ? sender?.emit(rawCircleBody(n))
          : sender?.emit(addCircleBody(n), (frame) => {
              if (!measured) return;
              ack.add(performance.now() - scheduled);
              if (frame.includes('"ok":true')) acked++;
              else {
                refused++;
                firstError ||= frame.toString().slice(0, 200);
              }
            });
        if (sent !== true && measured) unsent++;
      }
      if (i >= warmup + total) {
        clearInterval(timer);
        resolve();
      }
    }, 1);
  });
  const cpu = process.cpuUsage(cpuBefore);
  const cpuPercent = ((cpu.user + cpu.system) / 1000 / (performance.now() - cpuFrom)) * 100;
  const deliveredInWindow = received - receivedFrom;
  send({ type: "window", edge: "end" });
  const sentEnd = performance.now();
  const expected = total * m.receivers;
  while (m.delivered < expected && performance.now() < sentEnd + drainMs) await sleep(5);
  const drain = performance.now() - sentEnd;
  // Acks may trail the last delivery a little.
  const acksBy = performance.now() + 1_000;
  while (!raw && acked + refused + unsent < total && performance.now() < acksBy) await sleep(5);
  measure = undefined;
  return {
    type: "traffic",
    receivers: m.receivers,
    measured: total,
    acked: raw ? total - unsent : acked,
    refused,
    firstError,
    unsent,
    expected,
    delivered: m.delivered,
    duplicates: m.duplicates,
    latency: m.latency.summary(),
    deliveredInWindow,
    ack: ack.summary(),
    sendLagMaxMs: lagMax,
    drainMs: drain,
    cpuPercent,
    reconnects,
  };
}

function arm(): GeneratorMessage {
  const [first] = group;
  const count = first?.count ?? -1;
  const seq = first?.client.lastSeq ?? -1;
  const agreeing = group.filter((r) => r.ready && r.count === count && r.client.lastSeq === seq).length;
  storm = { at: Number.POSITIVE_INFINITY, count, seq };
  for (const r of group) r.wholeMs = -1;
  return { type: "armed", count, seq, agreeing, clients: group.length };
}

async function stormGo(timeoutMs: number): Promise<StormResult> {
  const s = storm;
  if (s === undefined) throw new Error("storm-go before storm-arm");
  s.at = performance.now();
  const deadline = s.at + timeoutMs;
  // Every client must first lose its connection, then get the board back.
  const back = (r: Receiver) => r.wholeMs >= 0 && !r.lost;
  while (performance.now() < deadline && !group.every(back)) await sleep(5);
  storm = undefined;
  const times = new Histogram();
  for (const r of group) if (back(r)) times.add(r.wholeMs);
  const lost = group.filter((r) => r.lost || r.wholeMs >= 0).length;
  for (const r of group) r.lost = false;
  return { type: "storm", lost, whole: group.filter(back).length, times: times.summary() };
}

async function close(): Promise<void> {
  for (const r of group) r.client.close();
  group = [];
  await sleep(200);
}

async function handle(command: GeneratorCommand): Promise<GeneratorMessage> {
  switch (command.type) {
    case "open":
      return open(command);
    case "traffic":
      return traffic(command);
    case "storm-arm":
      return arm();
    case "storm-go":
      return stormGo(command.timeoutMs);
    case "close":
      await close();
      return { type: "closed" };
  }
}

process.on("message", (command: GeneratorCommand) => {
  handle(command).then(send, (error: unknown) =>
    send({ type: "error", message: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  );
});
process.on("disconnect", () => process.exit(0));
