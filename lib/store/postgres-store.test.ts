/**
 * PostgresStore against the real PostgreSQL on 127.0.0.1:5432 (trust
 * authentication), in a database of its own, dropped afterwards. Faults are
 * made with a TCP proxy of the test's own, never by stopping the server.
 */
import net from "node:net";
import path from "node:path";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  describeBoardStoreContract,
  describeGroupCommitContract,
  expectProcessExitsWithStores,
  makeBoard,
  makeCircle,
  storedBoard,
} from "../../test/store-contract.js";
import type { BoardEvent, Circle, StoredCircle } from "../protocol/events.js";
import { AlreadyAppliedError, DrawRefusedError } from "./board-store.js";
import { describeRoomStoreContract } from "../../test/room-store-contract.js";
import { describeUndoStoreContract } from "../../test/undo-store-contract.js";
import { describeOnceStoreContract, expectIdsTakenPerBoard } from "../../test/once-store-contract.js";
import { SCHEMA_VERSION } from "./postgres-schema.js";
import { PostgresStore } from "./postgres-store.js";
import { createTestDatabase, dropTestDatabases, POSTGRES_SERVER } from "../../test/support/postgres.js";
import { freePort } from "../../test/support/free-port.js";

afterAll(dropTestDatabases);

let databaseUrl: string;
beforeAll(async () => {
  databaseUrl = await createTestDatabase();
});

describeBoardStoreContract("PostgresStore", async () => ({ store: await PostgresStore.open({ databaseUrl }) }));
/** A store that can be closed and opened again on the same database. */
async function reopenable() {
  let store = await PostgresStore.open({ databaseUrl });
  return {
    store,
    async reopen() {
      await store.close();
      store = await PostgresStore.open({ databaseUrl });
      return store;
    },
  };
}

describeUndoStoreContract("PostgresStore", reopenable);
describeRoomStoreContract("PostgresStore", reopenable);
describeOnceStoreContract("PostgresStore", reopenable);
describeGroupCommitContract(
  "PostgresStore",
  async () => ({ store: await PostgresStore.open({ databaseUrl }) }),
  /PostgreSQL at .*not-null constraint/,
);

const seqs = (events: BoardEvent[]) => events.map((event) => event.seq);
const BIG = 1_000_000;
const upTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

