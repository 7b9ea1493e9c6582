/**
 * How PostgresStore connects: `DATABASE_URL` turned into `pg` pool options,
 * TLS included.
 */
import type { PoolConfig } from "pg";

/**
 * The `sslmode` values understood, with libpq's (psql's) meanings, which
 * `pg` (before v9) does not give them: it verifies the certificate for
 * `require` too, and that fails against Heroku Postgres, whose certificate
 * no public authority signed.
 */
export const SSL_MODES = ["disable", "prefer", "require", "no-verify", "verify-ca", "verify-full"] as const;
export type SslMode = (typeof SSL_MODES)[number];

const LOCAL_HOSTS = new Set(["", "localhost", "127.0.0.1", "[::1]"]);

/** A host on this machine, or a Unix socket (`?host=/run/postgresql`), where TLS buys nothing. */
function isLocal(url: URL): boolean {
  const host = url.searchParams.get("host");
  return host === null ? LOCAL_HOSTS.has(url.hostname) : host.startsWith("/") || LOCAL_HOSTS.has(host);
}

/**
 * TLS for a mode. Unset means `disable` for a local server and `require`
 * elsewhere: Heroku's DATABASE_URL names no sslmode, yet its servers refuse
 * plain connections. `prefer` cannot fall back to plain text in `pg`, so it
 * is `require`. `verify-ca` checks the chain but not the host name.
 */
function tlsFor(mode: SslMode | undefined, url: URL): PoolConfig["ssl"] {
  switch (mode ?? (isLocal(url) ? "disable" : "require")) {
    case "disable":
      return false;
    case "prefer":
    case "require":
    case "no-verify":
      return { rejectUnauthorized: false };
    case "verify-ca":
      return { checkServerIdentity: () => undefined };
    case "verify-full":
      return true;
  }
}

/** The mode a URL names; undefined when none. Throws when it names one not in SSL_MODES. */
export function sslModeOf(url: URL): SslMode | undefined {
  const mode = url.searchParams.get("sslmode");
  if (mode === null) return undefined;
  if ((SSL_MODES as readonly string[]).includes(mode)) return mode as SslMode;
  throw new Error(`sslmode must be one of ${SSL_MODES.join(", ")}, not ${JSON.stringify(mode)}`);
}

/**
 * Pool options for a postgres:// URL. `sslmode` is taken out of the URL
 * because `pg` would otherwise read it again, with its own meaning, over
 * the `ssl` option given here; everything else in the URL (credentials,
 * `sslrootcert`, `application_name`, ...) is left to `pg`.
 */
export function connectionOptions(databaseUrl: string): Pick<PoolConfig, "connectionString" | "ssl"> {
  const url = new URL(databaseUrl);
  const ssl = tlsFor(sslModeOf(url), url);
  url.searchParams.delete("sslmode");
  return { connectionString: url.toString(), ssl };
}

/** Where a URL points, for messages: never its credentials. */
export function describeDatabase(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  return `${url.host || url.searchParams.get("host") || "localhost"}${url.pathname}`;
}
