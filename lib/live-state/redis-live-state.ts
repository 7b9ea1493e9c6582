/**
 * The live state of several nodes, in Redis. Each board's people are one
 * hash, a field per socket (`<node> <socket>`), which every node writes for
 * its own sockets and reads for the others'. Each node also keeps a key of
 * its own alive with a short expiry: a node killed without a goodbye stops
 * renewing it, and the others drop its people once it has been gone for
 * GRACE_MS. A change is published on one channel, naming the board, so that
 * the nodes with people there read it again; every HEARTBEAT_MS each node
 * also writes all its people again and reads every board it has, which
 * repairs whatever a Redis restart (it keeps nothing on disk) or a lost
 * message left out.
 */
import type { Logger } from "../ops/logger.js";
import type { Person } from "../people/presence.js";
import type { RedisClient } from "../ops/redis-client.js";
import { parseChatMessage, parseLiveNotice, parseStoredPerson, type LiveNotice, type StoredPerson } from "../protocol/schemas.js";
import type { ChatMessage } from "../protocol/events.js";
import { byArrival, CHAT_HISTORY, CHAT_OPERATION_MS, MergedLiveState } from "./live-state.js";

/** How often a node renews its key, writes its people and reads its boards. */
const HEARTBEAT_MS = 2_000;
/** A node's key outlives three heartbeats, so one slow heartbeat loses nobody. */
const NODE_TTL_MS = 6_000;
/** How long a node's key must be missing before its people go: Redis restarts lose every key until the nodes write theirs again. */
const GRACE_MS = 3_000;
/** How often the nodes seen on this node's boards are checked for being alive. */
const CHECK_MS = 1_000;
/** Changes are written (and read) at most this often per board: a crowd joining is one write, not a thousand. */
const WRITE_TICK_MS = 33;
/** A board's hash goes by itself this long after its last node stopped renewing it. */
const BOARD_TTL_MS = 60_000;
/** A board's chat goes by itself this long after its last message. */
const CHAT_TTL_MS = 24 * 60 * 60 * 1_000;
/** Keeps a named chat message unless its name (KEYS[2]) is taken: 1 when kept, 0 when not. */
const REMEMBER_NAMED = `
if not redis.call("SET", KEYS[2], "1", "NX", "PX", ARGV[4]) then return 0 end
redis.call("RPUSH", KEYS[1], ARGV[1])
redis.call("LTRIM", KEYS[1], -tonumber(ARGV[2]), -1)
redis.call("PEXPIRE", KEYS[1], ARGV[3])
return 1`;

export interface RedisLiveStateOptions {
  node: string;
  /** For commands; fails fast while Redis is down (what is lost is written again with the next heartbeat). */
  redis: RedisClient;
  /** A connection of its own: a subscribed connection can do nothing else. */
  subscriber: RedisClient;
  prefix: string;
  logger: Logger;
}

export class RedisLiveState extends MergedLiveState {
  private readonly redis: RedisClient;
  private readonly prefix: string;
  private readonly logger: Logger;
  private readonly channel: string;
  /** Boards whose people here changed since they were last written. */
  private readonly unwritten = new Set<string>();
  /** Per board, the fields this node has written, to remove those that left. */
  private readonly written = new Map<string, Set<string>>();
  /** Boards to read again, and whether a read of each is under way. */
  private readonly unread = new Set<string>();
  private readonly reading = new Set<string>();
  /** Nodes whose key was found missing, since when. */
  private readonly missingSince = new Map<string, number>();
  /** Per board, the nodes seen there with people. */
  private readonly nodesOn = new Map<string, Set<string>>();
  private readyAt = Date.now();
  private tick: NodeJS.Timeout | undefined;
  private readonly timers: NodeJS.Timeout[] = [];
  private failing = false;
  private closed = false;

  private constructor(options: RedisLiveStateOptions) {
    super(options.node);
    this.redis = options.redis;
    this.prefix = options.prefix;
    this.logger = options.logger;
    this.channel = `${this.prefix}:live`;
  }

