/**
 * Property-based robustness against one real server: random, near-valid and
 * hostile input at every socket event, unknown events, raw protocol frames,
 * handshakes and every REST route. Each run works on fresh boards and checks
 * that the server answered everything, relayed and stored only valid circles,
 * stored exactly what it acknowledged, and left no ghost behind.
 *
 * Reproduce a failure with the seed and path fast-check prints, for that test only:
 *   FUZZ_SEED=<seed> FUZZ_PATH=<path> npx vitest run test/fuzz.test.ts -t "<test name>"
 * FUZZ_RUNS=<n> changes the number of runs of every property (a few hundred is a deeper search).
 */
import { CLIENT_EVENTS } from "../io.js";
import fc from "fast-check";
import { io as connect, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Circle } from "../lib/protocol/events.js";
import { BOARD_HEIGHT, BOARD_NAME_PATTERN, BOARD_WIDTH, INITIALS_PATTERN, MAX_DIAMETER, MIN_DIAMETER } from "../lib/protocol/rules.js";
import { parseBoardName, parseCircleInput, parseInitials, parseSeq } from "../lib/protocol/schemas.js";
import { rawRequest, type RawResponse } from "./support/raw-http.js";
import { TICK_MS } from "../socket/relay/fanout.js";
import { RecordingStore } from "./support/recording-store.js";
import { startTestServer, type TestClient, type TestServer } from "./support/test-server.js";

// ---------------------------------------------------------------------------
// Settings

const LIMIT = 4096; // maxPayloadBytes: the socket transport's and the JSON body's limit
const ACK_TIMEOUT = 2000;
const HIGH_RATE = { perSecond: 1_000_000, burst: 1_000_000 };
const LOW_RATE = { perSecond: 5, burst: 10 };

function fcOptions<T>(numRuns: number): fc.Parameters<T> {
  const seed = process.env["FUZZ_SEED"];
  const path = process.env["FUZZ_PATH"];
  return {
    numRuns: Number(process.env["FUZZ_RUNS"] ?? numRuns),
    ...(seed === undefined ? {} : { seed: Number(seed) }),
    ...(path === undefined ? {} : { path }),
    // Shrinking a failure must not outlive the test's own timeout and lose the counterexample.
    interruptAfterTimeLimit: 40_000,
  };
}

// ---------------------------------------------------------------------------
// Arbitraries: valid circles, circles with one field broken, hostile values

const FIELDS = ["initials", "x", "y", "dia", "rgba"] as const;

const byte = fc.integer({ min: 0, max: 255 });
const alpha = fc.oneof(
  fc.constantFrom("0", "1", "1.0", "1.000"),
  fc.integer({ min: 0, max: 999 }).map((n) => `0.${n}`),
  fc.integer({ min: 0, max: 99 }).map((n) => `.${n}`),
);
const hexDigits = (length: number) => fc.string({ unit: fc.constantFrom(..."0123456789abcdefABCDEF"), minLength: length, maxLength: length });
const colour = fc.oneof(
  fc.tuple(byte, byte, byte, alpha, fc.constantFrom(", ", ",", " , ")).map(([r, g, b, a, sep]) => `rgba(${r}${sep}${g}${sep}${b}${sep}${a})`),
  fc.tuple(byte, byte, byte).map(([r, g, b]) => `rgb(${r}, ${g}, ${b})`),
  fc
    .constantFrom(3, 4, 6, 8)
    .chain(hexDigits)
    .map((hex) => `#${hex}`),
);
const coordinate = (min: number, max: number) => fc.oneof(fc.integer({ min, max }), fc.double({ min, max, noNaN: true }), fc.constantFrom(min, max));

const validCircle = fc.record({
  initials: fc.stringMatching(/^[A-Za-z0-9]{2,3}$/),
  x: coordinate(0, BOARD_WIDTH),
  y: coordinate(0, BOARD_HEIGHT),
  dia: coordinate(MIN_DIAMETER, MAX_DIAMETER),
  rgba: colour,
});

const markup = ["<b>", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '"><svg onload=alert(1)>', "{{7*7}}", "${7*7}", "' OR 1=1 --"];
const nanLike = ["NaN", "-NaN", "Infinity", "-Infinity", "1e309", "0x10", "1e3", "", " ", "null", "undefined", "true", "[]", "{}", "-0", "+1"];
const unicode = ["ÅB", "😀😀", "A\u0301B", "１２", "AB\u200b", "\u202eAB", "AB\u0000", "AB\n", "ǅǅ", "\ud800B"];
const badColours = [
  "javascript:alert(1)",
  "red",
  "transparent",
  "#ggg",
  "#12345",
  "#1234567",
  "rgb(1,2)",
  "rgba(1,2,3)",
  "rgba(1, 2, 3, 2)",
  "rgba(-1, 2, 3, 1)",
  "rgb(1, 2, 3) ",
  " #fff",
  "#fff\n",
  "#fff;background:url(x)",
  "expression(alert(1))",
  "url(http://x/)",
  `rgba(1, 2, 3, 0.${"5".repeat(60)})`, // matches the pattern but is over the colour length limit
];
const nonStrings: unknown[] = [null, true, false, 0, -1, 12, 1e308, [], ["AB"], {}, { toString: "AB" }, { valueOf: 5 }];
const badNumbers: unknown[] = [
  -1,
  -0.0001,
  BOARD_WIDTH + 0.5,
  1e308,
  -1e308,
  Number.MAX_VALUE,
  Number.MIN_VALUE,
  Number.MAX_SAFE_INTEGER + 2,
  Infinity,
  -Infinity,
  NaN,
  "100",
  "1e3",
  "0x10",
  "NaN",
  "Infinity",
  "",
  null,
  true,
  [],
  [1],
  {},
  { valueOf: 5 },
];

/** Objects whose own keys are the ones prototype pollution goes through. */
const POLLUTION_KEYS = '"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"prototype":{"polluted":"yes"}';
const withPollutionKeys = (value: object): unknown =>
  JSON.parse(`{${POLLUTION_KEYS}${Object.keys(value).length > 0 ? "," : ""}${JSON.stringify(value).slice(1)}`);

const nested = (depth: number, leaf: unknown, asObject: boolean): unknown => {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = asObject ? { a: value } : [value];
  return value;
};

const longString = fc
  .tuple(fc.integer({ min: 3000, max: 9000 }), fc.constantFrom("A", "é", "😀", "<", "\\"))
  .map(([n, ch]) => ch.repeat(Math.ceil(n / Buffer.byteLength(ch))));

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...markup, ...nanLike, ...unicode, ...nonStrings),
  longString,
  fc.tuple(fc.integer({ min: 1, max: 1500 }), fc.boolean()).map(([depth, asObject]) => nested(depth, "AB", asObject)),
  validCircle.map((c) => withPollutionKeys(c)),
  fc.constant(withPollutionKeys({})),
  fc.array(validCircle, { minLength: 1, maxLength: 3 }),
  validCircle.map((c) => JSON.stringify(c)),
);

