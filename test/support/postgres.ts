/**
 * Databases of their own on the machine's PostgreSQL (127.0.0.1:5432, trust
 * authentication), for tests: each made fresh and empty, all dropped by
 * `dropTestDatabases` (call it in afterAll).
 */
import { randomBytes } from "node:crypto";
import pg from "pg";

export const POSTGRES_SERVER = "127.0.0.1:5432";
const ADMIN_URL = `postgres://postgres@${POSTGRES_SERVER}/postgres`;
const databases: string[] = [];

/** A fresh, empty database; its URL. */
export async function createTestDatabase(): Promise<string> {
  const name = `circles_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 5000 });
  try {
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
  } catch (error) {
    throw new Error(
      `these tests need PostgreSQL at ${POSTGRES_SERVER}, trusting local connections as user postgres; ` +
        `.ci/run starts it with \`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start\` ` +
        `(${error instanceof Error ? error.message || error.name : String(error)})`,
      { cause: error },
    );
  } finally {
    await admin.end().catch(() => undefined);
  }
  databases.push(name);
  return `postgres://postgres@${POSTGRES_SERVER}/${name}`;
}

export async function dropTestDatabases(): Promise<void> {
  if (databases.length === 0) return; // PostgreSQL was not there: createTestDatabase said so
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    // FORCE: a test that failed half-way may have left a connection open.
    for (const name of databases.splice(0)) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
