/* eslint-disable no-console */
/**
 * The browser's side of a busy board, in real Chromium (Playwright, the
 * system's browser) against the real compiled server (`node dist/bin/www.js`,
 * a fresh DATA_DIR, 127.0.0.1). Targets:
 * (a) a 5,000-circle snapshot drawn within 100 ms: from the moment the
 *     message carrying it reaches the page to the end of the frame that
 *     painted it (median of several page loads; every circle's colour is
 *     checked on the canvas);
 * (b) at least 50 frames/s while the page receives 1,000 circles/s from a
 *     few socket.io-client writers here, on the full board, so that every
 *     new circle evicts the oldest; checked to have arrived (the page's seq)
 *     and to be on the canvas.
 *
 * Run: npm run build, then npx tsx bench/browser.ts
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { chromium, type Page } from "@playwright/test";
import { io, type Socket } from "socket.io-client";
import type { Ack, Circle, CircleInput, ClientToServerEvents, ServerToClientEvents } from "../lib/protocol/events.js";
import { BOARD_HEIGHT, BOARD_WIDTH } from "../lib/protocol/rules.js";
import { findBrowser } from "../e2e/support/find-browser.js";
import { startArgs } from "./support/start-command.js";
import { busyMachineWarning, ms, verdict } from "./support/stats.js";

const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const BOARD = "bench-browser";
/** The server's default MAX_CIRCLES: the snapshot is a full board. */
const CIRCLES = 5_000;
const SNAPSHOT_LOADS = 5;
const SNAPSHOT_TARGET_MS = 100;
const STREAM_RATE = 1_000; // circles/s
const STREAM_MS = 5_000;
const WRITERS = 4;
const FPS_TARGET = 50;
/** Of the circles sent during the window, the share the page must have applied in it. */
const DELIVERY_TARGET = 0.95;
/** The whole run stops here, whatever it is doing. */
const TIME_LIMIT_MS = 120_000;

type Writer = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * The slices of the page's globals used inside `evaluate` (bench/ compiles
 * without the DOM's types): the canvas, timings, and `circlesDebug`
 * (public/client/debug.ts).
 */
interface PageGlobals {
  document: { querySelector(selector: string): CanvasLike | null };
  performance: { now(): number; getEntriesByType(type: "resource"): ResourceTimingLike[] };
  requestAnimationFrame(callback: (now: number) => void): number;
  circlesDebug?: {
    seq(): number | undefined;
    rendered(): number;
    connected(): boolean;
    lastRender(): { circles: number; at: number } | null;
  };
  /** When each message carrying a snapshot came in on a WebSocket (the init script in main). */
  snapshotArrivals: number[];
}
interface CanvasLike {
  width: number;
  height: number;
  getContext(kind: "2d"): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } | null;
}
interface ResourceTimingLike {
  name: string;
  decodedBodySize: number;
  responseEnd: number;
}
interface WebSocketLike {
  addEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
}
type WebSocketClass = new (...args: never[]) => WebSocketLike;

/** Circle i sits in grid cell i mod CIRCLES: a new one lands exactly where the one it evicts was, so none overlap. */
const COLUMNS = 100;
const ROWS = CIRCLES / COLUMNS;
function circleNumber(i: number): CircleInput {
  const cell = i % CIRCLES;
  const x = ((cell % COLUMNS) + 0.5) * (BOARD_WIDTH / COLUMNS);
  const y = (Math.floor(cell / COLUMNS) + 0.5) * (BOARD_HEIGHT / ROWS);
  return { initials: "BN", x, y, dia: 12, rgba: `rgba(${colourOf(i).join(", ")}, 1)` };
}
/** Opaque and different from the circle evicted from the same cell (CIRCLES is not a multiple of 199). */
function colourOf(i: number): [number, number, number] {
  return [20 + ((i * 37) % 199), 20 + ((i * 91) % 199), 20 + ((i * 53) % 199)];
}

