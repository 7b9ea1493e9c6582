/**
 * One log line per HTTP request, written when the response is done: method,
 * URL, client address, status and time taken; no headers (cookies) and no
 * bodies. Mount it after the static files and the ops routes, which it
 * should not log.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Request } from "express";
import { pinoHttp, type HttpLogger, type StdSerializedResults } from "pino-http";
import type { Logger } from "../lib/ops/logger.js";

export function requestLogger(logger: Logger): HttpLogger {
  return pinoHttp({
    logger,
    serializers: {
      // pino-http hands these its standard serialization; keep what says what happened.
      req: ({ id, method, url, raw }: StdSerializedResults["req"]) => ({
        id,
        method,
        url,
        // Express's `req.ip` follows the "trust proxy" setting, unlike the socket's address.
        ip: (raw as Partial<Request>).ip ?? raw.socket?.remoteAddress,
      }),
      res: ({ statusCode }: StdSerializedResults["res"]) => ({ statusCode }),
    },
    customLogLevel: (_req: IncomingMessage, res: ServerResponse, error?: Error) => (error || res.statusCode >= 500 ? "error" : "info"),
  });
}
