/** The HTML pages: one per board, and a 404 page for everything else. */
import { Router, type Request } from "express";
import QRCode from "qrcode";
import { boardPath, DEFAULT_BOARD, MAX_INITIALS_LENGTH } from "../lib/protocol/rules.js";
import { parseBoardName } from "../lib/protocol/schemas.js";

export const QR_CODE_LABEL = "QR code for this board's link";

/** A host name or address with an optional port: anything else in `Host` is not put into a link. */
const PLAIN_HOST = /^(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/** The board's absolute address as this request reached it (through `TRUST_PROXY` proxies), or null when the Host header is odd. */
export function boardUrl(req: Request, board: string): string | null {
  const host = req.host;
  if (!host || !PLAIN_HOST.test(host)) return null;
  return `${req.protocol}://${host}${boardPath(board)}`;
}

/**
 * The link as an inline SVG QR code, made on the server so that the browser
 * bundle does not carry an encoder. Inline, because the Content-Security-Policy
 * lets in no data: images; its colours are presentation attributes, not
 * styles, which the policy would refuse.
 */
export async function qrCodeSvg(url: string): Promise<string> {
  const svg = await QRCode.toString(url, { type: "svg", errorCorrectionLevel: "M", margin: 4 });
  return svg.replace("<svg ", `<svg class="qr-code" role="img" aria-label="${QR_CODE_LABEL}" `);
}

export interface PagesOptions {
  /** Days an unused board is kept (BOARD_RETENTION_DAYS); 0: for ever. The page says so. */
  retentionDays: number;
}

export function pagesRouter({ retentionDays }: PagesOptions): Router {
  const router = Router();
  const renderBoard = async (req: Request, board: string) => {
    const url = boardUrl(req, board);
    return {
      board,
      initialsMaxLength: MAX_INITIALS_LENGTH,
      boardUrl: url,
      qrCode: url === null ? null : await qrCodeSvg(url),
      retentionDays,
    };
  };

  router.get("/", async (req, res) => res.render("board", await renderBoard(req, DEFAULT_BOARD)));

  router.get("/b/:board", async (req, res, next) => {
    const board = parseBoardName(req.params.board);
    if (!board.ok) return next();
    // One address per board, whatever case it was typed in, so links and bookmarks agree.
    if (board.value !== req.params.board) return res.redirect(308, `/b/${board.value}${queryOf(req)}`);
    res.render("board", await renderBoard(req, board.value));
  });

  // The presenter screen for the projector: the board, live, with its link and QR code.
  router.get("/present", async (req, res) => res.render("present", await renderPresent(req, DEFAULT_BOARD)));

  router.get("/b/:board/present", async (req, res, next) => {
    const board = parseBoardName(req.params.board);
    if (!board.ok) return next();
    if (board.value !== req.params.board) return res.redirect(308, `/b/${board.value}/present${queryOf(req)}`);
    res.render("present", await renderPresent(req, board.value));
  });

  return router;
}

/** The request's query string with its `?`, or nothing. */
function queryOf(req: Request): string {
  const query = req.originalUrl.indexOf("?");
  return query === -1 ? "" : req.originalUrl.slice(query);
}

/**
 * What the presenter screen shows: the board's page link (the one players
 * open, not this screen's), split where it may wrap in large type, and its QR
 * code. With an odd Host header there is no absolute link: the path alone.
 */
async function renderPresent(req: Request, board: string) {
  const url = boardUrl(req, board);
  const path = boardPath(board);
  return {
    board,
    boardUrl: url ?? path,
    linkOrigin: url === null ? "" : url.slice(0, url.length - path.length),
    linkPath: path,
    qrCode: url === null ? null : await qrCodeSvg(url),
  };
}