  static async start(options: RedisLiveStateOptions): Promise<RedisLiveState> {
    const state = new RedisLiveState(options);
    await options.subscriber.subscribe(state.channel, (message) => state.heard(message));
    // After a Redis restart every key is gone: write this node's again at once.
    state.redis.on("ready", () => {
      state.readyAt = Date.now();
      state.heartbeat();
    });
    state.timers.push(
      setInterval(() => state.heartbeat(), HEARTBEAT_MS),
      setInterval(() => state.checkNodes(), CHECK_MS),
    );
    for (const timer of state.timers) timer.unref();
    await state.renewNodeKey();
    return state;
  }

  async remember(board: string, message: ChatMessage, op?: string): Promise<boolean> {
    const key = this.chatKey(board);
    if (op === undefined) {
      await this.redis.multi().rPush(key, JSON.stringify(message)).lTrim(key, -CHAT_HISTORY, -1).pExpire(key, CHAT_TTL_MS).exec();
      return true;
    }
    // One script, so that the name is taken only with the message kept: a retry after a failure keeps it then.
    const kept = await this.redis.eval(REMEMBER_NAMED, {
      keys: [key, `${this.prefix}:live:chat-op:${board}:${op}`],
      arguments: [JSON.stringify(message), String(CHAT_HISTORY), String(CHAT_TTL_MS), String(CHAT_OPERATION_MS)],
    });
    return kept === 1;
  }

  async forgetChat(board: string): Promise<void> {
    await this.redis.del(this.chatKey(board));
  }

  async recentMessages(board: string): Promise<ChatMessage[]> {
    const messages: ChatMessage[] = [];
    for (const text of await this.redis.lRange(this.chatKey(board), 0, -1)) {
      const parsed = parseChatMessage(text);
      if (parsed.ok) messages.push(parsed.value);
    }
    return messages;
  }

  protected localChanged(board: string): void {
    this.unwritten.add(board);
    this.schedule();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearInterval(timer);
    clearTimeout(this.tick);
    try {
      const multi = this.redis.multi().del(this.nodeKey(this.node));
      for (const [board, fields] of this.written) {
        if (fields.size > 0) multi.hDel(this.boardKey(board), [...fields]);
        multi.publish(this.channel, JSON.stringify({ node: this.node, board }));
      }
      await multi.exec();
    } catch (error) {
      // The others drop this node's people by themselves once its key has expired.
      this.logger.warn({ err: error }, "could not tell the other nodes this node's people have left");
    }
  }

  private heard(message: string): void {
    const notice = parseLiveNotice(message);
    if (!notice.ok) return this.logger.warn({ error: notice.error }, "ignored a live-state notice");
    if (notice.value.node === this.node) return;
    this.unread.add(notice.value.board);
    this.schedule();
  }

  private schedule(): void {
    if (this.tick !== undefined || this.closed) return;
    this.tick = setTimeout(() => {
      this.tick = undefined;
      void this.flush();
    }, WRITE_TICK_MS);
  }

  private async flush(): Promise<void> {
    const boards = [...this.unwritten];
    this.unwritten.clear();
    for (const board of this.unread) void this.read(board);
    this.unread.clear();
    if (boards.length === 0) return;
    try {
      await this.write(boards);
    } catch (error) {
      // Written again with the next heartbeat.
      this.failed(error);
    }
  }

  /** Writes this node's people on `boards`: every field, and the removal of those that left. */
  private async write(boards: Iterable<string>): Promise<void> {
    const multi = this.redis.multi();
    const done = new Map<string, Set<string>>();
    for (const board of boards) {
      const key = this.boardKey(board);
      const fields: Record<string, string> = {};
      const current = new Set<string>();
      for (const person of this.local.people(board)) {
        const field = `${this.node} ${person.socket}`;
        current.add(field);
        const { id, initials, colour, joinedAt, order, owner } = person;
        fields[field] = JSON.stringify({ p: id, i: initials, c: colour, t: joinedAt, o: order, k: owner } satisfies StoredPerson);
      }
      const gone = [...(this.written.get(board) ?? [])].filter((field) => !current.has(field));
      if (gone.length > 0) multi.hDel(key, gone);
      if (current.size > 0) multi.hSet(key, fields).pExpire(key, BOARD_TTL_MS);
      multi.publish(this.channel, JSON.stringify({ node: this.node, board } satisfies LiveNotice));
      done.set(board, current);
    }
    if (done.size === 0) return;
    await multi.exec();
    // Only once written: a failed removal is tried again with the next heartbeat.
    for (const [board, fields] of done) {
      if (fields.size > 0) this.written.set(board, fields);
      else this.written.delete(board);
    }
    this.recovered();
  }

