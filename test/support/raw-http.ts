/**
 * HTTP requests sent exactly as written: `fetch` normalises paths (`..`,
 * `%2e%2e`, backslashes) and refuses some methods, which would hide the very
 * requests a robustness test wants the server to see.
 */
import http from "node:http";

export interface RawRequest {
  method: string;
  /** Sent verbatim; only characters U+0021–U+00FF are allowed by Node. */
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A connection per request: a server may close one after refusing a body unread, and a
 * reused socket would then fail the next request for reasons of the client's making. */
const agent = new http.Agent({ keepAlive: false });

export function rawRequest(baseUrl: string, request: RawRequest, timeoutMs = 5000): Promise<RawResponse> {
  const { hostname, port } = new URL(baseUrl);
  const headers = { ...request.headers };
  // Always stated, so a body on GET or DELETE is sent as a body, never as the next request.
  if (request.body !== undefined) headers["content-length"] = String(Buffer.byteLength(request.body));
  return new Promise((resolve, reject) => {
    const req = http.request({ host: hostname, port, method: request.method, path: request.path, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
      res.on("error", reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer to ${request.method} ${request.path} within ${timeoutMs} ms`)));
    req.on("error", reject);
    if (request.body !== undefined) req.write(request.body);
    req.end();
  });
}
