/**
 * Schemas for everything that enters from outside: socket payloads, REST
 * bodies, board names. Parsing here is the only place untrusted data becomes
 * typed data; code past this point trusts the types.
 */
import { z } from "zod";
import {
  BOARD_HEIGHT,
  BOARD_NAME_PATTERN,
  BOARD_WIDTH,
  checkInitials,
  COLOUR_PATTERN,
  MAX_COLOUR_LENGTH,
  MAX_DIAMETER,
  MIN_DIAMETER,
  OPERATION_ID_PATTERN,
} from "./rules.js";
import type { BoardNotice, ChatInput, ChatMessage, CircleRequest, CursorPosition, Protocol, RoomRules, StoredEvent } from "./events.js";

/** Initials come out normalised (see `checkInitials`): the same rule the browser applies. */
export const initialsSchema = z.string({ error: "initials must be a string" }).transform((raw, ctx) => {
  const checked = checkInitials(raw);
  if (checked.ok) return checked.initials;
  ctx.addIssue({ code: "custom", message: checked.error });
  return z.NEVER;
});

/** Names come out lowercase, so `Math101` and `math101` are one board. Only
 * A–Z is folded: a full toLowerCase would turn the Kelvin sign into `k`. */
export const boardNameSchema = z
  .string({ error: "board name must be a string" })
  .overwrite((name) => name.replace(/[A-Z]+/g, (upper) => upper.toLowerCase()))
  .regex(BOARD_NAME_PATTERN, { error: "board name must be 1–40 of a–z, 0–9, '-' and '_'" });

/** A number in a range, with a message naming the field. zod's number()
 * already refuses NaN and ±Infinity. */
function coordinate(name: string, min: number, max: number) {
  return z
    .number({ error: `${name} must be a finite number` })
    .refine((n) => n >= min && n <= max, { error: `${name} must be between ${min} and ${max}` });
}

/** A client-made id (see OPERATION_ID_PATTERN): `name` is the field's, for the message. */
export function clientIdSchema(name: string) {
  const error = `${name} must be 8–64 letters, digits, '-' or '_' (a UUID fits)`;
  return z.string({ error }).regex(OPERATION_ID_PATTERN, { error });
}

/** The `op` of a write other than an add. */
const opSchema = clientIdSchema("op").optional();

/** Unknown fields are dropped, not refused: lesson clients may send extras, and
 * the server builds the relayed circle itself. */
export const circleInputSchema = z.object(
  {
    id: clientIdSchema("id").optional(),
    initials: initialsSchema,
    x: coordinate("x", 0, BOARD_WIDTH),
    y: coordinate("y", 0, BOARD_HEIGHT),
    dia: coordinate("dia", MIN_DIAMETER, MAX_DIAMETER),
    rgba: z
      .string({ error: "rgba must be a string" })
      .max(MAX_COLOUR_LENGTH, { error: "rgba is too long" })
      .regex(COLOUR_PATTERN, { error: "rgba must be a CSS rgba(), rgb() or hex colour" }),
  },
  { error: "a circle must be an object of {initials, x, y, dia, rgba}" },
);

/** A seq as a client states it: a whole number, 0 before the board's first change. */
export const seqSchema = z
  .number({ error: "since must be a whole number" })
  .int({ error: "since must be a whole number" })
  .min(0, { error: "since must be a whole number" })
  .max(Number.MAX_SAFE_INTEGER, { error: "since must be a whole number" });

/** Handshake query values arrive as strings (or arrays, when repeated). */
const digits = z
  .string({ error: "since must be a whole number" })
  .regex(/^\d{1,15}$/, { error: "since must be a whole number" })
  .transform(Number);

export const handshakeSchema = z.object({
  board: boardNameSchema.optional(),
  protocol: z
    .enum(["1", "2"], { error: "protocol must be 1 or 2" })
    .optional()
    .transform((value): Protocol => (value === "2" ? 2 : 1)),
  since: digits.optional(),
});

/** A hash of a player's or host's key (`player-keys.ts`): SHA-256, base64url. */
const keyHashSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/);
const storedCircleSchema = circleInputSchema.omit({ id: true }).extend({
  id: z.string().min(1).max(100),
  createdAt: z.number().int(),
  owner: keyHashSchema.optional(),
});

