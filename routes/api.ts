/**
 * The REST API, for clients that cannot hold a socket. It calls the same
 * board service as the socket handlers, so its writes reach every socket,
 * and answers a write once its relay has left, as a socket is answered.
 */
import express, { Router, type ErrorRequestHandler, type Request, type Response } from "express";
import type { BoardService, WriteFailure } from "../lib/board/board-service.js";
import type { Metrics } from "../lib/ops/metrics.js";
import type { LiveState } from "../lib/live-state/live-state.js";
import type { WriteLimiter } from "../lib/limits/rate-limit.js";
import { clientIdSchema, parseBoardName, parseCircleInput, parseWith } from "../lib/protocol/schemas.js";

export interface ApiDeps {
  boards: BoardService;
  presence: Pick<LiveState, "players">;
  maxBodyBytes: number;
  /** Per address, for GETs; writes are limited by the board service. */
  readLimiter: WriteLimiter;
  metrics: Pick<Metrics, "rejected">;
  /** Holds a write's answer until its relay has left, as a socket's is held: whoever hears the answer can count on every socket having been sent the change. */
  afterRelay(board: string, reply: () => void): void;
}

/**
 * `refused`: the board's rules say no (a clear of a board its host locked);
 * `conflict`: the id or Idempotency-Key was used for a different write
 * (422, as the IETF's Idempotency-Key draft answers a key reused with
 * another payload).
 */
const STATUS_OF: Record<WriteFailure["code"], number> = { "rate-limited": 429, unavailable: 503, refused: 403, conflict: 422 };

const idempotencyKeySchema = clientIdSchema("Idempotency-Key").optional();

/** The socket event each write route stands for, to label rejections alike. */
const EVENT_OF: Record<string, string> = { POST: "add-circle", DELETE: "clear-circles" };

export function apiRouter({ boards, presence, maxBodyBytes, readLimiter, metrics, afterRelay }: ApiDeps): Router {
  const router = Router();
  router.use(express.json({ limit: maxBodyBytes, strict: false }));

  /** The validated board name, or undefined after answering 404. */
  const boardOf = (req: Request, res: Response): string | undefined => {
    const board = parseBoardName(req.params["board"]);
    if (board.ok) return board.value;
    res.status(404).json({ error: `no such board: ${board.error}`, code: "invalid" });
    return undefined;
  };
  const addressKey = (req: Request) => `ip:${req.ip ?? "unknown"}`;
  const writer = (req: Request) => ({ key: addressKey(req) });
  const invalid = (res: Response, event: string, error: string) => {
    metrics.rejected(event, "invalid");
    res.status(400).json({ error, code: "invalid" });
  };
  const refused = (res: Response, event: string, { code, error }: WriteFailure) => {
    metrics.rejected(event, code);
    res.status(STATUS_OF[code]).json({ error, code });
  };
  /**
   * The request's Idempotency-Key, which names the write so that a retry
   * with it changes nothing and gets the same answer; undefined after
   * answering 400 for a malformed one.
   */
  const keyOf = (req: Request, res: Response, event: string): { key: string | undefined } | undefined => {
    const key = parseWith(idempotencyKeySchema, req.get("Idempotency-Key"));
    if (key.ok) return { key: key.value };
    invalid(res, event, key.error);
    return undefined;
  };

  router.get("/boards/{*any}", async (req, res, next) => {
    if (await readLimiter.tryConsume(addressKey(req))) return next();
    metrics.rejected("read-board", "rate-limited");
    res.status(429).json({ error: "rate limited", code: "rate-limited" });
  });

  // The circles' JSON is built once per version of the board and shared by every reader.
  router.get("/boards/:board", async (req, res) => {
    const board = boardOf(req, res);
    if (!board) return;
    const live = await boards.read(board);
    const head = JSON.stringify({ board, seq: live.seq, players: presence.players(board) }).slice(0, -1);
    res.type("json").send(`${head},"circles":${live.circlesJson()}}`);
  });

  router.get("/boards/:board/circles", async (req, res) => {
    const board = boardOf(req, res);
    if (!board) return;
    res.type("json").send((await boards.read(board)).circlesJson());
  });

  router.post("/boards/:board/circles", async (req, res) => {
    const board = boardOf(req, res);
    if (!board) return;
    const input = parseCircleInput(req.body);
    if (!input.ok) return invalid(res, "add-circle", input.error);
    const named = keyOf(req, res, "add-circle");
    if (!named) return;
    // The key names the circle, as a socket client's id does.
    const { id = named.key } = input.value;
    if (named.key !== undefined && id !== named.key)
      return invalid(res, "add-circle", "the body's id and the Idempotency-Key differ: send one, or the same");
    const result = await boards.addCircle(board, { ...input.value, id }, writer(req));
    if (!result.ok) return refused(res, "add-circle", result);
    afterRelay(board, () =>
      res
        .status(201)
        .location(`/api/boards/${board}/circles`)
        .json({ ...result.circle, seq: result.seq }),
    );
  });

  router.delete("/boards/:board/circles", async (req, res) => {
    const board = boardOf(req, res);
    if (!board) return;
    const named = keyOf(req, res, "clear-circles");
    if (!named) return;
    const result = await boards.clear(board, writer(req), named.key);
    if (!result.ok) return refused(res, "clear-circles", result);
    afterRelay(board, () => res.status(204).end());
  });

  router.use((req, res) => {
    res.status(404).json({ error: `no route for ${req.method} ${req.baseUrl}${req.path}`, code: "invalid" });
  });

  // Bodies the JSON parser refused are rejected payloads too; the app's error handler answers.
  const countRefusedBodies: ErrorRequestHandler = (error: { type?: unknown }, req, _res, next) => {
    const event = EVENT_OF[req.method];
    if (event && error?.type === "entity.parse.failed") metrics.rejected(event, "invalid");
    if (event && error?.type === "entity.too.large") metrics.rejected(event, "too-large");
    next(error);
  };
  router.use(countRefusedBodies);

  return router;
}
