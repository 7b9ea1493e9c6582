/**
 * The page speaks protocol 2: the board's changes arrive in `board-events`
 * batches numbered by seq, a page that comes back says which seq it had and
 * gets only what it missed, and clients of the lesson's protocol still share
 * the board with it.
 */
import type { Circle } from "../lib/protocol/events.js";
import { BoardPage } from "./support/board-page.js";
import { expect, test } from "./support/fixtures.js";
import { openLessonClient, plainCircle } from "./support/lesson-client.js";
import { boardMessages, tapSocket, type SocketTap } from "./support/socket-tap.js";

const LESSON_EVENTS = ["add-circle", "remove-circle", "clear-circles", "clear-display"];

/** The circle ids in every `board-events` batch the page received. */
function batchedIds(tap: SocketTap): string[] {
  return tap.received
    .filter((r) => r.event === "board-events")
    .flatMap((r) => (r.args[0] as { events: { type: string; circle?: Circle }[] }).events)
    .flatMap((e) => (e.type === "add" && e.circle ? [e.circle.id] : []));
}

test("two pages see each other's circles through board-events", async ({ openPage, board }) => {
  const taps: SocketTap[] = [];
  const players: BoardPage[] = [];
  for (const initials of ["AN", "BO"]) {
    const page = await openPage();
    taps.push(await tapSocket(page));
    const player = new BoardPage(page);
    await player.goto(`/b/${board}`);
    await player.join(initials);
    players.push(player);
  }
  const [ann, bob] = players as [BoardPage, BoardPage];
  const [annTap, bobTap] = taps as [SocketTap, SocketTap];

  const mine = await ann.drawAt(500, 500);
  await bob.expectDrawn(1);
  const theirs = await bob.drawAt(1300, 600);
  await ann.expectDrawn(2);
  expect((await ann.circles()).map((c) => c.id)).toEqual([mine.id, theirs.id]);
  await ann.expectCirclePainted(theirs);
  await bob.expectCirclePainted(mine);

  for (const tap of [annTap, bobTap]) {
    expect(tap.connections.map((c) => c.query.get("protocol"))).toEqual(["2"]);
    expect(batchedIds(tap)).toEqual([mine.id, theirs.id]);
    expect(tap.received.filter((r) => LESSON_EVENTS.includes(r.event))).toEqual([]);
  }
  expect(await ann.seq()).toBe(2);
  expect(await bob.seq()).toBe(2);
});

test("a page that comes back gets only the changes it missed, not the whole board", async ({ openPage, board, server, pageErrors }) => {
  // While cut off, the page's attempts to reach the server fail, and it says so in the console.
  pageErrors.allow(/ERR_CONNECTION_REFUSED|WebSocket connection to .* failed/);
  const page = await openPage();
  const tap = await tapSocket(page);
  const player = new BoardPage(page);
  await player.goto(`/b/${board}`);
  await player.expectConnected();
  const writer = await openLessonClient(server.url, board);
  try {
    const before: Circle[] = [];
    for (let i = 0; i < 6; i++) before.push(await writer.add(plainCircle(200 + i * 250, 300)));
    await player.expectDrawn(6);
    await expect.poll(() => tap.upgraded, { message: "Socket.IO should move onto the WebSocket" }).toBe(true);
    const seq = await player.seq();
    expect(seq).toBeDefined();

    await tap.cut();
    await expect(player.status).toHaveAttribute("data-state", "reconnecting");
    const missed = [await writer.add(plainCircle(400, 800)), await writer.add(plainCircle(1400, 800))];
    tap.restore();

    await player.expectConnected();
    await player.expectDrawn(8);
    expect((await player.circles()).map((c) => c.id)).toEqual([...before, ...missed].map((c) => c.id));
    expect(await player.seq()).toBe(seq! + 2);

    const [first, again] = tap.connections;
    expect(tap.connections).toHaveLength(2);
    expect(first!.query.has("since")).toBe(false);
    expect(again!.query.get("since")).toBe(String(seq));
    // What the server sent on coming back: the two missed changes, no snapshot.
    const [reply] = boardMessages(tap, again!.sid);
    expect(reply?.event).toBe("board-events");
    const events = (reply!.args[0] as { events: { seq: number; type: string; circle: Circle }[] }).events;
    expect(events.map((e) => [e.seq, e.type, e.circle.id])).toEqual(missed.map((c, i) => [seq! + 1 + i, "add", c.id]));
    expect(boardMessages(tap, again!.sid).filter((r) => r.event === "board-snapshot")).toEqual([]);
  } finally {
    writer.close();
  }
});

test("a client of the lesson's protocol and a browser share one board", async ({ openPage, board, server }) => {
  const lesson = await openLessonClient(server.url, board);
  try {
    const player = new BoardPage(await openPage({ path: `/b/${board}` }));
    await player.join("BR");

    const fromLesson = await lesson.add(plainCircle(600, 400, { initials: "LS" }));
    await player.expectDrawn(1);
    await player.expectCirclePainted(fromLesson);

    const fromBrowser = await player.drawAt(1300, 700);
    await expect.poll(() => lesson.heard.map((c) => c.id)).toEqual([fromLesson.id, fromBrowser.id]);

    const cleared = new Promise<void>((resolve) => lesson.socket.once("clear-circles", () => resolve()));
    await player.page.getByRole("button", { name: "Clear" }).click();
    await cleared;
    await player.expectDrawn(0, [fromLesson, fromBrowser]);

    const last = await lesson.add(plainCircle(900, 500, { initials: "LS" }));
    await player.expectDrawn(1);
    expect((await player.circles()).map((c) => c.id)).toEqual([last.id]);

    // A newcomer of either kind gets the same board.
    const late = await openLessonClient(server.url, board);
    late.close();
    expect(late.heard.map((c) => c.id)).toEqual([last.id]);
    const latePage = new BoardPage(await openPage({ path: `/b/${board}` }));
    await latePage.expectDrawn(1);
    expect(await latePage.circles()).toEqual(await player.circles());
  } finally {
    lesson.close();
  }
});