const badValue = fc.oneof(
  fc.constantFrom(...markup, ...nanLike, ...unicode, ...badColours, ...nonStrings, ...badNumbers),
  fc.string({ maxLength: 8 }),
  longString,
  fc.anything(),
);

/** A valid circle with one field broken, dropped, or with hostile extra keys. */
const nearValidCircle: fc.Arbitrary<unknown> = fc.oneof(
  fc.tuple(validCircle, fc.constantFrom(...FIELDS), badValue).map(([c, field, bad]) => ({ ...c, [field]: bad })),
  fc.tuple(validCircle, fc.constantFrom(...FIELDS)).map(([c, field]) => {
    const copy: Record<string, unknown> = { ...c };
    delete copy[field];
    return copy;
  }),
  // Extras are dropped, not refused; an id that is not a client's id (8–64 of A–Z a–z 0–9 _ -) refuses the circle, saying why.
  validCircle.map((c) => withPollutionKeys({ ...c, id: "forged", createdAt: -1, ok: false })),
);

const payload: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: validCircle },
  { weight: 4, arbitrary: nearValidCircle },
  { weight: 2, arbitrary: fc.anything() },
  { weight: 2, arbitrary: hostileValue },
);

const initialsPayload: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.stringMatching(/^[A-Za-z0-9]{2,3}$/) },
  { weight: 2, arbitrary: fc.constantFrom(...markup, ...nanLike, ...unicode, ...nonStrings, "A", "ABCD") },
  { weight: 1, arbitrary: fc.anything() },
  { weight: 1, arbitrary: longString },
);

/** The arguments after the event name: mostly one payload, sometimes none or extras. */
const argsOf = (value: fc.Arbitrary<unknown>): fc.Arbitrary<unknown[]> =>
  fc.oneof(
    { weight: 8, arbitrary: value.map((v) => [v]) },
    { weight: 1, arbitrary: fc.constant<unknown[]>([]) },
    { weight: 1, arbitrary: fc.tuple(value, fc.anything()).map((pair) => [...pair]) },
  );

/** The events whose answers the fuzz below predicts; chat, pointers, undo and hosts have tests of their own. */
const KNOWN_EVENTS = ["register-player", "add-circle", "clear-circles", "clear-display", "sync-board"];
/** Names socket.io-client refuses to emit at all. */
const CLIENT_RESERVED = ["connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"];
const unknownEvent = fc
  .oneof(
    fc.constantFrom(
      "error",
      "__proto__",
      "constructor",
      "toString",
      "hasOwnProperty",
      "add-circle ",
      "ADD-CIRCLE",
      "add_circle",
      "update-player-list",
      "board-snapshot",
      "remove-circle",
      "clear",
      "",
    ),
    fc.string({ maxLength: 30 }),
  )
  .filter((name) => !Object.hasOwn(CLIENT_EVENTS, name) && !CLIENT_RESERVED.includes(name));

interface SocketOp {
  event: string;
  args: unknown[];
  ack: boolean;
}

const socketOp: fc.Arbitrary<SocketOp> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ event: fc.constant("add-circle"), args: argsOf(payload), ack: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ event: fc.constant("register-player"), args: argsOf(initialsPayload), ack: fc.boolean() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      event: fc.constantFrom("clear-circles", "clear-display"),
      args: fc.oneof(
        fc.constant<unknown[]>([]),
        fc.anything().map((v) => [v]),
      ),
      ack: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ event: fc.constant("sync-board"), args: argsOf(fc.oneof(fc.nat(), fc.anything())), ack: fc.boolean() }),
  },
  { weight: 2, arbitrary: fc.record({ event: unknownEvent, args: argsOf(payload), ack: fc.boolean() }) },
);

// ---------------------------------------------------------------------------
// Helpers

/** What the server receives for a value: socket.io and express.json both go through JSON. */
const wire = (value: unknown): unknown => (JSON.parse(JSON.stringify([value])) as unknown[])[0];

/** Bytes of the websocket frame for an event, without the ack id's digits. */
const frameBytes = (event: string, args: unknown[]) => 2 + Buffer.byteLength(JSON.stringify([event, ...args]));
/** Up to 5 digits of ack id, plus margin: between the two, either outcome is right. */
const ACK_ID_SLACK = 8;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const CIRCLE_KEYS = ["createdAt", "dia", "id", "initials", "rgba", "x", "y"];

/** The circle a REST POST answers with, less the `seq` it carries beside the circle's fields. */
function storedOverRest(body: string, where: string): unknown {
  const { seq, ...circle } = JSON.parse(body) as { seq?: unknown };
  expect(seq, where).toEqual(expect.any(Number));
  return circle;
}

/** A circle as the server sends it: valid, exactly its fields, a server-made id. */
function expectServerCircle(value: unknown, where: string): Circle {
  expect(parseCircleInput(value).ok, `${where}: ${JSON.stringify(value)}`).toBe(true);
  expect(Object.keys(value as object).sort(), where).toEqual(CIRCLE_KEYS);
  const circle = value as Circle;
  // Initials go out normalised: upper-cased, NFC.
  expect(parseInitials(circle.initials), where).toEqual({ ok: true, value: circle.initials });
  expect(circle.id, where).toMatch(UUID);
  expect(Number.isFinite(circle.createdAt), where).toBe(true);
  return circle;
}

function expectRefusal(value: unknown, where: string): string {
  expect(value, where).toEqual({
    ok: false,
    error: expect.any(String),
    code: expect.stringMatching(/^(invalid|refused|conflict|rate-limited|unavailable)$/),
  });
  const { error } = value as { error: string };
  expect(error.length, where).toBeGreaterThan(0);
  return error;
}

type Reply = { kind: "answer"; value: unknown } | { kind: "silent" } | { kind: "dropped" };

/** Emit with an acknowledgement; say whether it was answered, ignored, or the connection dropped. */
async function ask(client: TestClient, event: string, args: unknown[], timeoutMs = ACK_TIMEOUT): Promise<Reply> {
  const loose = client as unknown as Socket;
  try {
    return { kind: "answer", value: (await loose.timeout(timeoutMs).emitWithAck(event, ...args)) as unknown };
  } catch {
    return client.connected ? { kind: "silent" } : { kind: "dropped" };
  }
}

