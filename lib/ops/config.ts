/**
 * All configuration, read from environment variables in one place and
 * checked at start-up, so a bad value stops the process with a message that
 * names the setting instead of failing later.
 */
import { z } from "zod";
import { normaliseOrigin, type OriginPolicy } from "../limits/origins.js";
import { sslModeOf } from "../store/postgres-connection.js";

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

function integer(name: string, fallback: number, min: number, max: number) {
  return z
    .string()
    .default(String(fallback))
    .transform((raw, ctx) => {
      const value = Number(raw.trim());
      // Digits only: Number() alone would also take "3e3" and "0x10".
      if (!/^\d+$/.test(raw.trim()) || value < min || value > max) {
        ctx.addIssue({ code: "custom", message: `${name} must be a whole number from ${min} to ${max}, not ${JSON.stringify(raw)}` });
        return z.NEVER;
      }
      return value;
    });
}

function oneOf<const T extends readonly [string, ...string[]]>(name: string, values: T, fallback: T[number]) {
  return z.enum(values, { error: (issue) => `${name} must be one of ${values.join(", ")}, not ${JSON.stringify(issue.input)}` }).default(fallback);
}

/** A postgres:// URL pg can use. Messages never repeat the value: it holds a password. */
const databaseUrl = z
  .string()
  .optional()
  .transform((raw, ctx) => {
    if (raw === undefined) return undefined;
    const problem = (message: string) => {
      ctx.addIssue({ code: "custom", message: `DATABASE_URL must be ${message}` });
      return z.NEVER;
    };
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return problem("a URL like postgres://user:password@host:5432/database, and is not a URL");
    }
    if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") {
      return problem(`a postgres:// or postgresql:// URL, not a ${url.protocol} one`);
    }
    if (url.hostname === "" && !url.searchParams.has("host")) return problem("a URL that names a host");
    try {
      sslModeOf(url);
    } catch (error) {
      return problem(`a URL whose ${(error as Error).message.replace("sslmode must be", "sslmode is")}`);
    }
    return raw;
  });

/** A redis:// or rediss:// URL (Heroku Key-Value Store's is rediss://). Messages never repeat the value: it holds a password. */
const redisUrl = z
  .string()
  .optional()
  .transform((raw, ctx) => {
    if (raw === undefined) return undefined;
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      ctx.addIssue({ code: "custom", message: "REDIS_URL must be a URL like redis://host:6379, and is not a URL" });
      return z.NEVER;
    }
    if (url.protocol !== "redis:" && url.protocol !== "rediss:") {
      ctx.addIssue({ code: "custom", message: `REDIS_URL must be a redis:// or rediss:// URL, not a ${url.protocol} one` });
      return z.NEVER;
    }
    return raw;
  });