/** A change's seq as another node announces it. */
const eventSeqSchema = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

/**
 * Changes another node stored, as it announces them through Redis: from our
 * own servers, but checked anyway, since a node of another version or a
 * stray writer to the stream must not put a bad circle on a board.
 */
export const boardChangesSchema = z.object({
  board: boardNameSchema,
  events: z
    .array(
      z.discriminatedUnion("type", [
        z.object({ seq: eventSeqSchema, type: z.literal("add"), circle: storedCircleSchema }),
        z.object({ seq: eventSeqSchema, type: z.literal("remove"), id: z.string().min(1).max(100) }),
        z.object({ seq: eventSeqSchema, type: z.literal("clear") }),
      ]),
    )
    .min(1)
    .max(10_000),
});

const audienceSchema = z.enum(["everyone", "host"], { error: 'who may: "everyone" or "host"' });

/** A player's public id, as `board-people` lists it. */
const playerIdSchema = z
  .string({ error: "id must be a player's id from the list of people (a string)" })
  .regex(/^[A-Za-z0-9_-]{1,20}$/, { error: "id must be a player's id from the list of people" });

/** What another node heard of a board besides its changes: who cleared it, its host settings and rules, removals, deletion. */
export const boardNoticeSchema = z.object({
  board: boardNameSchema,
  notice: z.discriminatedUnion("type", [
    z.object({ type: z.literal("cleared"), seq: eventSeqSchema, by: initialsSchema.nullable(), undoMs: z.number().int().min(0).max(60_000) }),
    z.object({ type: z.literal("host"), host: z.object({ hash: keyHashSchema, locked: z.boolean() }) }),
    z.object({ type: z.literal("rules"), rules: z.object({ draw: audienceSchema, chat: audienceSchema }) }),
    z.object({ type: z.literal("removed"), player: z.object({ id: playerIdSchema, initials: initialsSchema, owner: keyHashSchema }) }),
    z.object({ type: z.literal("readmitted"), id: playerIdSchema }),
    z.object({ type: z.literal("deleted"), expired: z.literal(true).optional() }),
  ]),
});

/**
 * A secret a browser keeps (`auth` in the Socket.IO handshake): its player
 * key, which makes its circles its own, and for a board it made, the host
 * key. Random, at least 128 bits in base64url; only their hashes are kept.
 */
function secretKey(name: string) {
  return z
    .string({ error: `${name} must be a string` })
    .regex(/^[A-Za-z0-9_-]{22,128}$/, { error: `${name} must be 22–128 letters, digits, '-' or '_'` });
}

/** The handshake's `auth`; the lesson's clients send none. Unknown fields are dropped. */
export const handshakeAuthSchema = z.object(
  {
    playerKey: secretKey("player key").optional(),
    hostKey: secretKey("host key").optional(),
    // The operator's ADMIN_KEY, as a link carries it; the config's own pattern, checked only by comparing.
    adminKey: z
      .string({ error: "admin key must be a string" })
      .regex(/^[A-Za-z0-9_-]{1,128}$/, { error: "admin key must be up to 128 letters, digits, '-' or '_'" })
      .optional(),
  },
  { error: "auth must be an object of {playerKey, hostKey, adminKey}" },
);

/** `claim-board`'s payload: nothing (the handshake's host key), or `{hostKey}` made for it. */
export const claimSchema = z
  .object({ hostKey: secretKey("host key").optional(), op: opSchema }, { error: "claim-board takes nothing, or {hostKey?, op?}" })
  .optional();

/** `set-rules`'s payload: who may draw, who may chat, or both. */
export const rulesSchema = z
  .strictObject(
    { draw: audienceSchema.optional(), chat: audienceSchema.optional(), op: opSchema },
    { error: 'set-rules takes {draw?, chat?, op?}, draw and chat each "everyone" or "host", and nothing else' },
  )
  .refine((rules) => rules.draw !== undefined || rules.chat !== undefined, { error: "set-rules needs draw, chat or both" });