/** What one database session sees, for checking the schema from outside the store. */
async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe("PostgresStore", () => {
  const opened: PostgresStore[] = [];
  const open = async (url = databaseUrl) => {
    const store = await PostgresStore.open({ databaseUrl: url });
    opened.push(store);
    return store;
  };

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });

  it("keeps circles and seqs across close and reopen", async () => {
    const board = makeBoard();
    const cleared = makeBoard();
    const circles = [makeCircle(), makeCircle(), makeCircle()];
    const first = await open();
    for (const circle of circles) await first.add(board, circle, 3);
    await first.add(cleared, makeCircle(), 3);
    await first.clear(cleared);
    await first.close();

    const second = await open();
    expect(await second.load(board)).toStrictEqual(storedBoard(3, circles));
    expect(await second.load(cleared)).toStrictEqual(storedBoard(2, []));
    const next = makeCircle();
    expect(await second.add(board, next, 3)).toStrictEqual([
      { seq: 4, type: "add", circle: next },
      { seq: 5, type: "remove", id: circles[0]?.id },
    ]);
  });

  it("gives two stores writing the same boards at once gapless, unique seqs", async () => {
    const [a, b] = [await open(), await open()];
    const [one, two] = [makeBoard(), makeBoard()];
    // Each store writes both boards in every batch, in opposite orders: their
    // transactions contend for both rows and must neither deadlock nor share a seq.
    // Ten calls at a time, each ten awaited before the next: thirty batches from each, interleaved.
    const writes = async (store: PostgresStore, boards: string[]) => {
      const changes: Promise<BoardEvent[]>[] = [];
      for (let i = 0; i < 300; i++) {
        const board = boards[i % 2] as string;
        changes.push(i % 25 === 24 ? store.clear(board).then((change) => [change]) : store.add(board, makeCircle(), 7));
        if (i % 10 === 9) await changes.at(-1);
      }
      return Promise.all(changes);
    };
    const [fromA, fromB] = await Promise.all([writes(a, [one, two]), writes(b, [two, one])]);
    expect(a.stats.transactions).toBeGreaterThanOrEqual(30);
    expect(b.stats.transactions).toBeGreaterThanOrEqual(30);
    for (const [board, aIndex] of [
      [one, 0],
      [two, 1],
    ] as const) {
      const onBoard = (changes: BoardEvent[][], first: number) => changes.filter((_, i) => i % 2 === first).flat();
      const seqsOfA = seqs(onBoard(fromA, aIndex));
      const seqsOfB = seqs(onBoard(fromB, 1 - aIndex));
      // Each store's own changes in its call order; together every seq exactly once.
      expect(seqsOfA).toStrictEqual([...seqsOfA].sort((x, y) => x - y));
      expect(seqsOfB).toStrictEqual([...seqsOfB].sort((x, y) => x - y));
      const all = [...seqsOfA, ...seqsOfB].sort((x, y) => x - y);
      expect(all).toStrictEqual(upTo(all.length));
      expect((await a.load(board)).seq).toBe(all.length);
      expect((await b.load(board)).circles.length).toBeLessThanOrEqual(7);
    }
  });

  it("stores a circle two servers add at once once, answering both with its seq, and takes no seq for the other", async () => {
    const [a, b] = [await open(), await open()];
    const board = makeBoard();
    for (let i = 0; i < 100; i++) {
      const circle = makeCircle();
      const once = { id: circle.id, fingerprint: `add ${circle.x}` };
      const outcomes = await Promise.allSettled([a.add(board, circle, BIG, {}, once), b.add(board, circle, BIG, {}, once)]);
      const stored = outcomes.flatMap((outcome) => (outcome.status === "fulfilled" ? [outcome.value] : []));
      const retried = outcomes.flatMap((outcome) => (outcome.status === "rejected" ? [outcome.reason as unknown] : []));
      expect(stored).toStrictEqual([[{ seq: i + 1, type: "add", circle }]]);
      expect(retried).toHaveLength(1);
      expect(retried[0]).toBeInstanceOf(AlreadyAppliedError);
      expect((retried[0] as AlreadyAppliedError).value).toStrictEqual(stored[0]);
    }
    const loaded = await a.load(board);
    expect(loaded.seq).toBe(100);
    expect(loaded.circles).toHaveLength(100);
  });

  it("answers a retried add with its own change, as first stored, though its cap dropped circles", async () => {
    const store = await open();
    const board = makeBoard();
    const [first, second] = [makeCircle(), makeCircle()];
    await store.add(board, first, 2);
    await store.add(board, second, 2);
    const circle = { ...makeCircle(), owner: "owner-a" };
    const once = { id: circle.id, fingerprint: "add" };
    const answer = await store.add(board, circle, 1, {}, once);
    expect(answer).toStrictEqual([
      { seq: 3, type: "add", circle },
      { seq: 4, type: "remove", id: first.id },
      { seq: 5, type: "remove", id: second.id },
    ]);
    const retried: unknown = await store.add(board, { ...circle, createdAt: circle.createdAt + 1 }, 1, {}, once).catch((error: unknown) => error);
    expect(retried).toBeInstanceOf(AlreadyAppliedError);
    expect((retried as AlreadyAppliedError).value).toStrictEqual(answer.slice(0, 1));
  });

  it("lets one of two servers claim a board, and undo a clear, when both try at once", async () => {
    const [a, b] = [await open(), await open()];
    const board = makeBoard();
    expect((await Promise.all([a.claim(board, "host-a"), b.claim(board, "host-b")])).sort()).toStrictEqual([false, true]);
    const host = (await a.load(board)).host?.hash;
    await a.add(board, makeCircle(), 10);
    const { seq } = await a.clear(board, { at: 1 });
    const outcomes = await Promise.all([a, b].map((store) => store.restoreCleared(board, { seq, since: 0, host, maxCircles: 10 })));
    expect(outcomes.map((outcome) => outcome.ok).sort()).toStrictEqual([false, true]);
    expect(await b.load(board)).toMatchObject({ seq: 3, circles: [{}] });
  });

  it("lets two servers remove players from one board at once, each circle once, seqs gapless", async () => {
    const [a, b] = [await open(), await open()];
    const board = makeBoard();
    const by = { host: "host-a" };
    await a.claim(board, "host-a");
    const circles = Array.from({ length: 20 }, (_, i) => ({ ...makeCircle(), owner: `owner-${i % 2}` }));
    for (const circle of circles) await a.add(board, circle, 100);
    const players = [0, 1].map((i) => ({ id: `p${i}`, initials: "AB", owner: `owner-${i}` }));
    const [fromA, fromB] = (await Promise.all([a.removePlayer(board, players[0]!, by), b.removePlayer(board, players[1]!, by)])) as [
      BoardEvent[],
      BoardEvent[],
    ];
    for (const [events, owner] of [
      [fromA, "owner-0"],
      [fromB, "owner-1"],
    ] as const) {
      expect(events.map((event) => event.type === "remove" && event.id)).toStrictEqual(circles.filter((c) => c.owner === owner).map((c) => c.id));
      const first = events[0]?.seq ?? 0;
      expect(seqs(events)).toStrictEqual(events.map((_, i) => first + i));
    }
    expect([...seqs(fromA), ...seqs(fromB)].sort((x, y) => x - y)).toStrictEqual(upTo(40).slice(20));
    const loaded = await b.load(board);
    expect([loaded.seq, loaded.circles]).toStrictEqual([40, []]);
    expect(loaded.removed?.map((player) => player.id).sort()).toStrictEqual(["p0", "p1"]);
  });

  it("lets one of two servers delete a board when both try at once: the other finds a new board, with no host", async () => {
    const [a, b] = [await open(), await open()];
    for (const by of [{ host: "host-a" }, { admin: true }]) {
      const board = makeBoard();
      await a.claim(board, "host-a");
      await a.add(board, makeCircle(), 10);
      const outcomes = await Promise.all([a.deleteBoard(board, by), b.deleteBoard(board, by)]);
      // The admin may delete the new board too; the host is no longer its host.
      expect(outcomes.map(String).sort()).toStrictEqual(by.admin ? ["true", "true"] : ["not-host", "true"]);
      expect(await b.load(board)).toStrictEqual(storedBoard(0, []));
    }
  });

  it("lets two servers sweep at once, each board swept by one of them", async () => {
    const [a, b] = [await open(), await open()];
    const boards = Array.from({ length: 30 }, () => makeBoard());
    await Promise.all(boards.map((board) => a.add(board, makeCircle(), 10)));
    const before = Date.now() + 1;
    const [byA, byB] = await Promise.all([a.sweep(before), b.sweep(before)]);
    const swept = [...byA, ...byB];
    expect(swept).toEqual(expect.arrayContaining(boards));
    expect(new Set(swept).size).toBe(swept.length);
  });

  it("never deadlocks two servers writing, removing players from, deleting and sweeping the same boards in opposite orders", async () => {
    const [a, b] = [await open(), await open()];
    const [one, two] = [makeBoard(), makeBoard()];
    const admin = { admin: true };
    // Ten calls at a time, each ten awaited before the next, as in the test of seqs above.
    const writes = async (store: PostgresStore, boards: string[]) => {
      const calls: Promise<unknown>[] = [];
      for (let i = 0; i < 200; i++) {
        const board = boards[i % 2] as string;
        const owner = `owner-${i % 3}`;
        if (i % 50 === 49) calls.push(store.sweep(Date.now() + 1));
        else if (i % 20 === 19) calls.push(store.deleteBoard(board, admin));
        else if (i % 10 === 9) calls.push(store.removePlayer(board, { id: owner, initials: "AB", owner }, admin));
        else if (i % 10 === 4) calls.push(store.readmitPlayer(board, owner, admin));
        else calls.push(store.add(board, { ...makeCircle(), owner: `owner-${i % 5}` }, 7).catch((error: unknown) => error));
        if (i % 10 === 9) await calls.at(-1);
      }
      return Promise.all(calls);
    };
    const outcomes = (await Promise.all([writes(a, [one, two]), writes(b, [two, one])])).flat();
    // Every call answered; the only refusals, adds of players removed.
    for (const outcome of outcomes) if (outcome instanceof Error) expect(outcome).toBeInstanceOf(DrawRefusedError);
    for (const board of [one, two]) {
      const { seq, circles } = await a.load(board);
      expect(circles.length).toBeLessThanOrEqual(7);
      const next = makeCircle();
      expect((await b.add(board, next, 7))[0]).toStrictEqual({ seq: seq + 1, type: "add", circle: next });
    }
  });

  it("migrates a new database once when several servers start at once", async () => {
    const url = await createTestDatabase();
    const stores = await Promise.all(Array.from({ length: 4 }, () => open(url)));
    const board = makeBoard();
    await stores[0]?.add(board, makeCircle(), 10);
    expect((await stores[3]?.load(board))?.seq).toBe(1);
    expect(await query(url, "SELECT version FROM schema_version ORDER BY version")).toStrictEqual(
      upTo(SCHEMA_VERSION).map((version) => ({ version })),
    );
  });

  it("migrates a database of schema version 1: its circles keep no owner, so none can be undone, it has no host, the default rules, no removed players, and counts as used at the migration", async () => {
    // Version 1 as it shipped (postgres-schema.ts, the first migration).
    const url = await createTestDatabase();
    const board = makeBoard();
    const circle = makeCircle();
    const { id, initials, x, y, dia, rgba, createdAt } = circle;
    await query(
      url,
      `CREATE TABLE schema_version (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());
       INSERT INTO schema_version (version) VALUES (1);
       CREATE TABLE boards (board text PRIMARY KEY, seq bigint NOT NULL, circle_count integer NOT NULL);
       CREATE TABLE circles (
         board text NOT NULL REFERENCES boards, seq bigint NOT NULL, id text NOT NULL UNIQUE, initials text NOT NULL,
         x double precision NOT NULL, y double precision NOT NULL, dia double precision NOT NULL, rgba text NOT NULL,
         created_at bigint NOT NULL, PRIMARY KEY (board, seq));
       INSERT INTO boards VALUES ('${board}', 1, 1);
       INSERT INTO circles VALUES ('${board}', 1, '${id}', '${initials}', ${x}, ${y}, ${dia}, '${rgba}', ${createdAt});`,
    );
    const beforeMigration = Date.now();
    const store = await open(url);
    const loaded = await store.load(board);
    expect(loaded).toStrictEqual(storedBoard(1, [circle]));
    expect([loaded.rules, loaded.removed]).toStrictEqual([{ draw: "everyone", chat: "everyone" }, []]);
    expect(await store.sweep(beforeMigration)).toStrictEqual([]);
    expect(await store.removeOwned(board, id, "anyone")).toBeUndefined();
    expect(await store.claim(board, "host-a")).toBe(false);
    const { seq } = await store.clear(board, { at: 1 });
    expect(await store.restoreCleared(board, { seq, since: 0, maxCircles: 10 })).toStrictEqual({
      ok: true,
      events: [{ seq: 3, type: "add", circle }],
    });
    expect(await query(url, "SELECT version FROM schema_version ORDER BY version")).toStrictEqual(
      upTo(SCHEMA_VERSION).map((version) => ({ version })),
    );
  });

  it("migrates a database of schema version 3: its circles and cleared circles name their ids on their boards, which other boards may use, wherever they go, and keep their seqs", async () => {
    // Version 3 as it shipped (postgres-schema.ts, the first three migrations).
    const url = await createTestDatabase();
    const [a, b] = [makeBoard(), makeBoard()];
    const cleared: StoredCircle[] = [{ ...makeCircle(), owner: "owner-a" }, makeCircle()];
    const onA: StoredCircle = makeCircle();
    const onB: StoredCircle = { ...makeCircle(), owner: "owner-b" };
    const values = (c: StoredCircle) =>
      `'${c.id}', '${c.initials}', ${c.x}, ${c.y}, ${c.dia}, '${c.rgba}', ${c.createdAt}, ${c.owner ? `'${c.owner}'` : "NULL"}`;
    await query(
      url,
      `CREATE TABLE schema_version (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());
       INSERT INTO schema_version (version) VALUES (1), (2), (3);
       CREATE TABLE boards (
         board text PRIMARY KEY, seq bigint NOT NULL, circle_count integer NOT NULL, host text, locked boolean NOT NULL DEFAULT false,
         cleared_seq bigint, cleared_at bigint, draw_rule text NOT NULL DEFAULT 'everyone', chat_rule text NOT NULL DEFAULT 'everyone',
         last_used bigint NOT NULL DEFAULT 0);
       CREATE INDEX boards_last_used ON boards (last_used);
       CREATE TABLE circles (
         board text NOT NULL REFERENCES boards ON DELETE CASCADE, seq bigint NOT NULL, id text NOT NULL UNIQUE, initials text NOT NULL,
         x double precision NOT NULL, y double precision NOT NULL, dia double precision NOT NULL, rgba text NOT NULL,
         created_at bigint NOT NULL, owner text, PRIMARY KEY (board, seq));
       CREATE TABLE cleared_circles (
         board text NOT NULL REFERENCES boards ON DELETE CASCADE, position bigint NOT NULL, id text NOT NULL, initials text NOT NULL,
         x double precision NOT NULL, y double precision NOT NULL, dia double precision NOT NULL, rgba text NOT NULL,
         created_at bigint NOT NULL, owner text, PRIMARY KEY (board, position));
       CREATE TABLE removed_players (
         board text NOT NULL REFERENCES boards ON DELETE CASCADE, owner text NOT NULL, id text NOT NULL, initials text NOT NULL,
         position bigint NOT NULL, PRIMARY KEY (board, owner));
       INSERT INTO boards (board, seq, circle_count, cleared_seq, cleared_at) VALUES ('${a}', 4, 1, 3, 1);
       INSERT INTO boards (board, seq, circle_count) VALUES ('${b}', 2, 1);
       INSERT INTO cleared_circles VALUES ('${a}', 1, ${values(cleared[0]!)}), ('${a}', 2, ${values(cleared[1]!)});
       INSERT INTO circles VALUES ('${a}', 4, ${values(onA)}), ('${b}', 2, ${values(onB)});`,
    );
    const store = await open(url);
    const reused = await expectIdsTakenPerBoard(store, { a, b, onA, onB, cleared });
    // The rows from before name no add (no add_seq, no fingerprint), the new one its own.
    expect(await query(url, `SELECT board, seq, id, add_seq, fingerprint FROM circles ORDER BY board = '${a}', seq`)).toStrictEqual([
      { board: b, seq: "2", id: onB.id, add_seq: null, fingerprint: null },
      { board: b, seq: "3", id: reused.id, add_seq: "3", fingerprint: "" },
      { board: a, seq: "4", id: onA.id, add_seq: null, fingerprint: null },
      { board: a, seq: "6", id: cleared[1]?.id, add_seq: null, fingerprint: null },
    ]);
    expect(await query(url, "SELECT board, id, fingerprint, value, keep_until FROM write_names")).toStrictEqual([
      { board: a, id: cleared[0]?.id, fingerprint: null, value: null, keep_until: null },
    ]);
    expect(await query(url, "SELECT version FROM schema_version ORDER BY version")).toStrictEqual(
      upTo(SCHEMA_VERSION).map((version) => ({ version })),
    );
  });

  it("refuses a database from a newer release", async () => {
    const url = await createTestDatabase();
    await (await open(url)).close();
    await query(url, `INSERT INTO schema_version (version) VALUES (${SCHEMA_VERSION + 98})`);
    await expect(PostgresStore.open({ databaseUrl: url })).rejects.toThrow(
      new RegExp(`cannot open the PostgreSQL database ${POSTGRES_SERVER}/circles_test_\\w+: its schema version ${SCHEMA_VERSION + 98} is newer`),
    );
  });

  it("says where and why when it cannot connect at open", async () => {
    const closedPort = await freePort();
    await expect(PostgresStore.open({ databaseUrl: `postgres://postgres:secret@127.0.0.1:${closedPort}/x` })).rejects.toThrow(
      new RegExp(`^cannot open the PostgreSQL database 127.0.0.1:${closedPort}/x: .*ECONNREFUSED`),
    );
  });

  describe("when PostgreSQL goes away and comes back", () => {
    let proxy: CuttableProxy;
    let store: PostgresStore;

    beforeAll(async () => {
      proxy = await CuttableProxy.start(5432);
    });
    afterAll(async () => {
      await proxy.stop();
    });

    const throughProxy = () => open(databaseUrl.replace(POSTGRES_SERVER, `127.0.0.1:${proxy.port}`));
    const down = new RegExp(`^PostgreSQL at 127\\.0\\.0\\.1:\\d+/circles_test_\\w+: .+`);

    it("refuses calls and pings with a clear error while down, loses nothing acknowledged, and recovers by itself", async () => {
      store = await throughProxy();
      const board = makeBoard();
      const kept = [makeCircle(), makeCircle()];
      for (const circle of kept) await store.add(board, circle, 10);

      proxy.cut();
      await expect(store.add(board, makeCircle(), 10)).rejects.toThrow(down);
      await expect(store.clear(board)).rejects.toThrow(down);
      await expect(store.load(board)).rejects.toThrow(down);
      await expect(store.ping()).rejects.toThrow(down);

      proxy.restore();
      await expect(store.ping()).resolves.toBeUndefined();
      expect(await store.load(board)).toStrictEqual(storedBoard(2, kept));
      const next = makeCircle();
      expect(await store.add(board, next, 10)).toStrictEqual([{ seq: 3, type: "add", circle: next }]);
    });

    it("keeps every write it acknowledged when the connection is cut mid-stream", async () => {
      store = await throughProxy();
      const board = makeBoard();
      const acknowledged: Circle[] = [];
      let rejected = 0;
      const writes: Promise<void>[] = [];
      const writer = setInterval(() => {
        for (let i = 0; i < 5; i++) {
          const circle = makeCircle();
          writes.push(
            store.add(board, circle, 100_000).then(
              () => void acknowledged.push(circle),
              () => void rejected++,
            ),
          );
        }
      }, 1);
      await new Promise((resolve) => setTimeout(resolve, 150));
      proxy.cut();
      await new Promise((resolve) => setTimeout(resolve, 100));
      proxy.restore();
      await new Promise((resolve) => setTimeout(resolve, 150));
      clearInterval(writer);
      await Promise.all(writes);

      expect(rejected).toBeGreaterThan(0);
      const stored = await store.load(board);
      const storedIds = new Set(stored.circles.map((circle) => circle.id));
      expect(acknowledged.filter((circle) => !storedIds.has(circle.id))).toStrictEqual([]);
      // Gapless still: a failed transaction takes no seq.
      expect(stored.seq).toBe(stored.circles.length);
    });
  });

  it("lets the process exit once closed, and while idle even if never closed", async () => {
    await expectProcessExitsWithStores(
      `import { PostgresStore } from ${JSON.stringify(path.resolve("lib/store/postgres-store.ts"))};`,
      () => `PostgresStore.open({ databaseUrl: ${JSON.stringify(databaseUrl)} })`,
    );
  });
});