  /** Reads the other nodes' people on `board`; one read per board at a time, so that an old answer never overwrites a newer one. */
  private async read(board: string): Promise<void> {
    if (this.reading.has(board)) {
      this.unread.add(board);
      return this.schedule();
    }
    this.reading.add(board);
    try {
      const fields = await this.redis.hGetAll(this.boardKey(board));
      const people: Person[] = [];
      const nodes = new Set<string>();
      const dead: string[] = [];
      for (const [field, value] of Object.entries(fields)) {
        const space = field.indexOf(" ");
        const node = field.slice(0, space);
        const stored = parseStoredPerson(value);
        if (space < 0 || node === this.node || !stored.ok) continue;
        // Gone nodes are still looked up: one that was only cut off comes back.
        nodes.add(node);
        if (this.isGone(node)) {
          dead.push(field);
          continue;
        }
        const { p: id, i: initials, c: colour, t: joinedAt, o: order, k: owner = null } = stored.value;
        people.push({ node, socket: field.slice(space + 1), id, initials, colour, joinedAt, order, owner });
      }
      // Whoever notices a node gone tidies its fields away.
      if (dead.length > 0) await this.redis.hDel(this.boardKey(board), dead);
      if (nodes.size > 0) this.nodesOn.set(board, nodes);
      else this.nodesOn.delete(board);
      if (!this.closed) this.setRemote(board, people.sort(byArrival));
      this.recovered();
    } catch (error) {
      this.failed(error);
    } finally {
      this.reading.delete(board);
    }
  }

  /** A node whose key has been missing for GRACE_MS, counted from when this node last (re)connected. */
  private isGone(node: string): boolean {
    const since = this.missingSince.get(node);
    return since !== undefined && Date.now() - Math.max(since, this.readyAt) >= GRACE_MS;
  }

  private heartbeat(): void {
    if (this.closed) return;
    const boards = new Set([...this.local.boards(), ...this.written.keys()]);
    this.renewNodeKey()
      .then(() => this.write(boards))
      .catch((error: unknown) => this.failed(error));
    for (const board of new Set([...boards, ...this.remoteBoards()])) void this.read(board);
  }

  /** Looks up every node seen on this node's boards; boards with a node just gone are read again without it. */
  private checkNodes(): void {
    const seen = new Set<string>();
    for (const nodes of this.nodesOn.values()) for (const node of nodes) seen.add(node);
    const nodes = [...seen];
    if (nodes.length === 0) return;
    this.redis.mGet(nodes.map((node) => this.nodeKey(node))).then(
      (values) => {
        const now = Date.now();
        const gone = new Set<string>();
        nodes.forEach((node, i) => {
          if (values[i] !== null) return void this.missingSince.delete(node);
          if (!this.missingSince.has(node)) this.missingSince.set(node, now);
          if (this.isGone(node)) gone.add(node);
        });
        for (const [board, onBoard] of this.nodesOn) if ([...onBoard].some((node) => gone.has(node))) void this.read(board);
        this.recovered();
      },
      (error: unknown) => this.failed(error),
    );
  }

  private renewNodeKey(): Promise<unknown> {
    return this.redis.set(this.nodeKey(this.node), "1", { expiration: { type: "PX", value: NODE_TTL_MS } });
  }

  private boardKey(board: string): string {
    return `${this.prefix}:live:board:${board}`;
  }

  private chatKey(board: string): string {
    return `${this.prefix}:live:chat:${board}`;
  }

  private nodeKey(node: string): string {
    return `${this.prefix}:live:node:${node}`;
  }

  /** Logged once per outage: the heartbeat retries every HEARTBEAT_MS. */
  private failed(error: unknown): void {
    if (this.failing || this.closed) return;
    this.failing = true;
    this.logger.warn({ err: error }, "could not share this node's people through Redis; retrying");
  }

  private recovered(): void {
    this.failing = false;
  }
}