/** `remove-player` and `readmit-player`: `{id}` of a player. */
export const playerRefSchema = z.object({ id: playerIdSchema, op: opSchema }, { error: "takes {id, op?}: the id of a player" });

/** `undo-circle`'s payload: nothing, `{}` (the newest of yours), or `{id}` of a circle of yours. */
export const undoCircleSchema = z
  .object(
    {
      id: z
        .string({ error: "id must be a circle's id (a string)" })
        .min(1, { error: "id must not be empty" })
        .max(100, { error: "id is too long" })
        .optional(),
      op: opSchema,
    },
    { error: "undo-circle takes nothing, or {id?, op?}: the id of a circle of yours" },
  )
  .optional();

const UNDO_CLEAR_ERROR = "undo-clear takes the seq of the clear (a whole number), or {seq, op?}";
const clearSeq = z
  .number({ error: UNDO_CLEAR_ERROR })
  .int({ error: UNDO_CLEAR_ERROR })
  .min(1, { error: UNDO_CLEAR_ERROR })
  .max(Number.MAX_SAFE_INTEGER, { error: UNDO_CLEAR_ERROR });

/** `undo-clear`'s payload: the seq of the clear, as `board-cleared` said it, bare or with an op. */
export const clearSeqSchema = z.union([clearSeq.transform((seq) => ({ seq })), z.object({ seq: clearSeq, op: opSchema })], {
  error: UNDO_CLEAR_ERROR,
});

const LOCK_ERROR = "lock-board takes true (lock) or false (unlock), or {locked, op?}";
/** `lock-board`'s payload: whether to lock, bare or with an op. */
export const lockSchema = z.union(
  [z.boolean({ error: LOCK_ERROR }).transform((locked) => ({ locked })), z.object({ locked: z.boolean({ error: LOCK_ERROR }), op: opSchema })],
  { error: LOCK_ERROR },
);

/** What a write with nothing else to say may carry (`clear-circles`, `delete-board`): nothing, as the lesson sends, or `{op}`. */
export const operationSchema = z.object({ op: opSchema }, { error: "takes nothing, or {op}" }).optional();

/**
 * The live state in Redis (`live-state/redis-live-state.ts`): a node's notice
 * that a board's people changed, and one person as a node stores it.
 * Written by our own nodes, but checked anyway, as board changes are.
 */
export const liveNoticeSchema = z.object({ node: z.string().min(1).max(100), board: boardNameSchema });
export type LiveNotice = z.infer<typeof liveNoticeSchema>;
export const storedPersonSchema = z.object({
  p: z.string().min(1).max(20),
  i: initialsSchema.nullable(),
  c: z
    .string()
    .regex(/^#[0-9a-f]{6}$/)
    .nullable(),
  t: z.number().int(),
  o: z.number().int(),
  // The player key's hash, for the host's removal; absent in what older nodes wrote.
  k: keyHashSchema.nullable().optional(),
});
export type StoredPerson = z.infer<typeof storedPersonSchema>;

/** Longest chat message, in characters (code points), after trimming. */
export const MAX_CHAT_LENGTH = 280;
/** Longest name an unregistered (right-now) sender may give. */
const MAX_CHAT_USER_LENGTH = 24;
/** Control, format (zero-width, bidi) and unassigned characters: invisible, or able to scramble the text around them. */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}]/u;
// Line breaks within a message are kept; other invisible characters are not.
const INVISIBLE_BUT_NEWLINE = /[\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}]|[^\P{Cc}\n]/u;

function visibleText(name: string, max: number, invisible: RegExp) {
  return z
    .string({ error: `${name} must be a string` })
    .transform((text) => text.normalize("NFC").trim())
    .refine((text) => text.length > 0, { error: `${name} must not be empty` })
    .refine((text) => [...text].length <= max, { error: `${name} must be at most ${max} characters` })
    .refine((text) => !invisible.test(text), { error: `${name} must not hold control or invisible characters` });
}

/** Chat as right-now sends it; unknown fields are dropped. */
export const chatInputSchema = z.object(
  {
    user: visibleText("user", MAX_CHAT_USER_LENGTH, INVISIBLE).optional(),
    text: visibleText("text", MAX_CHAT_LENGTH, INVISIBLE_BUT_NEWLINE),
    op: opSchema,
  },
  { error: "a message must be an object of {user, text, op?}" },
);

