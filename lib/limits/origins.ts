/**
 * Which browser origins may use the socket and the API. Browsers always send
 * `Origin` on cross-site requests and WebSocket upgrades, and CORS does not
 * cover upgrades, so the server checks it itself. Requests without `Origin`
 * (scripts, bots, other servers) carry no browser credentials and pass.
 */
export interface OriginPolicy {
  /** Origins allowed besides the app's own, as `scheme://host[:port]`. */
  allowed: readonly string[];
  /** `ALLOWED_ORIGINS=*`: any origin. */
  any: boolean;
}

/** Normalise an origin as browsers send it; undefined when it is not one. */
export function normaliseOrigin(value: string): string | undefined {
  try {
    const url = new URL(value);
    if (url.protocol !== "http:" && url.protocol !== "https:") return undefined;
    return url.origin;
  } catch {
    return undefined;
  }
}

/**
 * Whether a request with this `Origin` and `Host` header may go on. The
 * app's own origin is recognised by host alone, because behind a TLS proxy
 * (Heroku) the browser says https while the app itself is spoken to in http.
 * (A DNS-rebinding page would pass as "own": the app has no accounts or
 * secrets for it to reach, so that is accepted.)
 */
export function isOriginAllowed(origin: string | undefined, host: string | undefined, policy: OriginPolicy): boolean {
  if (origin === undefined) return true;
  if (policy.any) return true;
  const normalised = normaliseOrigin(origin);
  if (normalised === undefined) return false;
  if (host !== undefined && new URL(normalised).host === host.toLowerCase()) return true;
  return policy.allowed.includes(normalised);
}

/** The `origin` option of the cors package (used by Express and Socket.IO alike) for a policy. */
export function corsOrigin(policy: OriginPolicy): true | string[] {
  return policy.any ? true : [...policy.allowed];
}