function waitForDisconnect(client: TestClient, timeoutMs = ACK_TIMEOUT): Promise<boolean> {
  if (client.disconnected) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    client.once("disconnect", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** After a run has closed its clients: nobody left on the server. */
async function expectNoOneLeft(server: TestServer): Promise<void> {
  await vi.waitFor(
    () => {
      expect(server.presence.connections).toBe(0);
      expect(server.presence.playerCount).toBe(0);
    },
    { timeout: 3000, interval: 5 },
  );
}

/** What a watcher saw, replayed: the board as it was told, and everything else it heard. */
function replay(watcher: TestClient) {
  const live = new Map<string, Circle>();
  const relayed: Circle[] = [];
  const playerLists: unknown[] = [];
  const others: string[] = [];
  let clearCircles = 0;
  let clearDisplay = 0;
  for (const [index, { event, args }] of watcher.received.entries()) {
    const where = `watcher event #${index} ${event}`;
    switch (event) {
      case "board-snapshot":
        for (const circle of (args[0] as { circles: unknown[] }).circles) {
          const valid = expectServerCircle(circle, `${where} (snapshot)`);
          live.set(valid.id, valid);
        }
        break;
      case "add-circle": {
        expect(args, where).toHaveLength(1);
        const circle = expectServerCircle(args[0], where);
        relayed.push(circle);
        live.set(circle.id, circle);
        break;
      }
      case "remove-circle":
        live.delete((args[0] as { id: string }).id);
        break;
      case "clear-circles":
        clearCircles++;
        live.clear();
        break;
      case "clear-display":
        clearDisplay++;
        break;
      case "update-player-list":
        expect(Array.isArray(args[0]), where).toBe(true);
        for (const initials of args[0] as unknown[]) expect(initials, where).toMatch(INITIALS_PATTERN);
        playerLists.push(args[0]);
        break;
      case "message":
        // The board's chat bot welcomes the watcher and says who joined and left.
        expect(args[0], where).toEqual({
          user: expect.any(String),
          text: expect.any(String),
          time: expect.any(Number),
          colour: expect.any(String),
          bot: true,
        });
        break;
      default:
        others.push(event);
    }
  }
  return { live, relayed, playerLists, others, clearCircles, clearDisplay };
}

const ids = (circles: { id: string }[]) => circles.map((c) => c.id).sort();

/** A valid circle from `sender`, seen by `watcher`: traffic still flows, and everything before it has arrived. */
async function sentinel(sender: TestClient, watcher: TestClient): Promise<Circle> {
  const reply = await ask(sender, "add-circle", [{ initials: "OK", x: 1, y: 2, dia: 3, rgba: "#abc" }]);
  expect(reply).toMatchObject({ kind: "answer", value: { ok: true } });
  const circle = (reply as { value: { circle: Circle } }).value.circle;
  await vi.waitFor(() => expect(watcher.received.some((e) => e.event === "add-circle" && (e.args[0] as Circle).id === circle.id)).toBe(true), {
    timeout: ACK_TIMEOUT,
    interval: 2,
  });
  return circle;
}

function expectUnpolluted(): void {
  expect(Object.keys(Object.prototype)).toEqual([]);
  expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
}

let boardCounter = 0;
const freshBoard = (prefix: string) => `${prefix}${++boardCounter}`;

/** The server is up and serving: health (once it exists), a read, and a write that round-trips. */
async function expectServing(server: TestServer): Promise<void> {
  const health = await rawRequest(server.url, { method: "GET", path: "/healthz" });
  if (health.status !== 404) expect(health.status).toBe(200);
  const read = await rawRequest(server.url, { method: "GET", path: "/api/boards/default" });
  expect(read.status).toBe(200);
  expect(JSON.parse(read.body)).toMatchObject({ board: "default" });
  const board = freshBoard("alive");
  const watcher = await server.client({ board });
  const sender = await server.client({ board });
  await sentinel(sender, watcher);
  sender.disconnect();
  watcher.disconnect();
  await expectNoOneLeft(server);
}

// ---------------------------------------------------------------------------

let fuzzServer: TestServer;
let store: RecordingStore;

beforeAll(async () => {
  fuzzServer = await startTestServer({
    wrapStore: (sqlite) => (store = new RecordingStore(sqlite)),
    config: { rateLimit: HIGH_RATE },
  });
});
afterAll(async () => {
  await fuzzServer?.close();
});

describe("socket events", () => {
  it("answers every event, relays and stores exactly the valid circles it acknowledged", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(socketOp, { minLength: 1, maxLength: 25, size: "medium" }), async (ops) => {
        const board = freshBoard("s");
        store.written.clear();
        const watcher = await fuzzServer.client({ board });
        // On another board: must hear nothing of this one.
        const elsewhere = await fuzzServer.client({ board: freshBoard("o") });
        let attacker = await fuzzServer.client({ board });
        const attackers = [attacker, elsewhere];
        // The model: what the board and the player list must be after the run.
        let ackedSinceClear = new Map<string, Circle>();
        let unackedValidSinceClear = 0;
        let clears = 0;
        let registered: string | undefined;
        const strayAnswers: unknown[] = [];

        try {
          const reconnect = async () => {
            attacker = await fuzzServer.client({ board });
            attackers.push(attacker);
            registered = undefined;
          };
          for (const [index, op] of ops.entries()) {
            const where = `op #${index} ${op.event}`;
            const loose = attacker as unknown as Socket;
            const bytes = frameBytes(op.event, op.args);
            const payloadOnWire = op.args.length > 0 ? wire(op.args[0]) : undefined;
            const known = KNOWN_EVENTS.includes(op.event);

            if (bytes > LIMIT) {
              // Refused by the transport before parsing: this connection goes, nothing else does.
              loose.emit(op.event, ...op.args);
              expect(await waitForDisconnect(attacker), `${where}: ${bytes} bytes, still connected`).toBe(true);
              await reconnect();
              continue;
            }
            // With an ack, the frame also carries the ack id: near the limit, either outcome is right.
            const nearLimit = bytes + ACK_ID_SLACK > LIMIT;
            const withAck = op.ack || nearLimit;

            if (!withAck) {
              loose.emit(op.event, ...op.args);
              if (op.event === "add-circle" && parseCircleInput(payloadOnWire).ok) unackedValidSinceClear++;
              if (op.event === "register-player") {
                const initials = parseInitials(payloadOnWire);
                if (initials.ok) registered = initials.value;
              }
              if (op.event === "clear-circles" || op.event === "clear-display") {
                ackedSinceClear = new Map();
                unackedValidSinceClear = 0;
                clears++;
              }
              // A barrier: a refused registration changes nothing, and its answer means the
              // server has handled everything this socket sent before it.
              const barrier = await ask(attacker, "register-player", [0]);
              expect(barrier, `barrier after ${where}`).toMatchObject({ kind: "answer", value: { ok: false } });
              continue;
            }

            if (!known) {
              // No handler: an answer is not required, but any answer must be a refusal.
              if (nearLimit) {
                const reply = await ask(attacker, op.event, op.args, 500);
                if (reply.kind === "dropped") await reconnect();
                else if (reply.kind === "answer") strayAnswers.push(reply.value);
              } else {
                void ask(attacker, op.event, op.args, 500).then((reply) => {
                  if (reply.kind === "answer") strayAnswers.push(reply.value);
                });
                const barrier = await ask(attacker, "register-player", [0]);
                expect(barrier, `barrier after ${where}`).toMatchObject({ kind: "answer", value: { ok: false } });
              }
              continue;
            }

            const reply = await ask(attacker, op.event, op.args);
            if (reply.kind === "dropped" && nearLimit) {
              await reconnect();
              continue;
            }
            expect(reply.kind, `${where}: ${bytes} bytes`).toBe("answer");
            const answer = (reply as { value: unknown }).value;

            if (op.event === "add-circle") {
              const input = parseCircleInput(payloadOnWire);
              if (input.ok) {
                expect(answer, where).toMatchObject({ ok: true });
                const circle = expectServerCircle((answer as { circle: unknown }).circle, where);
                expect(circle, where).toMatchObject({ x: input.value.x, y: input.value.y, dia: input.value.dia, rgba: input.value.rgba });
                expect(circle.initials, where).toBe(registered ?? input.value.initials);
                ackedSinceClear.set(circle.id, circle);
              } else {
                expect(expectRefusal(answer, where), where).toBe(input.error);
              }
            } else if (op.event === "register-player") {
              const initials = parseInitials(payloadOnWire);
              if (initials.ok) {
                expect(answer, where).toMatchObject({ ok: true, initials: initials.value });
                registered = initials.value;
              } else {
                expect(expectRefusal(answer, where), where).toBe(initials.error);
              }
            } else if (op.event === "sync-board") {
              const since = parseSeq(payloadOnWire);
              if (since.ok) expect(answer, where).toEqual(expect.objectContaining({ ok: true }));
              else expect(expectRefusal(answer, where), where).toBe(since.error);
            } else {
              expect(answer, where).toEqual({ ok: true, seq: expect.any(Number) });
              ackedSinceClear = new Map();
              unackedValidSinceClear = 0;
              clears++;
            }
          }

          // Player lists go out with the fan-out's next tick: let it pass before the sentinel.
          await new Promise((resolve) => setTimeout(resolve, 2 * TICK_MS));
          const last = await sentinel(attacker, watcher);
          ackedSinceClear.set(last.id, last);

          // Relayed: only valid circles, every acknowledged one, each exactly as acknowledged.
          const seen = replay(watcher);
          expect(seen.others, "events the watcher should never get").toEqual([]);
          for (const [id, circle] of ackedSinceClear) expect(seen.live.get(id), `relayed ${id}`).toEqual(circle);
          expect(seen.clearCircles).toBe(clears);
          expect(seen.clearDisplay).toBe(clears);

          // Stored: what was relayed, i.e. the acknowledged circles plus the valid ones sent without an ack.
          const stored = await fuzzServer.storedCircles(board);
          stored.forEach((c, i) => expectServerCircle(c, `stored #${i}`));
          expect(ids(stored)).toEqual(ids([...seen.live.values()]));
          expect(stored.length).toBe(ackedSinceClear.size + unackedValidSinceClear);
          for (const id of ackedSinceClear.keys())
            expect(
              stored.some((c) => c.id === id),
              `stored ${id}`,
            ).toBe(true);
          expect([...store.written]).toEqual([board]);

          const rest = await rawRequest(fuzzServer.url, { method: "GET", path: `/api/boards/${board}` });
          const body = JSON.parse(rest.body) as { circles: Circle[]; players: string[] };
          expect(ids(body.circles)).toEqual(ids(stored));

          // Players: only the attacker's last valid initials, everywhere.
          const players = registered === undefined ? [] : [registered];
          expect(fuzzServer.presence.players(board)).toEqual(players);
          expect(body.players).toEqual(players);
          expect(seen.playerLists.at(-1)).toEqual(players);

          for (const answer of strayAnswers) expectRefusal(answer, "answer to an unknown event");
          // Anything leaked to another board was sent before this answer.
          expect(await ask(elsewhere, "register-player", [0])).toMatchObject({ kind: "answer" });
          // Nothing from the fuzzed board: only its own board, players and its bot's welcome.
          expect(elsewhere.received.map((e) => e.event)).toEqual(["board-snapshot", "update-player-list", "message"]);
          expect(elsewhere.received[2]?.args[0]).toMatchObject({ bot: true, text: expect.stringContaining("Welcome") });
          expect(watcher.connected).toBe(true);
          expectUnpolluted();
        } finally {
          watcher.disconnect();
          for (const socket of attackers) socket.disconnect();
        }
        await expectNoOneLeft(fuzzServer);
      }),
      fcOptions(150),
    );
    await expectServing(fuzzServer);
  }, 60_000);

  it("survives raw and malformed protocol frames, storing only what it relayed", async () => {
    const socketIoFrame = fc.oneof(
      fc.string({ unit: "binary", maxLength: 120 }),
      fc.constantFrom(
        "0",
        "1",
        "2",
        "3",
        "4",
        "5",
        "6",
        "9",
        "2{",
        "2[]",
        "2[1]",
        "2[null]",
        '2["disconnect"]',
        '2["disconnecting"]',
        '2["newListener","x"]',
        '2["error"]',
        '2["error",{"message":"x"}]',
        '2/x,["a"]',
        "0/admin,",
        '2-1["add-circle"]',
        '21e3["add-circle"]',
        '51-["add-circle",{"_placeholder":true,"num":0}]',
        '399["x"]',
        '2["add-circle"',
        "2\u0000",
      ),
      fc
        .tuple(fc.constantFrom("2", "21", "2999999999999999999999", "3", "31", "6", "0"), fc.jsonValue({ maxDepth: 3 }))
        .map(([type, value]) => `${type}${JSON.stringify(value)}`),
      fc.tuple(fc.constantFrom(...KNOWN_EVENTS, "x"), payload).map(([event, value]) => `2${JSON.stringify([event, value]) ?? ""}`),
    );
    const engineIoFrame = fc.oneof(
      fc.constantFrom("", "0", "1", "2", "3", "5", "6", "7", "9", "2probe", "4", "b4AAAA", "\u0000"),
      fc.string({ maxLength: 60 }),
    );
    const frame = fc.oneof(
      { weight: 4, arbitrary: socketIoFrame.map((text) => ({ layer: "socket.io" as const, text })) },
      { weight: 1, arbitrary: engineIoFrame.map((text) => ({ layer: "engine.io" as const, text })) },
    );

    await fc.assert(
      fc.asyncProperty(fc.array(frame, { minLength: 1, maxLength: 8 }), async (frames) => {
        const board = freshBoard("raw");
        store.written.clear();
        const watcher = await fuzzServer.client({ board });
        const attackers: TestClient[] = [];
        try {
          for (const { layer, text } of frames) {
            const attacker = await fuzzServer.client({ board });
            attackers.push(attacker);
            if (layer === "socket.io") {
              attacker.io.engine.write(text);
            } else {
              const transport = attacker.io.engine.transport as unknown as { ws?: { send(data: string): void } };
              transport.ws?.send(text);
            }
            // Whatever the frame did to that connection, an ordinary client on the board is unaffected.
            const probe = await fuzzServer.client({ board });
            attackers.push(probe);
            await sentinel(probe, watcher);
          }

          const seen = replay(watcher);
          expect(seen.others).toEqual([]);
          const stored = await fuzzServer.storedCircles(board);
          stored.forEach((c, i) => expectServerCircle(c, `stored #${i}`));
          expect(ids(stored)).toEqual(ids([...seen.live.values()]));
          expect([...store.written].every((b) => b === board)).toBe(true);
          expect(watcher.connected).toBe(true);
          expectUnpolluted();
        } finally {
          watcher.disconnect();
          for (const socket of attackers) socket.disconnect();
        }
        await expectNoOneLeft(fuzzServer);
      }),
      fcOptions(40),
    );
    await expectServing(fuzzServer);
  }, 60_000);

  it("connects exactly the handshakes that name a valid board", async () => {
    const name = fc
      .oneof(
        fc.stringMatching(BOARD_NAME_PATTERN),
        fc.string({ unit: "binary", maxLength: 50 }),
        fc.constantFrom(
          "",
          "..",
          "../default",
          "%2e%2e",
          "DEFAULT",
          "__proto__",
          "constructor",
          "default\n",
          "a".repeat(41),
          "<b>",
          "a b",
          "default/../x",
          "ü",
          "-",
          "_",
          "null",
        ),
      )
      .filter((n) => {
        try {
          encodeURIComponent(n);
          return true;
        } catch {
          return false; // a lone surrogate: the client cannot even send it
        }
      });

    await fc.assert(
      fc.asyncProperty(name, async (board) => {
        const socket = connect(fuzzServer.url, { transports: ["websocket"], forceNew: true, reconnection: false, query: { board } });
        try {
          const outcome = await new Promise<{ ok: true; snapshot: { board: string } } | { ok: false; message: string }>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`no snapshot and no refusal for ${JSON.stringify(board)}`)), ACK_TIMEOUT);
            socket.once("board-snapshot", (snapshot: { board: string }) => {
              clearTimeout(timer);
              resolve({ ok: true, snapshot });
            });
            socket.once("connect_error", (error: Error) => {
              clearTimeout(timer);
              resolve({ ok: false, message: error.message });
            });
          });
          const named = parseBoardName(board);
          if (named.ok) {
            // Names are case-insensitive: the board joined is the name in lowercase.
            expect(outcome).toEqual({ ok: true, snapshot: { board: named.value, seq: expect.any(Number), circles: expect.any(Array) } });
          } else {
            expect(outcome).toEqual({ ok: false, message: expect.stringMatching(/board name/) });
          }
        } finally {
          socket.disconnect();
        }
        await expectNoOneLeft(fuzzServer);
      }),
      fcOptions(60),
    );
  }, 30_000);
});