export const cursorSchema = z.object(
  { x: coordinate("x", 0, BOARD_WIDTH), y: coordinate("y", 0, BOARD_HEIGHT) },
  { error: "a cursor must be an object of {x, y}" },
);

/** A chat message as the live state keeps it (Redis). */
export const chatMessageSchema = z.object({
  user: z.string().max(100),
  text: z.string().max(4 * MAX_CHAT_LENGTH),
  time: z.number().int(),
  colour: z.string().max(20),
  bot: z.literal(true).optional(),
});

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string };

/** Parse untrusted input, turning the first problem into one readable sentence. */
export function parseWith<T>(schema: z.ZodType<T>, input: unknown): ParseResult<T> {
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  const issue = result.error.issues[0];
  if (!issue) return { ok: false, error: "invalid input" };
  return { ok: false, error: issue.message };
}

/** Parse JSON text from outside, then check it as `parseWith` does. */
export function parseJsonWith<T>(schema: z.ZodType<T>, text: string): ParseResult<T> {
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch {
    return { ok: false, error: "not JSON" };
  }
  return parseWith(schema, input);
}

export const parseCircleInput = (input: unknown): ParseResult<CircleRequest> => parseWith(circleInputSchema, input);
export const parseChatInput = (input: unknown): ParseResult<ChatInput> => parseWith(chatInputSchema, input);
export const parseCursor = (input: unknown): ParseResult<CursorPosition> => parseWith(cursorSchema, input);
export const parseChatMessage = (text: string): ParseResult<ChatMessage> => parseJsonWith(chatMessageSchema, text);
export const parseInitials = (input: unknown): ParseResult<string> => parseWith(initialsSchema, input);
export const parseSeq = (input: unknown): ParseResult<number> => parseWith(seqSchema, input);
export const parseHandshake = (query: unknown) => parseWith(handshakeSchema, query);
export const parseBoardName = (input: unknown): ParseResult<string> => parseWith(boardNameSchema, input);
export const parseBoardChanges = (input: unknown): ParseResult<{ board: string; events: StoredEvent[] }> => parseWith(boardChangesSchema, input);
export const parseBoardNotice = (input: unknown): ParseResult<{ board: string; notice: BoardNotice }> => parseWith(boardNoticeSchema, input);
export const parseHandshakeAuth = (auth: unknown) => parseWith(handshakeAuthSchema, auth);
/** A write's operation id, as every payload but an add's carries it (optional). */
type Op = { op?: string | undefined };
export const parseUndoCircle = (input: unknown): ParseResult<({ id?: string | undefined } & Op) | undefined> => parseWith(undoCircleSchema, input);
export const parseClearSeq = (input: unknown): ParseResult<{ seq: number } & Op> => parseWith(clearSeqSchema, input);
export const parseLock = (input: unknown): ParseResult<{ locked: boolean } & Op> => parseWith(lockSchema, input);
export const parseClaim = (input: unknown): ParseResult<({ hostKey?: string | undefined } & Op) | undefined> => parseWith(claimSchema, input);
export const parseRules = (input: unknown): ParseResult<Partial<RoomRules> & Op> => parseWith(rulesSchema, input);
export const parsePlayerRef = (input: unknown): ParseResult<{ id: string } & Op> => parseWith(playerRefSchema, input);
export const parseOperation = (input: unknown): ParseResult<Op | undefined> => parseWith(operationSchema, input);
/** A clear's payload: the lesson's server ignored whatever came with a clear, so only an object is read, for its `op`. */
export const parseClearOperation = (input: unknown): ParseResult<Op | undefined> =>
  typeof input === "object" && input !== null && !Array.isArray(input) ? parseOperation(input) : { ok: true, value: undefined };
export const parseLiveNotice = (text: string): ParseResult<LiveNotice> => parseJsonWith(liveNoticeSchema, text);
export const parseStoredPerson = (text: string): ParseResult<StoredPerson> => parseJsonWith(storedPersonSchema, text);
