/** The HTML pages: one per board, and a 404 page for everything else. */
import { Router } from "express";
import { BOARD_HEIGHT, BOARD_WIDTH, DEFAULT_BOARD } from "../lib/rules.js";
import { parseBoardName } from "../lib/schemas.js";

export function pagesRouter(): Router {
  const router = Router();
  const renderBoard = (board: string) => ({ board, boardWidth: BOARD_WIDTH, boardHeight: BOARD_HEIGHT });

  router.get("/", (_req, res) => res.render("board", renderBoard(DEFAULT_BOARD)));

  router.get("/b/:board", (req, res, next) => {
    const board = parseBoardName(req.params.board);
    if (!board.ok) return next();
    res.render("board", renderBoard(board.value));
  });

  return router;
}
