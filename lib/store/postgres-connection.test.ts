import { describe, expect, it } from "vitest";
import { connectionOptions, describeDatabase, sslModeOf } from "./postgres-connection.js";

/** The ssl option, checkServerIdentity turned into whether it skips the host name check. */
function tls(url: string) {
  const { ssl } = connectionOptions(url);
  if (typeof ssl !== "object") return ssl;
  const { checkServerIdentity, ...rest } = ssl;
  return checkServerIdentity === undefined ? rest : { ...rest, skipsHostCheck: checkServerIdentity("h", {} as never) === undefined };
}

describe("connectionOptions", () => {
  it("uses TLS without verifying the certificate for a remote server whose URL names no sslmode, as Heroku's", () => {
    expect(connectionOptions("postgres://u:p@ec2-1-2-3-4.compute-1.amazonaws.com:5432/d8x")).toStrictEqual({
      connectionString: "postgres://u:p@ec2-1-2-3-4.compute-1.amazonaws.com:5432/d8x",
      ssl: { rejectUnauthorized: false },
    });
  });

  it.each(["localhost", "127.0.0.1", "[::1]"])("uses no TLS for %s when no sslmode is named", (host) => {
    expect(tls(`postgres://u@${host}:5432/db`)).toBe(false);
  });

  it("uses no TLS for a Unix socket named by ?host=", () => {
    expect(tls("postgres:///db?host=/var/run/postgresql")).toBe(false);
  });

  it.each([
    ["disable", false],
    ["prefer", { rejectUnauthorized: false }],
    ["require", { rejectUnauthorized: false }],
    ["no-verify", { rejectUnauthorized: false }],
    ["verify-ca", { skipsHostCheck: true }],
    ["verify-full", true],
  ])("gives sslmode=%s its libpq meaning, for remote and local servers alike", (mode, expected) => {
    expect(tls(`postgres://u:p@db.example:5432/db?sslmode=${mode}`)).toStrictEqual(expected);
    expect(tls(`postgresql://u:p@localhost/db?sslmode=${mode}`)).toStrictEqual(expected);
  });

  it("takes sslmode out of the URL, so that pg cannot read it again with its own meaning, and keeps the rest", () => {
    expect(connectionOptions("postgres://us%40er:p%2Fw@db.example:6543/db?application_name=circles&sslmode=require").connectionString).toBe(
      "postgres://us%40er:p%2Fw@db.example:6543/db?application_name=circles",
    );
  });

  it("refuses an sslmode it does not know, naming the known ones", () => {
    expect(() => sslModeOf(new URL("postgres://h/db?sslmode=maybe"))).toThrow(
      'sslmode must be one of disable, prefer, require, no-verify, verify-ca, verify-full, not "maybe"',
    );
  });
});

describe("describeDatabase", () => {
  it("names the host, port and database, never the credentials", () => {
    expect(describeDatabase("postgres://user:hunter2@db.example:5433/circles?sslmode=require")).toBe("db.example:5433/circles");
  });
});
