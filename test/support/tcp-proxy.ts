/**
 * A TCP proxy on a free port of 127.0.0.1, for tests that cut a server off
 * from a dependency they must not stop (the machine's PostgreSQL): it
 * forwards every connection to `target` until told otherwise.
 *
 * - `refuse()`: as if the dependency went down: every open connection is
 *   closed, and each new one is closed as soon as it is accepted.
 * - `blackhole()`: as if a cable were pulled: open connections stay open and
 *   new ones are accepted, but no byte and no close crosses any more, either
 *   way, so only the peers' own timeouts end them.
 * - `restore()`: new connections are forwarded again; those a blackhole held
 *   are closed, as they would have timed out by the time a cable is back.
 * - `dropReplies()`: what the target sends back is thrown away, on open
 *   connections and new ones, while what clients send still reaches it: a
 *   write arrives and is done, and its answer is lost. `restore()` ends it,
 *   closing the connections that lost a reply.
 * - `reset()`: every open connection is closed at once, both ways; new ones
 *   are forwarded as before.
 */
import net from "node:net";

export interface TcpProxy {
  port: number;
  refuse(): void;
  blackhole(): void;
  dropReplies(): void;
  reset(): void;
  restore(): void;
  /** Closes every connection and stops listening. */
  close(): Promise<void>;
}

interface Pair {
  client: net.Socket;
  /** Absent for a connection accepted during a blackhole: it never reaches the target. */
  upstream: net.Socket | undefined;
  /** Nothing crosses: the pair waits for `restore` to close it. */
  held: boolean;
}

// Errors end a socket, and its close is handled; unheard, they would crash the test process.
const ignore = () => undefined;

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let mode: "forward" | "refuse" | "blackhole" = "forward";
  let replies = true;
  const pairs = new Set<Pair>();

  const destroy = (pair: Pair) => {
    pair.client.destroy();
    pair.upstream?.destroy();
    pairs.delete(pair);
  };

  const server = net.createServer((client) => {
    client.on("error", ignore);
    if (mode === "refuse") return void client.destroy();
    if (mode === "blackhole") {
      pairs.add({ client, upstream: undefined, held: true });
      // Read and drop what the client sends, as a pulled cable would.
      client.resume();
      return;
    }
    const upstream = net.connect(target.port, target.host);
    upstream.on("error", ignore);
    const pair: Pair = { client, upstream, held: false };
    pairs.add(pair);
    client.on("data", (chunk: Buffer) => void (pair.held || upstream.write(chunk)));
    upstream.on("data", (chunk: Buffer) => void (pair.held || !replies || client.write(chunk)));
    // A side that closes closes the other, after what it sent, unless a blackhole holds the pair.
    client.on("close", () => {
      if (pair.held) return;
      pairs.delete(pair);
      upstream.end();
    });
    upstream.on("close", () => {
      if (!pair.held) client.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;

  return {
    port,
    refuse() {
      mode = "refuse";
      for (const pair of pairs) destroy(pair);
    },
    blackhole() {
      mode = "blackhole";
      for (const pair of pairs) pair.held = true;
    },
    dropReplies() {
      replies = false;
    },
    reset() {
      for (const pair of pairs) destroy(pair);
    },
    restore() {
      mode = "forward";
      // A connection that lost part of a reply cannot be trusted to frame the rest: closed, as a reset.
      for (const pair of pairs) if (pair.held || !replies) destroy(pair);
      replies = true;
    },
    async close() {
      mode = "refuse";
      for (const pair of pairs) destroy(pair);
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