// ---------------------------------------------------------------------------
// REST

type BoardRef = { kind: "pool"; index: 0 | 1; encode: boolean[] } | { kind: "junk"; raw: string };

interface RestOp {
  method: string;
  board: BoardRef;
  /** After the board segment: which route, if any, the request is aimed at. */
  suffix: string;
  contentType: string | undefined;
  body: string | undefined;
  /** `Origin` header; "SAME" stands for the server's own origin. */
  origin: string | undefined;
}

const JUNK_SEGMENTS = [
  "..",
  ".",
  "%2e%2e",
  "%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
  "..%2F..%2Fetc%2Fpasswd",
  "%2F",
  "a%00b",
  "%ZZ",
  "%",
  "%E0%A4%A",
  "%C0%AF",
  "UPPER",
  "Default",
  "x".repeat(41),
  "x".repeat(5000),
  "%41".repeat(2000),
  "__proto__",
  "constructor",
  "prototype",
  "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
  "<b>",
  "a;b",
  "a\\b",
  "a%20b",
  "%F0%9F%98%80",
  "NaN",
  "null",
  "-1",
  "1e9",
  "*",
  "'",
];

/** Encodes what Node cannot send raw, and what would change the path's structure. */
const sendable = (segment: string) =>
  [...segment].map((ch) => (/^[\x21-\x7e]$/.test(ch) && !"/?#".includes(ch) ? ch : encodeURIComponent(ch))).join("");