/** The compiled server on a free port; resolves once its JSON log says where it listens. */
async function startServer(dataDir: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, startArgs, {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: "0",
      DATA_DIR: dataDir,
      LOG_LEVEL: "info",
      // The writers here are few and fast: the per-connection limit must not be what is measured.
      RATE_LIMIT_PER_SECOND: "100000",
      RATE_LIMIT_BURST: "100000",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let buffered = "";
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      for (const line of buffered.split("\n")) {
        try {
          const entry = JSON.parse(line) as { port?: unknown };
          if (typeof entry.port === "number") resolve(entry.port);
        } catch {
          // a line still arriving
        }
      }
    });
    child.once("exit", (code) => reject(new Error(`the server exited (${code}) before listening`)));
  });
  child.stdout.resume();
  return { url: `http://127.0.0.1:${port}`, child };
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  await exited;
}

function openWriter(url: string): Promise<Writer> {
  const socket: Writer = io(url, { query: { board: BOARD, protocol: "2" }, transports: ["websocket"], reconnection: false });
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", reject);
  });
}

async function add(writer: Writer, input: CircleInput): Promise<number> {
  const ack = (await writer.timeout(10_000).emitWithAck("add-circle", input)) as Ack<{ circle: Circle; seq: number }>;
  if (!ack.ok) throw new Error(`circle refused: ${ack.error}`);
  return ack.seq;
}

/** Colours on the canvas at the given circles' centres that are not the circles' own: the ones not drawn. */
async function undrawn(page: Page, numbers: readonly number[]): Promise<number> {
  const spots = numbers.map((i) => {
    const c = circleNumber(i);
    return { x: c.x, y: c.y, colour: colourOf(i) };
  });
  return page.evaluate(
    ({ spots, width, height }) => {
      const canvas = (globalThis as unknown as PageGlobals).document.querySelector("canvas#board");
      const ctx = canvas?.getContext("2d");
      if (!canvas || !ctx) throw new Error("no board canvas");
      const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
      return spots.filter(({ x, y, colour }) => {
        const at = (Math.floor((y / height) * canvas.height) * canvas.width + Math.floor((x / width) * canvas.width)) * 4;
        return colour.some((value, k) => Math.abs((data[at + k] ?? -1) - value) > 2);
      }).length;
    },
    { spots, width: BOARD_WIDTH, height: BOARD_HEIGHT },
  );
}

/** What the page's debug hook tells about the board (see public/client/debug.ts). */
function boardState(page: Page) {
  return page.evaluate(() => {
    const debug = (globalThis as unknown as PageGlobals).circlesDebug;
    return { seq: debug?.seq(), rendered: debug?.rendered() ?? 0, lastRender: debug?.lastRender() ?? null };
  });
}

/**
 * Load the board and time its snapshot: from when the message reached the
 * page (the long-polling response's end, or the WebSocket message) to the end
 * of the frame that drew it.
 */
async function timeSnapshot(page: Page, url: string): Promise<{ ms: number; transport: string }> {
  await page.goto(`${url}/b/${BOARD}`);
  await page.waitForFunction((count) => (globalThis as unknown as PageGlobals).circlesDebug?.lastRender()?.circles === count, CIRCLES, {
    timeout: 20_000,
  });
  return page.evaluate(() => {
    const page = globalThis as unknown as PageGlobals;
    const painted = page.circlesDebug?.lastRender()?.at ?? Number.NaN;
    // Only the snapshot is this large.
    const polled = page.performance
      .getEntriesByType("resource")
      .filter((e) => e.name.includes("/socket.io/") && e.decodedBodySize > 100_000)
      .map((e) => e.responseEnd);
    const [arrived, transport] = polled.length > 0 ? [polled[0], "polling"] : [page.snapshotArrivals[0], "websocket"];
    return { ms: painted - (arrived ?? Number.NaN), transport };
  });
}

