/**
 * The PostgreSQL schema of PostgresStore and its migrations, run at open.
 * Several servers may start at once against one database, so migrating
 * holds an advisory lock: one migrates, the others wait and find it done.
 */
import type { ClientBase } from "pg";

/** Any number, the same in every release: it names the migration lock in pg_locks. */
const MIGRATION_LOCK = 0x63697263; // "circ"

/**
 * Each entry moves the schema one version up; `schema_version` holds one
 * row per entry applied. Append only: never edit one that shipped.
 */
const MIGRATIONS = [
  // 1. A board's row holds its seq (its last change) and, kept in step by the
  // same transactions, its circle count, so checking the cap costs one row.
  // The row outlives a clear, so seqs are never reused. Updating it locks
  // it, which is what keeps seqs unique across servers sharing the database.
  // A circle's seq is the board's seq of its add, which orders the board.
  `CREATE TABLE boards (
     board text PRIMARY KEY,
     seq bigint NOT NULL,
     circle_count integer NOT NULL
   );
   CREATE TABLE circles (
     board text NOT NULL REFERENCES boards,
     seq bigint NOT NULL,
     id text NOT NULL UNIQUE,
     initials text NOT NULL,
     x double precision NOT NULL,
     y double precision NOT NULL,
     dia double precision NOT NULL,
     rgba text NOT NULL,
     created_at bigint NOT NULL,
     PRIMARY KEY (board, seq)
   );`,
  // 2. Undo and hosts. A circle's owner is a hash of its player's key; older
  // circles have none, and cannot be undone. cleared_circles keeps what each
  // board's last clear removed (position: their seq, so their order), for the
  // clear cleared_seq made at cleared_at. A board's host is a hash of the
  // host's key; locked lets only the host clear.
  `ALTER TABLE circles ADD COLUMN owner text;
   ALTER TABLE boards ADD COLUMN host text,
     ADD COLUMN locked boolean NOT NULL DEFAULT false,
     ADD COLUMN cleared_seq bigint,
     ADD COLUMN cleared_at bigint;
   CREATE TABLE cleared_circles (
     board text NOT NULL REFERENCES boards,
     position bigint NOT NULL,
     id text NOT NULL,
     initials text NOT NULL,
     x double precision NOT NULL,
     y double precision NOT NULL,
     dia double precision NOT NULL,
     rgba text NOT NULL,
     created_at bigint NOT NULL,
     owner text,
     PRIMARY KEY (board, position)
   );`,
  // 3. The host's rules, removed players, and each board's last use.
  // draw_rule and chat_rule say who may draw and chat ('everyone' or 'host').
  // removed_players keeps the owners (player key hashes) the host removed out
  // of the board, in the order removed (position). last_used (ms since the
  // epoch) is the board's last write or touch, for sweeping unused boards:
  // the boards already here count as used at the migration (a default
  // evaluated once, so no table rewrite), so that an upgrade sweeps nothing
  // at once; a row made later without one (a batch making the rows it
  // locks) is unused until a change marks it. Deleting a board's row
  // deletes the rest of it, so a delete or a sweep is one statement.
  `ALTER TABLE boards ADD COLUMN draw_rule text NOT NULL DEFAULT 'everyone',
     ADD COLUMN chat_rule text NOT NULL DEFAULT 'everyone',
     ADD COLUMN last_used bigint NOT NULL DEFAULT (extract(epoch FROM now()) * 1000)::bigint;
   ALTER TABLE boards ALTER COLUMN last_used SET DEFAULT 0;
   CREATE INDEX boards_last_used ON boards (last_used);
   ALTER TABLE circles DROP CONSTRAINT circles_board_fkey,
     ADD CONSTRAINT circles_board_fkey FOREIGN KEY (board) REFERENCES boards ON DELETE CASCADE;
   ALTER TABLE cleared_circles DROP CONSTRAINT cleared_circles_board_fkey,
     ADD CONSTRAINT cleared_circles_board_fkey FOREIGN KEY (board) REFERENCES boards ON DELETE CASCADE;
   CREATE TABLE removed_players (
     board text NOT NULL REFERENCES boards ON DELETE CASCADE,
     owner text NOT NULL,
     id text NOT NULL,
     initials text NOT NULL,
     position bigint NOT NULL,
     PRIMARY KEY (board, owner)
   );`,
  // 4. Named writes (see `Once`). An add's name is its circle's row, while
  // the board or its last clear keeps it: add_seq is the board's seq of the
  // add (a restored circle's seq is the restore's; it keeps its add's),
  // fingerprint what the add was. Rows from before have neither: their ids
  // are taken by no write a client may send. cleared_circles gets an index
  // to find an id in. Circle ids are chosen by clients now, so they are
  // unique per board, not across boards. write_names keeps, per board, the
  // names of the other writes that took effect, and of the circles gone for
  // good (undone, removed by the host, or forgotten by a later clear; one the
  // cap drops is forgotten, name and all): what the write was (fingerprint,
  // NULL as above), its answer (JSON text) and until when (ms since the
  // epoch; NULL: as long as the board). It has no foreign key to boards: a
  // deletion keeps its own name.
  `ALTER TABLE circles DROP CONSTRAINT circles_id_key,
     ADD CONSTRAINT circles_board_id_key UNIQUE (board, id),
     ADD COLUMN add_seq bigint,
     ADD COLUMN fingerprint text;
   ALTER TABLE cleared_circles ADD COLUMN add_seq bigint,
     ADD COLUMN fingerprint text;
   CREATE INDEX cleared_circles_board_id ON cleared_circles (board, id);
   CREATE TABLE write_names (
     board text NOT NULL,
     id text NOT NULL,
     fingerprint text,
     value text,
     keep_until bigint,
     PRIMARY KEY (board, id)
   );
   CREATE INDEX write_names_keep_until ON write_names (keep_until) WHERE keep_until IS NOT NULL;`,
];

/** The version `migrate` leaves a database at. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** Brings the database's schema up to this release's; throws if it is newer. */
export async function migrate(client: ClientBase): Promise<void> {
  await client.query("BEGIN");
  try {
    await client.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
    await client.query(
      `CREATE TABLE IF NOT EXISTS schema_version (
         version integer PRIMARY KEY,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const { rows } = await client.query<{ version: number }>("SELECT coalesce(max(version), 0) AS version FROM schema_version");
    const version = rows[0]?.version ?? 0;
    if (version > SCHEMA_VERSION) {
      throw new Error(`its schema version ${version} is newer than this release knows (${SCHEMA_VERSION})`);
    }
    for (const [index, sql] of MIGRATIONS.entries()) {
      if (index < version) continue;
      await client.query(sql);
      await client.query("INSERT INTO schema_version (version) VALUES ($1)", [index + 1]);
    }
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}