const boardRef: fc.Arbitrary<BoardRef> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({ kind: fc.constant("pool" as const), index: fc.constantFrom(0 as const, 1 as const), encode: fc.constant<boolean[]>([]) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("pool" as const),
      index: fc.constantFrom(0 as const, 1 as const),
      encode: fc.array(fc.boolean(), { maxLength: 12 }),
    }),
  },
  { weight: 2, arbitrary: fc.constantFrom(...JUNK_SEGMENTS).map((raw) => ({ kind: "junk" as const, raw })) },
  { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 45 }).map((raw) => ({ kind: "junk" as const, raw: sendable(raw) })) },
);

const bodyText: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  { weight: 4, arbitrary: validCircle.map((c) => JSON.stringify(c)) },
  { weight: 3, arbitrary: nearValidCircle.map((c) => JSON.stringify(c) ?? "") },
  { weight: 1, arbitrary: fc.anything().map((v) => JSON.stringify(v) ?? "") },
  { weight: 1, arbitrary: hostileValue.map((v) => JSON.stringify(v) ?? "") },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      "",
      " ",
      "{not json",
      "{",
      "[1,",
      "'single'",
      "NaN",
      "Infinity",
      "undefined",
      '{"a":1}}',
      "\u0000",
      '{"initials":"AB",}',
      '{"initials":"AB","x":1e400,"y":1,"dia":1,"rgba":"#fff"}',
      "1e999999",
      "-0",
      "[]",
      "null",
      "true",
      '"AB"',
      `{${POLLUTION_KEYS}}`,
      `{${POLLUTION_KEYS},"initials":"AB","x":1,"y":1,"dia":1,"rgba":"#fff"}`,
      "[".repeat(2000) + "]".repeat(2000),
      '{"a":'.repeat(600) + "1" + "}".repeat(600),
    ),
  },
  // Either side of the body limit, by a little and by a lot.
  {
    weight: 1,
    arbitrary: fc.tuple(validCircle, fc.integer({ min: LIMIT - 200, max: LIMIT + 200 })).map(([c, size]) => {
      const base = JSON.stringify({ ...c, rgba: "" });
      return JSON.stringify({ ...c, rgba: "x".repeat(Math.max(0, size - Buffer.byteLength(base))) });
    }),
  },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 100 }) },
);

const restOp: fc.Arbitrary<RestOp> = fc.record({
  method: fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom("GET", "POST", "DELETE") },
    { weight: 1, arbitrary: fc.constantFrom("PUT", "PATCH", "OPTIONS", "HEAD", "PROPFIND", "TRACE", "SEARCH") },
  ),
  board: boardRef,
  suffix: fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom("", "/circles") },
    { weight: 1, arbitrary: fc.constantFrom("/", "/circles/", "/CIRCLES", "/circles/extra", "/squares", "//circles", "/circles?x=1") },
  ),
  contentType: fc.oneof(
    { weight: 5, arbitrary: fc.constant("application/json") },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        undefined,
        "application/json; charset=utf-8",
        "application/json; charset=latin1",
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/vnd.api+json",
      ),
    },
  ),
  body: bodyText,
  origin: fc.oneof(
    { weight: 10, arbitrary: fc.constant(undefined) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        "SAME",
        "http://evil.example",
        "null",
        "https://127.0.0.1.evil.example",
        "not a url",
        "file://",
        "http://127.0.0.1:1",
        "javascript:alert(1)",
      ),
    },
  ),
});