/** requestAnimationFrame callbacks over `windowMs`, and the seq the page was at on either side. */
function countFrames(page: Page, windowMs: number) {
  return page.evaluate(
    (windowMs) =>
      new Promise<{ frames: number; seconds: number; worstGapMs: number; seqBefore: number; seqAfter: number }>((resolve) => {
        const page = globalThis as unknown as PageGlobals;
        const seq = () => page.circlesDebug?.seq() ?? 0;
        const seqBefore = seq();
        let frames = 0;
        let worstGapMs = 0;
        let first = 0;
        let last = 0;
        const tick = (now: number) => {
          if (frames === 0) first = now;
          else worstGapMs = Math.max(worstGapMs, now - last);
          frames++;
          last = now;
          if (now - first < windowMs) page.requestAnimationFrame(tick);
          else resolve({ frames: frames - 1, seconds: (last - first) / 1000, worstGapMs, seqBefore, seqAfter: seq() });
        };
        page.requestAnimationFrame(tick);
      }),
    windowMs,
  );
}

/**
 * Send circles from `next` on at `STREAM_RATE`, round-robin over the writers,
 * until `stop` resolves; the seq each one was stored with, by number.
 */
async function stream(writers: Writer[], next: number, stop: Promise<unknown>): Promise<Map<number, number>> {
  let stopped = false;
  void stop.finally(() => (stopped = true));
  const acks: Promise<number>[] = [];
  const start = performance.now();
  while (!stopped) {
    const due = Math.floor(((performance.now() - start) / 1000) * STREAM_RATE);
    while (acks.length < due) {
      const writer = writers[acks.length % writers.length]!;
      acks.push(add(writer, circleNumber(next + acks.length)));
    }
    await sleep(5);
  }
  const seqs = await Promise.all(acks);
  return new Map(seqs.map((seq, i) => [next + i, seq]));
}

/**
 * The circles the board holds now: the last CIRCLES stored. Writers race, so
 * that is not quite the last CIRCLES numbers; the few oldest are left out, as
 * their cell may also hold the one stored after them.
 */
function onBoard(stored: Map<number, number>): number[] {
  const bySeq = [...stored].sort((a, b) => a[1] - b[1]).map(([i]) => i);
  return bySeq.slice(-(CIRCLES - 100));
}

/** The server, for the deadline to stop if the run hangs. */
let serverChild: ChildProcess | undefined;