/**
 * Forwards 127.0.0.1:<port> to PostgreSQL. `cut` drops every connection and
 * refuses new ones, as a server that went away would; `restore` lets them in again.
 */
class CuttableProxy {
  readonly #server: net.Server;
  readonly #sockets = new Set<net.Socket>();
  #cut = false;

  static async start(target: number): Promise<CuttableProxy> {
    const proxy = new CuttableProxy(target);
    await new Promise<void>((resolve) => proxy.#server.listen(0, "127.0.0.1", resolve));
    return proxy;
  }

  private constructor(target: number) {
    this.#server = net.createServer((client) => {
      if (this.#cut) {
        client.destroy();
        return;
      }
      const upstream = net.connect(target, "127.0.0.1");
      for (const [from, to] of [
        [client, upstream],
        [upstream, client],
      ] as const) {
        this.#sockets.add(from);
        from.pipe(to);
        from.on("error", () => to.destroy());
        from.on("close", () => {
          this.#sockets.delete(from);
          to.destroy();
        });
      }
    });
  }

  get port(): number {
    return (this.#server.address() as net.AddressInfo).port;
  }

  cut(): void {
    this.#cut = true;
    for (const socket of this.#sockets) socket.destroy();
  }

  restore(): void {
    this.#cut = false;
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}