const ODD_API_PATHS = [
  "/api",
  "/api/",
  "/api/boards",
  "/api/boards/",
  "/api//boards/b",
  "/api/board/b",
  "/api/boards/b/circles/x/y",
  "/api/%ZZ",
  "/api/boards/b/circles/%ZZ",
  "/api/../api/boards/b",
  "/api/boards/b/../../circles",
];
const ODD_PAGE_PATHS = [
  "/",
  "/b/ok",
  "/b/",
  "/b/%ZZ",
  "/b/..%2F..",
  "/b/UPPER",
  "/../../etc/passwd",
  "/%2e%2e/%2e%2e/etc/passwd",
  "/style.css",
  "/style.css/..",
  "/nope",
  "/%00",
  "/socket.io/?EIO=9",
  "/socket.io/?EIO=4&transport=polling&sid=nope",
  "/favicon.svg",
];

/** What express.json makes of the body: `ok: false` means it answers 4xx on its own. */
function bodyAsServerSeesIt(contentType: string | undefined, body: string | undefined): { ok: boolean; value?: unknown } {
  if (body === undefined) return { ok: true, value: undefined };
  const [type, ...params] = (contentType ?? "").split(";").map((part) => part.trim().toLowerCase());
  if (type !== "application/json") return { ok: true, value: undefined };
  const charset = params.find((p) => p.startsWith("charset="))?.slice("charset=".length);
  if (charset !== undefined && !charset.startsWith("utf-")) return { ok: false };
  if (Buffer.byteLength(body) > LIMIT) return { ok: false };
  // Decoding as UTF-8 turns lone surrogates into U+FFFD and drops a leading byte order mark.
  const text = Buffer.from(body)
    .toString()
    .replace(/^\ufeff/, "");
  if (text.length === 0) return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/** The board a path segment names, as the server will name it (lowercase), when it names one. */
function boardOf(segment: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    return undefined;
  }
  const board = parseBoardName(decoded);
  return board.ok ? board.value : undefined;
}

function expectJsonError(response: RawResponse, where: string): void {
  expect(response.headers["content-type"], where).toMatch(/^application\/json/);
  const body = JSON.parse(response.body) as unknown;
  expect(body, where).toEqual({ error: expect.any(String), code: expect.any(String) });
  const { error } = body as { error: string };
  expect(error.length, where).toBeGreaterThan(0);
  // The client's mistake is not the server's failure.
  if (response.status < 500) expect(error, where).not.toBe("internal error");
}

describe("REST API", () => {
  it("answers every request below 500, succeeds exactly for valid ones, and stores only what it created", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(restOp, { minLength: 1, maxLength: 20, size: "medium" }),
        fc.array(fc.tuple(fc.constantFrom(...ODD_API_PATHS, ...ODD_PAGE_PATHS), fc.constantFrom("GET", "POST", "DELETE", "PUT", "HEAD")), {
          maxLength: 3,
        }),
        async (ops, oddRequests) => {
          const pool = [freshBoard("h"), freshBoard("h")] as const;
          // Junk that happens to be a valid name ("constructor", "null", "a") is shared by
          // every run on this server: start it empty, as the model does.
          for (const op of ops) {
            const name = op.board.kind === "junk" ? boardOf(op.board.raw) : undefined;
            if (name !== undefined) await fuzzServer.boards.clear(name, { key: "fuzz-reset" });
          }
          store.written.clear();
          const watcher = await fuzzServer.client({ board: pool[0] });
          const model = new Map<string, Set<string>>();
          const modelOf = (board: string) => model.get(board) ?? model.set(board, new Set()).get(board)!;
          let clearsOnWatched = 0;

          try {
            for (const [index, op] of ops.entries()) {
              const segment =
                op.board.kind === "junk"
                  ? op.board.raw
                  : [...pool[op.board.index]]
                      .map((ch, i) => (op.board.kind === "pool" && op.board.encode[i] ? `%${ch.charCodeAt(0).toString(16)}` : ch))
                      .join("");
              const path = `/api/boards/${segment}${op.suffix}`;
              const withBody = op.method !== "HEAD" && op.method !== "TRACE" ? op.body : undefined;
              const headers: Record<string, string> = op.contentType === undefined ? {} : { "content-type": op.contentType };
              if (op.origin !== undefined) headers["origin"] = op.origin === "SAME" ? new URL(fuzzServer.url).origin : op.origin;
              const where = `op #${index} ${op.method} ${path.slice(0, 120)} [${op.contentType}, origin ${op.origin}] ${withBody?.slice(0, 120)}`;

              const response = await rawRequest(fuzzServer.url, {
                method: op.method,
                path,
                headers,
                ...(withBody === undefined ? {} : { body: withBody }),
              });

              // The model: does this request deserve to succeed?
              const route =
                segment === ""
                  ? undefined
                  : (
                      { "": "board", "/": "board", "/circles": "circles", "/circles/": "circles", "/circles?x=1": "circles" } as Record<
                        string,
                        string
                      >
                    )[op.suffix.toLowerCase()];
              const methods = route === "board" ? ["GET", "HEAD"] : route === "circles" ? ["GET", "HEAD", "POST", "DELETE"] : [];
              const board = boardOf(segment);
              const boardOk = board !== undefined;
              const body = bodyAsServerSeesIt(op.contentType, withBody);
              const circle = parseCircleInput(body.value);
              const succeeds = methods.includes(op.method) && boardOk && body.ok && (op.method !== "POST" || circle.ok);

              expect(response.status, where).toBeLessThan(500);
              if (op.origin !== undefined && op.origin !== "SAME") {
                // Another site's page: refused before anything else is looked at.
                expect(response.status, where).toBe(403);
                if (op.method !== "HEAD") expectJsonError(response, where);
                continue;
              }
              if (op.method === "OPTIONS") {
                // A CORS preflight, answered for any API path, or a refusal.
                if (response.status !== 204) expectJsonError(response, where);
                continue;
              }
              if (!succeeds) {
                expect(response.status, where).toBeGreaterThanOrEqual(400);
                if (op.method !== "HEAD") expectJsonError(response, where);
                continue;
              }
              const expected = { GET: 200, HEAD: 200, POST: 201, DELETE: 204 }[op.method as "GET"];
              expect(response.status, `${where}: ${response.body}`).toBe(expected);
              if (op.method === "HEAD") continue;
              if (op.method === "DELETE") {
                modelOf(board!).clear();
                if (board === pool[0]) clearsOnWatched++;
                continue;
              }
              const json = JSON.parse(response.body) as unknown;
              if (op.method === "POST") {
                const created = expectServerCircle(storedOverRest(response.body, where), where);
                expect(created).toMatchObject(circle.ok ? circle.value : {});
                expect(response.headers["location"]).toBe(`/api/boards/${board}/circles`);
                modelOf(board!).add(created.id);
              } else {
                const circles = route === "board" ? (json as { board: string; circles: unknown[]; players: unknown[] }).circles : (json as unknown[]);
                if (route === "board") expect(json).toMatchObject({ board, players: [] });
                expect(Array.isArray(circles), where).toBe(true);
                const valid = circles.map((c, i) => expectServerCircle(c, `${where} circle #${i}`));
                expect(ids(valid), where).toEqual([...modelOf(board!)].sort());
              }
            }

            for (const [path, method] of oddRequests) {
              const response = await rawRequest(fuzzServer.url, { method, path });
              const where = `${method} ${path}`;
              expect(response.status, where).toBeLessThan(500);
              if (path.startsWith("/api")) {
                expect(response.status, where).toBeGreaterThanOrEqual(400);
                if (method !== "HEAD") expectJsonError(response, where);
              }
            }

            // Everything written anywhere is what the model created; the watched board relayed exactly that.
            await sentinelViaRest(pool[0], watcher, modelOf(pool[0]));
            for (const board of new Set([...store.written, ...model.keys()])) {
              const stored = await fuzzServer.storedCircles(board);
              stored.forEach((c, i) => expectServerCircle(c, `${board} stored #${i}`));
              expect(ids(stored), `stored on ${board}`).toEqual([...modelOf(board)].sort());
            }
            const seen = replay(watcher);
            expect(seen.others).toEqual([]);
            expect(ids([...seen.live.values()])).toEqual([...modelOf(pool[0])].sort());
            expect(seen.clearCircles).toBe(clearsOnWatched);
            expectUnpolluted();
          } finally {
            watcher.disconnect();
          }
          await expectNoOneLeft(fuzzServer);
        },
      ),
      fcOptions(150),
    );
    await expectServing(fuzzServer);
  }, 60_000);
});