async function main(): Promise<void> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "circles-bench-browser-"));
  const server = await startServer(dataDir);
  serverChild = server.child;
  const browser = await chromium.launch({
    executablePath: findBrowser(),
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  const writers: Writer[] = [];
  try {
    console.log(`server ${server.url}, Chromium ${browser.version()}, ${os.cpus().length} cores`);
    for (let i = 0; i < WRITERS; i++) writers.push(await openWriter(server.url));

    const filling = performance.now();
    const seqs = await Promise.all(Array.from({ length: CIRCLES }, (_, i) => add(writers[i % WRITERS]!, circleNumber(i))));
    const stored = new Map(seqs.map((seq, i) => [i, seq]));
    console.log(`board filled with ${CIRCLES} circles in ${ms(performance.now() - filling, 0)} (last seq ${Math.max(...seqs)})`);

    const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
    // tsx compiles this file keeping function names, by wrapping functions in
    // `__name(...)`, also inside the functions handed to the page: give the page one.
    await context.addInitScript({ content: "globalThis.__name = (target) => target;" });
    // Before the page's own scripts: note when a snapshot arrives on a WebSocket, ahead of its parsing.
    await context.addInitScript(() => {
      const page = globalThis as unknown as PageGlobals & { WebSocket: WebSocketClass };
      page.snapshotArrivals = [];
      const Native = page.WebSocket;
      page.WebSocket = class extends Native {
        constructor(...args: never[]) {
          super(...args);
          this.addEventListener("message", (event) => {
            if (typeof event.data === "string" && event.data.startsWith('42["board-snapshot"')) {
              page.snapshotArrivals.push(page.performance.now());
            }
          });
        }
      };
    });
    const page = await context.newPage();

    // (a) the snapshot
    const loads: { ms: number; transport: string }[] = [];
    for (let i = 0; i < SNAPSHOT_LOADS; i++) loads.push(await timeSnapshot(page, server.url));
    const times = loads.map((l) => l.ms).sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)] ?? Number.NaN;
    console.log(`snapshot of ${CIRCLES}: ${loads.map((l) => `${ms(l.ms)} (${l.transport})`).join(", ")}; median ${ms(median)}`);
    const missingAtLoad = await undrawn(page, [...stored.keys()]);
    console.log(`circles of the snapshot not on the canvas: ${missingAtLoad} of ${CIRCLES}`);
    verdict(missingAtLoad === 0, `every circle of the ${CIRCLES}-circle snapshot is on the canvas`);
    verdict(median <= SNAPSHOT_TARGET_MS, `a ${CIRCLES}-circle snapshot is drawn within ${SNAPSHOT_TARGET_MS} ms (median ${ms(median)})`);

    // (b) frames while circles stream in
    await page.waitForFunction(() => (globalThis as unknown as PageGlobals).circlesDebug?.connected() === true);
    const idle = await countFrames(page, 1_000);
    console.log(`idle: ${(idle.frames / idle.seconds).toFixed(1)} frames/s`);
    const warmUp = sleep(500);
    const frames = (async () => {
      await warmUp;
      return countFrames(page, STREAM_MS);
    })();
    const sending = stream(
      writers,
      CIRCLES,
      frames.then(() => sleep(200)),
    );
    const counted = await frames;
    const streamed = await sending;
    const fps = counted.frames / counted.seconds;
    // Each circle's eviction of the oldest has a seq too: count the circles by theirs.
    const inWindow = [...streamed.values()].filter((seq) => seq > counted.seqBefore && seq <= counted.seqAfter).length;
    const applied = inWindow / counted.seconds;
    const lastSeq = Math.max(...streamed.values());
    console.log(
      `streaming: ${streamed.size} circles sent; the page applied ${applied.toFixed(0)} circles/s at ` +
        `${fps.toFixed(1)} frames/s (longest frame gap ${ms(counted.worstGapMs)})`,
    );
    await page.waitForFunction((seq) => ((globalThis as unknown as PageGlobals).circlesDebug?.seq() ?? 0) >= seq, lastSeq, {
      timeout: 10_000,
    });
    await sleep(100); // the frame after the last change
    const after = await boardState(page);
    for (const [i, seq] of streamed) stored.set(i, seq);
    const newest = onBoard(stored);
    const missing = await undrawn(page, newest);
    console.log(`after streaming: seq ${after.seq}, ${after.rendered} circles; of the ${newest.length} newest, ${missing} not on the canvas`);
    verdict(
      applied >= STREAM_RATE * DELIVERY_TARGET && missing === 0 && after.rendered === CIRCLES,
      `the page received ${STREAM_RATE} circles/s (${applied.toFixed(0)}/s applied) and drew every one`,
    );
    verdict(fps >= FPS_TARGET, `at least ${FPS_TARGET} frames/s while receiving ${STREAM_RATE} circles/s (${fps.toFixed(1)})`);
    const busy = busyMachineWarning();
    if (busy) console.log(busy);
  } finally {
    for (const writer of writers) writer.disconnect();
    await browser.close();
    await stopServer(server.child);
    await rm(dataDir, { recursive: true, force: true });
  }
}

const deadline = setTimeout(() => {
  console.log(`verdict: FAIL: the benchmark did not finish within ${TIME_LIMIT_MS / 1000} s`);
  serverChild?.kill("SIGKILL");
  process.exit(1);
}, TIME_LIMIT_MS);
deadline.unref();
main().catch((error: unknown) => {
  console.log(`verdict: FAIL: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