const envSchema = z
  .object({
    PORT: integer("PORT", 3000, 0, 65535),
    DATA_DIR: z.string().min(1, { error: "DATA_DIR must not be empty" }).default("./data"),
    STORE: oneOf("STORE", ["sqlite", "memory"], "sqlite"),
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    REDIS_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9:_-]{1,64}$/, { error: "REDIS_PREFIX must be 1 to 64 letters, digits, ':', '_' or '-'" })
      .default("circles"),
    MAX_CIRCLES: integer("MAX_CIRCLES", 5000, 1, 1_000_000),
    RATE_LIMIT_PER_SECOND: integer("RATE_LIMIT_PER_SECOND", 20, 1, 100_000),
    RATE_LIMIT_BURST: integer("RATE_LIMIT_BURST", 40, 1, 1_000_000),
    MAX_PAYLOAD_BYTES: integer("MAX_PAYLOAD_BYTES", 4096, 512, 1_048_576),
    LOG_LEVEL: oneOf("LOG_LEVEL", LOG_LEVELS, "info"),
    ALLOWED_ORIGINS: z
      .string()
      .default("")
      .transform((raw, ctx): OriginPolicy => {
        const entries = raw
          .split(",")
          .map((entry) => entry.trim())
          .filter(Boolean);
        if (entries.includes("*")) return { any: true, allowed: [] };
        const allowed: string[] = [];
        for (const entry of entries) {
          const origin = normaliseOrigin(entry);
          if (origin === undefined) {
            ctx.addIssue({
              code: "custom",
              message: `ALLOWED_ORIGINS entries must be origins like https://example.org, not ${JSON.stringify(entry)}`,
            });
          } else {
            allowed.push(origin);
          }
        }
        return { any: false, allowed };
      }),
    TRUST_PROXY: integer("TRUST_PROXY", 0, 0, 10),
    // Heroku's Node buildpack sets it from the dyno's size.
    WEB_CONCURRENCY: integer("WEB_CONCURRENCY", 1, 1, 64),
    // Messages never repeat the value: it is a secret.
    ADMIN_KEY: z
      .string()
      .optional()
      .refine((raw) => raw === undefined || /^[A-Za-z0-9_-]{16,128}$/.test(raw), {
        error: "ADMIN_KEY must be 16 to 128 letters, digits, '_' or '-' (it travels in a link)",
      }),
    BOARD_RETENTION_DAYS: z
      .string()
      .default("30")
      .transform((raw, ctx) => {
        const value = Number(raw.trim());
        // Plain decimals only, so that "1e3" or "0x10" are not read as something else.
        if (!/^\d+(?:\.\d+)?$/.test(raw.trim()) || value > 36_500) {
          ctx.addIssue({
            code: "custom",
            message: `BOARD_RETENTION_DAYS must be a number of days from 0 (keep forever) to 36500, not ${JSON.stringify(raw)}`,
          });
          return z.NEVER;
        }
        return value;
      }),
  })
  // A throwaway board and a database are opposite wishes: say so rather than pick one.
  .refine((env) => !(env.STORE === "memory" && env.DATABASE_URL !== undefined), {
    error: "STORE=memory and DATABASE_URL are both set: unset DATABASE_URL for a board kept in memory, or STORE to keep boards in PostgreSQL",
    when: ({ value }) => {
      const env = value as Record<string, unknown>;
      return env["STORE"] === "memory" && typeof env["DATABASE_URL"] === "string";
    },
  })
  .refine((env) => env.RATE_LIMIT_BURST >= env.RATE_LIMIT_PER_SECOND, {
    error: (issue) => {
      const env = issue.input as { RATE_LIMIT_BURST: number; RATE_LIMIT_PER_SECOND: number };
      return `RATE_LIMIT_BURST (${env.RATE_LIMIT_BURST}) must be at least RATE_LIMIT_PER_SECOND (${env.RATE_LIMIT_PER_SECOND})`;
    },
    // Checked even when other settings are bad, so every problem is listed at once.
    when: ({ value }) => {
      const env = value as Record<string, unknown>;
      return typeof env["RATE_LIMIT_BURST"] === "number" && typeof env["RATE_LIMIT_PER_SECOND"] === "number";
    },
  });

/** Where boards live: PostgreSQL when DATABASE_URL is set, else where STORE says. */
export type StoreConfig = { store: "postgres"; databaseUrl: string } | { store: "sqlite" | "memory" };

export type Config = StoreConfig & {
  port: number;
  dataDir: string;
  maxCircles: number;
  rateLimit: { perSecond: number; burst: number };
  maxPayloadBytes: number;
  logLevel: (typeof LOG_LEVELS)[number];
  origins: OriginPolicy;
  /** How many reverse proxies (Heroku's router: 1) to trust for the client's address. */
  trustProxy: number;
  /** Several nodes share their boards' changes through this Redis; unset: one node. */
  redis: { url: string; prefix: string } | undefined;
  /** Worker processes asked for (see `workers.ts` for how many run). */
  webConcurrency: number;
  /** The operator's key: whoever opens a board with it has the host's powers on every board. */
  adminKey: string | undefined;
  /** Boards with no write and nobody on them for this many days are deleted; 0 keeps them forever. */
  retentionDays: number;
};

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Parse the environment; throws a ConfigError listing every bad setting. */
export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const result = envSchema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `- ${issue.message}`);
    throw new ConfigError(`invalid configuration:\n${problems.join("\n")}`);
  }
  const e = result.data;
  return {
    port: e.PORT,
    dataDir: e.DATA_DIR,
    ...(e.DATABASE_URL === undefined ? { store: e.STORE } : { store: "postgres" as const, databaseUrl: e.DATABASE_URL }),
    maxCircles: e.MAX_CIRCLES,
    rateLimit: { perSecond: e.RATE_LIMIT_PER_SECOND, burst: e.RATE_LIMIT_BURST },
    maxPayloadBytes: e.MAX_PAYLOAD_BYTES,
    logLevel: e.LOG_LEVEL,
    origins: e.ALLOWED_ORIGINS,
    trustProxy: e.TRUST_PROXY,
    redis: e.REDIS_URL === undefined ? undefined : { url: e.REDIS_URL, prefix: e.REDIS_PREFIX },
    webConcurrency: e.WEB_CONCURRENCY,
    adminKey: e.ADMIN_KEY,
    retentionDays: e.BOARD_RETENTION_DAYS,
  };
}