/** A valid POST on `board`, seen live by `watcher`: the REST write path still works and relays. */
async function sentinelViaRest(board: string, watcher: TestClient, model: Set<string>): Promise<void> {
  const response = await rawRequest(fuzzServer.url, {
    method: "POST",
    path: `/api/boards/${board}/circles`,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ initials: "OK", x: 1, y: 2, dia: 3, rgba: "#abc" }),
  });
  expect(response.status).toBe(201);
  const { id } = JSON.parse(response.body) as Circle;
  model.add(id);
  await vi.waitFor(() => expect(watcher.received.some((e) => e.event === "add-circle" && (e.args[0] as Circle).id === id)).toBe(true), {
    timeout: ACK_TIMEOUT,
    interval: 2,
  });
}

// ---------------------------------------------------------------------------
// Rate limit

describe("rate limit", () => {
  let limited: TestServer;
  beforeAll(async () => {
    limited = await startTestServer({ config: { rateLimit: LOW_RATE } });
  });
  afterAll(async () => {
    await limited?.close();
  });

  type LimitedOp =
    { kind: "add"; payload: unknown } | { kind: "clear" } | { kind: "register"; initials: string } | { kind: "rest"; payload: unknown };
  const limitedOp: fc.Arbitrary<LimitedOp> = fc.oneof(
    { weight: 8, arbitrary: validCircle.map((payload) => ({ kind: "add" as const, payload })) },
    {
      weight: 3,
      arbitrary: nearValidCircle
        .filter((payload) => frameBytes("add-circle", [payload]) + ACK_ID_SLACK <= LIMIT)
        .map((payload) => ({ kind: "add" as const, payload })),
    },
    { weight: 1, arbitrary: fc.constant({ kind: "clear" as const }) },
    { weight: 1, arbitrary: fc.stringMatching(/^[A-Z]{2}$/).map((initials) => ({ kind: "register" as const, initials })) },
    { weight: 1, arbitrary: validCircle.map((payload) => ({ kind: "rest" as const, payload })) },
  );

  it("answers writes past the limit with {ok:false, error:'rate limited'} and never relays or stores them", async () => {
    await fc.assert(
      // At most 2 × burst socket events per connection and second: past that the flood guard
      // answers instead of the write limit (next test).
      fc.asyncProperty(fc.array(limitedOp, { minLength: 12, maxLength: 2 * LOW_RATE.burst - 2, size: "medium" }), async (ops) => {
        const board = freshBoard("rl");
        const watcher = await limited.client({ board });
        const attacker = await limited.client({ board });
        let model = new Set<string>();
        let clears = 0;
        const socketWrites: boolean[] = []; // accepted or not, in order
        const started = Date.now();
        try {
          for (const [index, op] of ops.entries()) {
            const where = `op #${index} ${op.kind}`;
            if (op.kind === "rest") {
              // REST writers share one allowance per address, across runs: either outcome, never a mix.
              const response = await rawRequest(limited.url, {
                method: "POST",
                path: `/api/boards/${board}/circles`,
                headers: { "content-type": "application/json" },
                body: JSON.stringify(op.payload),
              });
              expect([201, 429], where).toContain(response.status);
              if (response.status === 201) model.add(expectServerCircle(storedOverRest(response.body, where), where).id);
              else expect(JSON.parse(response.body), where).toEqual({ error: "rate limited", code: "rate-limited" });
              continue;
            }
            const event = op.kind === "add" ? "add-circle" : op.kind === "clear" ? "clear-circles" : "register-player";
            const args = op.kind === "add" ? [op.payload] : op.kind === "register" ? [op.initials] : [];
            const reply = await ask(attacker, event, args);
            expect(reply.kind, where).toBe("answer");
            const answer = (reply as { value: { ok: boolean; error?: string; circle?: Circle } }).value;

            if (op.kind === "register") {
              // A registration takes from the same allowance as a write, and stores nothing.
              expect(answer, where).toEqual(
                answer.ok
                  ? { ok: true, initials: op.initials, id: expect.any(String), colour: expect.any(String) }
                  : { ok: false, error: "rate limited", code: "rate-limited" },
              );
              socketWrites.push(answer.ok);
            } else if (op.kind === "add" && !parseCircleInput(wire(op.payload)).ok) {
              // Refused on its merits before the limit is consulted: costs nothing.
              expect(expectRefusal(answer, where)).not.toBe("rate limited");
            } else {
              if (answer.ok) {
                if (op.kind === "add") model.add(expectServerCircle(answer.circle, where).id);
                else {
                  expect(answer, where).toEqual({ ok: true, seq: expect.any(Number) });
                  model = new Set();
                  clears++;
                }
              } else {
                expect(answer, where).toEqual({ ok: false, error: "rate limited", code: "rate-limited" });
              }
              socketWrites.push(answer.ok);
            }
          }
          const elapsedSeconds = (Date.now() - started) / 1000;

          // The burst is honoured, and no more than the limit allows gets through.
          const accepted = socketWrites.filter(Boolean).length;
          expect(socketWrites.slice(0, LOW_RATE.burst)).toEqual(socketWrites.slice(0, LOW_RATE.burst).map(() => true));
          const allowance =
            LOW_RATE.perSecond * (Math.floor(elapsedSeconds) + 1) + (LOW_RATE.burst - LOW_RATE.perSecond) * (Math.floor(elapsedSeconds / 10) + 1);
          expect(accepted).toBeLessThanOrEqual(allowance);

          // Relays are written to the watcher before the writer is answered, so the answer to
          // anything the watcher asks now comes after all of them.
          expect(await ask(watcher, "register-player", [0])).toMatchObject({ kind: "answer" });
          const seen = replay(watcher);
          expect(ids([...seen.live.values()])).toEqual([...model].sort());
          expect(seen.clearCircles).toBe(clears);
          expect(ids(await limited.storedCircles(board))).toEqual([...model].sort());
          expect(attacker.connected).toBe(true);
        } finally {
          watcher.disconnect();
          attacker.disconnect();
        }
        await expectNoOneLeft(limited);
      }),
      fcOptions(50),
    );
  }, 60_000);
});

