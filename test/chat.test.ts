/**
 * Board chat over real sockets, as right-now speaks it and as the project's
 * client does: both ways, the bot's welcome, joins and leaves, the history
 * newcomers get, and every bad input answered.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import type { ChatMessage } from "../lib/protocol/events.js";
import { startTestServer, type TestClient, type TestServer } from "./support/test-server.js";

let server: TestServer;
afterEach(async () => {
  await server?.close();
});

const messages = (client: TestClient) => client.received.filter((e) => e.event === "message").map((e) => e.args[0] as ChatMessage);
const texts = (client: TestClient) => messages(client).map((m) => `${m.user}: ${m.text}`);
const bot = { bot: true, user: "circles" };

describe("chat", () => {
  it("carries right-now's {user, text} both ways, in either form of sending, to the board only", async () => {
    server = await startTestServer();
    const [alice, bob, elsewhere] = [
      await server.client({ board: "chat" }),
      await server.client({ board: "chat" }),
      await server.client({ board: "other" }),
    ];
    await vi.waitFor(() => expect(messages(bob).at(-1)).toMatchObject({ ...bot, text: "Welcome to chat! Say hello." }));
    expect(await alice.emitWithAck("message", { user: "Alice", text: "  hi all  " })).toEqual({ ok: true });
    // right-now's `socket.send('message', {user, text})`.
    bob.send("message", { user: "Bob", text: "hello" });
    await vi.waitFor(() => expect(texts(alice).slice(-2)).toEqual(["Alice: hi all", "Bob: hello"]));
    await vi.waitFor(() => expect(texts(bob).slice(-2)).toEqual(["Alice: hi all", "Bob: hello"]));
    const [sent] = messages(bob).filter((m) => m.user === "Alice");
    expect(sent).toEqual({ user: "Alice", text: "hi all", time: expect.any(Number), colour: expect.stringMatching(/^#[0-9a-f]{6}$/) });
    expect(Math.abs((sent?.time ?? 0) - Date.now())).toBeLessThan(5_000);
    expect(texts(elsewhere)).toEqual(["circles: Welcome to other! Say hello."]);
  });

  it("names a registered player by its initials and colour, whatever it sends as user", async () => {
    server = await startTestServer();
    const [alice, bob] = [await server.client({ board: "named", protocol: 2 }), await server.client({ board: "named" })];
    const registered = await alice.emitWithAck("register-player", "AB");
    if (!registered.ok) throw new Error(registered.error);
    await alice.emitWithAck("message", { user: "Mallory", text: "it is me" });
    await vi.waitFor(() => expect(messages(bob).at(-1)).toMatchObject({ user: "AB", text: "it is me", colour: registered.colour }));
  });

  it("has the bot welcome newcomers and tell everyone else who joined and left", async () => {
    server = await startTestServer();
    const host = await server.client({ board: "hello" });
    const newcomer = await server.client({ board: "hello" });
    await newcomer.emitWithAck("register-player", "NC");
    // Arrivals are told once a second at most.
    await vi.waitFor(() => expect(texts(host)).toContain("circles: NC joined"), 3_000);
    // Told to everyone else, not to the one who joined.
    expect(texts(newcomer)).not.toContain("circles: NC joined");
    // A new name is not a new arrival.
    await newcomer.emitWithAck("register-player", "NX");
    newcomer.disconnect();
    await vi.waitFor(() => expect(texts(host)).toContain("circles: NX left"), 3_000);
    expect(texts(host).filter((text) => text.endsWith("joined"))).toEqual(["circles: NC joined"]);
  });

  it("tells of a crowd arriving at once in one line, not one per player", async () => {
    server = await startTestServer();
    const host = await server.client({ board: "crowd" });
    await host.emitWithAck("register-player", "HO");
    // The host's own arrival is told before the crowd comes.
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    const crowd = await Promise.all(Array.from({ length: 12 }, () => server.client({ board: "crowd" })));
    await Promise.all(crowd.map((socket, i) => socket.emitWithAck("register-player", `C${i.toString(36).toUpperCase()}`)));
    await vi.waitFor(
      () =>
        expect(texts(host).filter((text) => text.includes("joined"))).toEqual([expect.stringMatching(/^circles: C\w, C\w and 10 others joined$/)]),
      3_000,
    );
    // Those who came together hear of each other, each not of itself.
    const [first] = crowd as [TestClient];
    await vi.waitFor(
      () =>
        expect(texts(first).filter((text) => text.includes("joined"))).toEqual([expect.stringMatching(/^circles: C\w, C\w and 9 others joined$/)]),
      3_000,
    );
    expect(texts(first).some((text) => text.includes("C0"))).toBe(false);
  });

  // How many are kept (the last 50) is the live state's contract (test/live-state-contract.ts).
  it("gives newcomers the recent messages: one chat-history to protocol 2, one message each to the lesson's clients", async () => {
    server = await startTestServer();
    const talker = await server.client({ board: "history" });
    await talker.emitWithAck("register-player", "TK");
    for (let i = 0; i < 5; i++) expect(await talker.emitWithAck("message", { text: `line ${i}` })).toEqual({ ok: true });
    const modern = await server.client({ board: "history", protocol: 2 });
    await vi.waitFor(() => expect(modern.received.some((e) => e.event === "chat-history")).toBe(true));
    const history = modern.received.find((e) => e.event === "chat-history")?.args[0] as ChatMessage[];
    expect(history.map((m) => m.text)).toEqual(["line 0", "line 1", "line 2", "line 3", "line 4"]);
    const lesson = await server.client({ board: "history" });
    await vi.waitFor(() => expect(texts(lesson)).toEqual([...history.map((m) => `TK: ${m.text}`), "circles: Welcome to history! Say hello."]));
  });

  it("answers every bad message with a reason, and relays none of them", async () => {
    server = await startTestServer();
    const [sender, watcher] = [await server.client({ board: "bad" }), await server.client({ board: "bad" })];
    const bad: [unknown, string][] = [
      ["hello", "a message must be an object of {user, text, op?}"],
      [{ user: "X" }, "text must be a string"],
      [{ text: "   " }, "text must not be empty"],
      [{ text: "x".repeat(281) }, "text must be at most 280 characters"],
      [{ text: "hi\u202Eevil" }, "text must not hold control or invisible characters"],
      [{ text: "zero\u200Bwidth" }, "text must not hold control or invisible characters"],
      [{ text: "bell\u0007" }, "text must not hold control or invisible characters"],
      [{ user: "", text: "hi" }, "user must not be empty"],
      [{ user: "x".repeat(25), text: "hi" }, "user must be at most 24 characters"],
      [{ user: 5, text: "hi" }, "user must be a string"],
    ];
    for (const [payload, error] of bad)
      expect(await sender.emitWithAck("message", payload as never), JSON.stringify(payload)).toEqual({ ok: false, error, code: "invalid" });
    // 280 characters of any script, and line breaks, are fine.
    expect(await sender.emitWithAck("message", { text: "李".repeat(280) })).toEqual({ ok: true });
    expect(await sender.emitWithAck("message", { text: "two\nlines" })).toEqual({ ok: true });
    await vi.waitFor(() =>
      expect(
        messages(watcher)
          .filter((m) => !m.bot)
          .map((m) => m.text),
      ).toEqual(["李".repeat(280), "two\nlines"]),
    );
  });

  it("rate limits chat on its own allowance, which leaves drawing alone", async () => {
    server = await startTestServer();
    const sender = await server.client({ board: "chatty" });
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => sender.emitWithAck("message", { user: "Z", text: `m${i}` })));
    expect(answers.filter((a) => a.ok)).toHaveLength(5);
    expect(answers.filter((a) => !a.ok)).toEqual(Array.from({ length: 3 }, () => ({ ok: false, error: "rate limited", code: "rate-limited" })));
    expect(await sender.emitWithAck("add-circle", { initials: "ZZ", x: 1, y: 1, dia: 10, rgba: "#123456" })).toMatchObject({ ok: true });
  });
});
