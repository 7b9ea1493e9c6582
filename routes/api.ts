/**
 * The REST API, for clients that cannot hold a socket. It calls the same
 * board service as the socket handlers, so its writes reach every socket.
 */
import express, { Router, type ErrorRequestHandler, type Request, type Response } from "express";
import type { BoardService, WriteFailure } from "../lib/board/board-service.js";
import type { Metrics } from "../lib/ops/metrics.js";
import type { LiveState } from "../lib/live-state/live-state.js";
import type { WriteLimiter } from "../lib/limits/rate-limit.js";
import { parseBoardName, parseCircleInput } from "../lib/protocol/schemas.js";

export interface ApiDeps {
  boards: BoardService;
  presence: Pick<LiveState, "players">;
  maxBodyBytes: number;
  /** Per address, for GETs; writes are limited by the board service. */
  readLimiter: WriteLimiter;
  metrics: Pick<Metrics, "rejected">;
}

/** `refused`: the board's rules say no (a clear of a board its host locked). */
const STATUS_OF: Record<WriteFailure["reason"], number> = { "rate-limited": 429, unavailable: 503, refused: 403 };

/** The socket event each write route stands for, to label rejections alike. */
const EVENT_OF: Record<string, string> = { POST: "add-circle", DELETE: "clear-circles" };

export function apiRouter({ boards, presence, maxBodyBytes, readLimiter, metrics }: ApiDeps): Router {
  const router = Router();
  router.use(express.json({ limit: maxBodyBytes, strict: false }));

  /** The validated board name, or undefined after answering 404. */
  const boardOf = (req: Request, res: Response): string | undefined => {
    const board = parseBoardName(req.params["board"]);
    if (board.ok) return board.value;
    res.status(404).json({ error: `no such board: ${board.error}` });
    return undefined;
  };
  const addressKey = (req: Request) => `ip:${req.ip ?? "unknown"}`;
  const writer = (req: Request) => ({ key: addressKey(req) });

  router.get("/boards/{*any}", async (req, res, next) => {
    if (await readLimiter.tryConsume(addressKey(req))) return next();
    metrics.rejected("read-board", "rate-limited");
    res.status(429).json({ error: "rate limited" });
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
    if (!input.ok) {
      metrics.rejected("add-circle", "invalid");
      return void res.status(400).json({ error: input.error });
    }
    const result = await boards.addCircle(board, input.value, writer(req));
    if (!result.ok) {
      metrics.rejected("add-circle", result.reason);
      return void res.status(STATUS_OF[result.reason]).json({ error: result.error });
    }
    res
      .status(201)
      .location(`/api/boards/${board}/circles`)
      .json({ ...result.circle, seq: result.seq });
  });

  router.delete("/boards/:board/circles", async (req, res) => {
    const board = boardOf(req, res);
    if (!board) return;
    const result = await boards.clear(board, writer(req));
    if (!result.ok) {
      metrics.rejected("clear-circles", result.reason);
      return void res.status(STATUS_OF[result.reason]).json({ error: result.error });
    }
    res.status(204).end();
  });

  router.use((req, res) => {
    res.status(404).json({ error: `no route for ${req.method} ${req.baseUrl}${req.path}` });
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