describe("flood guard", () => {
  type FloodEvent =
    { event: "add-circle"; payload: unknown } | { event: "register-player"; payload: string } | { event: "nonsense"; payload: unknown };
  const floodEvent: fc.Arbitrary<FloodEvent> = fc.oneof(
    { weight: 6, arbitrary: validCircle.map((payload) => ({ event: "add-circle" as const, payload })) },
    {
      weight: 2,
      arbitrary: nearValidCircle
        .filter((p) => frameBytes("add-circle", [p]) + ACK_ID_SLACK <= LIMIT)
        .map((payload) => ({ event: "add-circle" as const, payload })),
    },
    { weight: 2, arbitrary: fc.stringMatching(/^[A-Z]{2}$/).map((payload) => ({ event: "register-player" as const, payload })) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((payload) => ({ event: "nonsense" as const, payload })) },
  );
  // The guard's budget per connection and second, and the overflow after which it cuts off (server.ts).
  const BUDGET = 2 * LOW_RATE.burst;
  const CUT_OFF = BUDGET + 2 * LOW_RATE.burst;

  it("answers events past the budget 'rate limited', cuts off a flood, and bystanders carry on", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(floodEvent, { minLength: BUDGET - 5, maxLength: CUT_OFF + 20, size: "medium" }), async (events) => {
        // A server of its own each run: a cut-off puts 127.0.0.1 on probation there for 30 s.
        const server = await startTestServer({ config: { rateLimit: LOW_RATE } });
        try {
          const board = freshBoard("flood");
          const bystander = await server.client({ board });
          const flooder = await server.client({ board });
          // All sent at once, well inside the connection's first second; answers awaited afterwards.
          // Events without a handler go without an ack: nothing would answer it.
          const replies = await Promise.all(
            events.map(({ event, payload }): Promise<Reply | undefined> => {
              if (event !== "nonsense") return ask(flooder, event, [payload]);
              (flooder as unknown as Socket).emit(event, payload);
              return Promise.resolve(undefined);
            }),
          );

          const cutOff = events.length > CUT_OFF;
          let writesHandled = 0;
          const accepted: string[] = [];
          // Writes whose answer a cut-off swallowed: stored or not, the client cannot know.
          let unknownWrites = 0;
          for (const [index, reply] of replies.entries()) {
            const { event, payload } = events[index]!;
            const where = `event #${index} ${event}`;
            if (reply === undefined) continue; // sent without an ack
            // Registrations take from the same allowance as circles.
            const validWrite = index < BUDGET && (event === "register-player" || (event === "add-circle" && parseCircleInput(wire(payload)).ok));
            if (reply.kind === "dropped") {
              // Only a cut-off loses answers: from the event that caused it on, and any still in flight.
              expect(cutOff, where).toBe(true);
              if (validWrite && writesHandled++ < LOW_RATE.burst && event === "add-circle") unknownWrites++;
              continue;
            }
            expect(index, `${where}: answered after the cut-off`).toBeLessThan(CUT_OFF);
            expect(reply.kind, where).toBe("answer");
            const answer = (reply as { value: { ok: boolean; circle?: Circle } }).value;
            if (index >= BUDGET) {
              // Over budget: refused unread, whatever it was.
              expect(answer, where).toEqual({ ok: false, error: "rate limited", code: "rate-limited" });
            } else if (!validWrite) {
              expect(expectRefusal(answer, where), where).not.toBe("rate limited");
            } else if (writesHandled++ >= LOW_RATE.burst) {
              expect(answer, where).toEqual({ ok: false, error: "rate limited", code: "rate-limited" });
            } else if (event === "register-player") {
              expect(answer, where).toMatchObject({ ok: true, initials: payload });
            } else {
              expect(answer, where).toMatchObject({ ok: true });
              accepted.push(expectServerCircle(answer.circle, where).id);
            }
          }

          if (cutOff) {
            expect(flooder.connected).toBe(false);
            // Its address gets in again, on probation: served, but with nothing banked, so a burst
            // well within a fresh connection's budget is more than it may have waiting.
            const again = await server.client({ board });
            expect(await ask(again, "register-player", ["ZZ"])).toEqual({
              kind: "answer",
              value: { ok: true, initials: "ZZ", id: expect.any(String), colour: expect.any(String) },
            });
            const burst = await Promise.all(Array.from({ length: (BUDGET + CUT_OFF) / 2 }, () => ask(again, "register-player", ["ZZ"])));
            expect(burst.at(-1)).toEqual({ kind: "dropped" });
            expect(again.connected).toBe(false);
          } else {
            expect(flooder.connected).toBe(true);
          }
          // The bystander, connected before, is untouched and was told exactly what is stored:
          // every accepted circle, and at most the writes whose answers were lost.
          const last = await sentinel(bystander, bystander);
          const seen = replay(bystander);
          const stored = ids(await server.storedCircles(board));
          expect(ids([...seen.live.values()])).toEqual(stored);
          for (const id of [...accepted, last.id]) expect(stored, id).toContain(id);
          expect(stored.length).toBeLessThanOrEqual(accepted.length + 1 + unknownWrites);
        } finally {
          await server.close();
        }
      }),
      fcOptions(25),
    );
  }, 60_000);
});

// ---------------------------------------------------------------------------
// Found while fuzzing: app.ts's error handler named every 400 "invalid JSON" and every
// other 4xx "internal error", whatever the cause. 80ca0e1 fixed the second; the first
// two tests here fail until a 400 that is not about the body stops being "invalid JSON".

describe("error messages name the actual problem", () => {
  it("does not call a malformed percent-escape in the URL 'invalid JSON'", async () => {
    const response = await rawRequest(fuzzServer.url, { method: "GET", path: "/api/boards/%ZZ" });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expectJsonError(response, "GET /api/boards/%ZZ");
    expect(JSON.parse(response.body)).not.toEqual({ error: "invalid JSON", code: "invalid" });
  });

  it("does not call an unsupported charset or content encoding an 'internal error'", async () => {
    const cases: Record<string, string>[] = [
      { "content-type": "application/json; charset=latin1" },
      { "content-type": "application/json", "content-encoding": "compress" },
    ];
    for (const headers of cases) {
      const response = await rawRequest(fuzzServer.url, { method: "POST", path: "/api/boards/b/circles", headers, body: "{}" });
      expect(response.status, JSON.stringify(headers)).toBe(415);
      expect(JSON.parse(response.body), JSON.stringify(headers)).not.toEqual({ error: "internal error", code: "internal" });
    }
  });

  it("answers a board page with a malformed name with the 404 page, like any other bad name", async () => {
    const response = await rawRequest(fuzzServer.url, { method: "GET", path: "/b/%ZZ" });
    expect(response.status).toBe(404);
    expect(response.headers["content-type"]).toMatch(/text\/html/);
  });
});
