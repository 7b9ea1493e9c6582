/**
 * The address a request came from, seen through `trustedHops` reverse
 * proxies (Heroku's router is one), the way Express's `trust proxy` sees it.
 */
import type { IncomingMessage } from "node:http";
import proxyaddr from "proxy-addr";

export function clientAddress(request: IncomingMessage, trustedHops: number): string {
  return proxyaddr(request, (_address, hop) => hop < trustedHops);
}
