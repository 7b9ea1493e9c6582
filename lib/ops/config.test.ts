import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config.js";

/** The ConfigError loadConfig throws for `env`; fails the test when it throws nothing or something else. */
function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`expected loadConfig(${JSON.stringify(env)}) to throw`);
}

describe("loadConfig", () => {
  it("uses the defaults for an empty environment", () => {
    expect(loadConfig({})).toEqual({
      port: 3000,
      dataDir: "./data",
      store: "sqlite",
      maxCircles: 5000,
      rateLimit: { perSecond: 20, burst: 40 },
      maxPayloadBytes: 4096,
      logLevel: "info",
      origins: { any: false, allowed: [] },
      trustProxy: 0,
      redis: undefined,
      webConcurrency: 1,
      adminKey: undefined,
      retentionDays: 30,
    });
  });

  it("reads every variable", () => {
    expect(
      loadConfig({
        PORT: "8080",
        DATA_DIR: "/var/lib/circles",
        STORE: "memory",
        MAX_CIRCLES: "250",
        RATE_LIMIT_PER_SECOND: "5",
        RATE_LIMIT_BURST: "12",
        MAX_PAYLOAD_BYTES: "2048",
        LOG_LEVEL: "debug",
        ALLOWED_ORIGINS: "https://school.example, http://localhost:8080/",
        TRUST_PROXY: "1",
        REDIS_URL: "redis://127.0.0.1:6379",
        REDIS_PREFIX: "school",
        WEB_CONCURRENCY: "3",
        ADMIN_KEY: "a-long-operator-secret_42",
        BOARD_RETENTION_DAYS: "7.5",
      }),
    ).toEqual({
      port: 8080,
      dataDir: "/var/lib/circles",
      store: "memory",
      maxCircles: 250,
      rateLimit: { perSecond: 5, burst: 12 },
      maxPayloadBytes: 2048,
      logLevel: "debug",
      origins: { any: false, allowed: ["https://school.example", "http://localhost:8080"] },
      trustProxy: 1,
      redis: { url: "redis://127.0.0.1:6379", prefix: "school" },
      webConcurrency: 3,
      adminKey: "a-long-operator-secret_42",
      retentionDays: 7.5,
    });
  });

  it("keeps boards in PostgreSQL when DATABASE_URL is set, over STORE=sqlite", () => {
    const databaseUrl = "postgres://u:p@ec2-1-2-3-4.compute-1.amazonaws.com:5432/d8x";
    expect(loadConfig({ DATABASE_URL: databaseUrl })).toMatchObject({ store: "postgres", databaseUrl });
    expect(loadConfig({ DATABASE_URL: databaseUrl, STORE: "sqlite" })).toMatchObject({ store: "postgres", databaseUrl });
  });

  it.each(["postgresql://localhost/circles", "postgres://u@db.example/circles?sslmode=verify-full", "postgres:///circles?host=/var/run/postgresql"])(
    "accepts DATABASE_URL=%s",
    (url) => {
      expect(loadConfig({ DATABASE_URL: url })).toMatchObject({ store: "postgres", databaseUrl: url });
    },
  );

  it.each([
    ["", "a URL like postgres://user:password@host:5432/database, and is not a URL"],
    ["db.example:5432", "a postgres:// or postgresql:// URL, not a db.example: one"],
    ["mysql://root:hunter2@db.example/circles", "a postgres:// or postgresql:// URL, not a mysql: one"],
    ["postgres:///circles", "a URL that names a host"],
    [
      "postgres://u:hunter2@db.example/circles?sslmode=on",
      'a URL whose sslmode is one of disable, prefer, require, no-verify, verify-ca, verify-full, not "on"',
    ],
  ])("refuses DATABASE_URL=%j, saying why without repeating it", (url, why) => {
    const { message } = configError({ DATABASE_URL: url });
    expect(message).toBe(`invalid configuration:\n- DATABASE_URL must be ${why}`);
    expect(message).not.toContain("hunter2");
  });

  it("links nodes through Redis when REDIS_URL is set, under REDIS_PREFIX (circles by default)", () => {
    expect(loadConfig({}).redis).toBeUndefined();
    expect(loadConfig({ REDIS_URL: "redis://127.0.0.1:6379" }).redis).toEqual({ url: "redis://127.0.0.1:6379", prefix: "circles" });
    expect(loadConfig({ REDIS_URL: "rediss://:secret@kv.example:6380", REDIS_PREFIX: "app-2:live" }).redis).toEqual({
      url: "rediss://:secret@kv.example:6380",
      prefix: "app-2:live",
    });
  });

  it.each([
    ["not a url", "REDIS_URL must be a URL like redis://host:6379, and is not a URL"],
    ["http://:secret@kv.example:6379", "REDIS_URL must be a redis:// or rediss:// URL, not a http: one"],
  ])("refuses REDIS_URL=%j, saying why without repeating it", (url, why) => {
    const { message } = configError({ REDIS_URL: url });
    expect(message).toBe(`invalid configuration:\n- ${why}`);
    expect(message).not.toContain("secret");
  });

  it.each(["", "has space", "x".repeat(65)])("refuses REDIS_PREFIX=%j", (prefix) => {
    expect(configError({ REDIS_PREFIX: prefix }).message).toBe(
      "invalid configuration:\n- REDIS_PREFIX must be 1 to 64 letters, digits, ':', '_' or '-'",
    );
  });

  it("refuses STORE=memory together with DATABASE_URL, naming both", () => {
    expect(configError({ STORE: "memory", DATABASE_URL: "postgres://db.example/circles" }).message).toBe(
      "invalid configuration:\n- STORE=memory and DATABASE_URL are both set: " +
        "unset DATABASE_URL for a board kept in memory, or STORE to keep boards in PostgreSQL",
    );
  });

  it("takes ALLOWED_ORIGINS=* as any origin", () => {
    expect(loadConfig({ ALLOWED_ORIGINS: "*" }).origins).toEqual({ any: true, allowed: [] });
  });

  it("refuses an ALLOWED_ORIGINS entry that is not an origin, naming it", () => {
    const { message } = configError({ ALLOWED_ORIGINS: "https://ok.example,not a url,ftp://files.example" });
    expect(message).toContain('"not a url"');
    expect(message).toContain('"ftp://files.example"');
    expect(message).not.toContain("ok.example");
  });

  it("ignores unrelated variables", () => {
    expect(loadConfig({ HOME: "/root", NODE_ENV: "production", PORT: "1234" }).port).toBe(1234);
  });

  it.each([
    ["PORT", "0", { port: 0 }],
    ["PORT", "65535", { port: 65535 }],
    ["PORT", " 4000 ", { port: 4000 }],
    ["MAX_CIRCLES", "1", { maxCircles: 1 }],
    ["MAX_PAYLOAD_BYTES", "512", { maxPayloadBytes: 512 }],
    ["STORE", "sqlite", { store: "sqlite" }],
    ["LOG_LEVEL", "silent", { logLevel: "silent" }],
    ["BOARD_RETENTION_DAYS", "0", { retentionDays: 0 }],
    ["BOARD_RETENTION_DAYS", "0.0001", { retentionDays: 0.0001 }],
    ["BOARD_RETENTION_DAYS", " 365 ", { retentionDays: 365 }],
  ])("accepts %s=%j", (name, value, expected) => {
    expect(loadConfig({ [name]: value })).toMatchObject(expected);
  });

  it("accepts a burst equal to the per-second rate", () => {
    expect(loadConfig({ RATE_LIMIT_PER_SECOND: "7", RATE_LIMIT_BURST: "7" }).rateLimit).toEqual({ perSecond: 7, burst: 7 });
  });

  it.each([
    ["PORT", "abc"],
    ["PORT", "70000"],
    ["PORT", "-1"],
    ["PORT", ""],
    ["MAX_CIRCLES", "0"],
    ["MAX_CIRCLES", "1.5"],
    ["RATE_LIMIT_PER_SECOND", "0"],
    ["RATE_LIMIT_BURST", "lots"],
    ["MAX_PAYLOAD_BYTES", "100"],
    ["LOG_LEVEL", "loud"],
    ["STORE", "mongo"],
  ])("refuses %s=%j, naming the setting and the value", (name, value) => {
    const { message } = configError({ [name]: value });
    expect(message).toContain(name);
    expect(message).toContain(JSON.stringify(value));
  });

  it("says what a whole-number setting must be", () => {
    expect(configError({ PORT: "70000" }).message).toBe('invalid configuration:\n- PORT must be a whole number from 0 to 65535, not "70000"');
  });

  it("refuses an empty DATA_DIR", () => {
    expect(configError({ DATA_DIR: "" }).message).toContain("DATA_DIR must not be empty");
  });

  it("refuses a burst smaller than the per-second rate, naming both settings and values", () => {
    const { message } = configError({ RATE_LIMIT_PER_SECOND: "10", RATE_LIMIT_BURST: "5" });
    expect(message).toContain("RATE_LIMIT_BURST (5)");
    expect(message).toContain("RATE_LIMIT_PER_SECOND (10)");
  });

  it("lists every bad setting at once", () => {
    const { message } = configError({ PORT: "abc", MAX_CIRCLES: "0", LOG_LEVEL: "loud", STORE: "mongo" });
    const lines = message.split("\n").filter((line) => line.startsWith("- "));
    expect(lines).toHaveLength(4);
    for (const name of ["PORT", "MAX_CIRCLES", "LOG_LEVEL", "STORE"]) {
      expect(lines.some((line) => line.startsWith(`- ${name} `))).toBe(true);
    }
  });

  it("lists a burst below the rate together with the other bad settings", () => {
    const { message } = configError({ PORT: "abc", RATE_LIMIT_PER_SECOND: "10", RATE_LIMIT_BURST: "5" });
    expect(message).toContain("PORT");
    expect(message).toContain("RATE_LIMIT_BURST (5)");
  });

  it.each(["-1", "1e3", "0x10", "abc", "", "36501", ".5"])("refuses BOARD_RETENTION_DAYS=%j, saying what it must be", (value) => {
    expect(configError({ BOARD_RETENTION_DAYS: value }).message).toContain(
      `BOARD_RETENTION_DAYS must be a number of days from 0 (keep forever) to 36500, not ${JSON.stringify(value)}`,
    );
  });

  it.each(["short", "has spaces in it here", "x".repeat(129), "semi;colon-key-value"])("refuses ADMIN_KEY=%j without repeating it", (value) => {
    const { message } = configError({ ADMIN_KEY: value });
    expect(message).toContain("ADMIN_KEY must be 16 to 128 letters, digits, '_' or '-'");
    expect(message).not.toContain(value);
  });
});
