/**
 * Chat, who is here, and live pointers, between real pages and a client of
 * right-now's protocol (a plain socket.io-client that knows only `message`).
 */
import { io } from "socket.io-client";
import type { ChatMessage } from "../lib/protocol/events.js";
import { BoardPage } from "./support/board-page.js";
import { expect, test } from "./support/fixtures.js";

test("chat goes both ways between pages and a right-now client, as text", async ({ openPage, board, server }) => {
  const ann = new BoardPage(await openPage({ path: `/b/${board}` }));
  const bob = new BoardPage(await openPage({ path: `/b/${board}` }));
  await ann.join("AN");
  await bob.join("BO");
  const rightNow = io(server.url, { query: { board }, transports: ["websocket"], reconnection: false });
  const heard: ChatMessage[] = [];
  rightNow.on("message", (message: ChatMessage) => heard.push(message));
  try {
    await expect.poll(() => heard.some((m) => m.bot && m.text.startsWith("Welcome"))).toBe(true);
    const message = ann.page.getByRole("textbox", { name: "Message", exact: true });
    await message.fill("<b>hello</b> from Ann");
    await ann.page.getByRole("button", { name: "Send" }).click();
    await expect(message).toHaveValue("");
    const onBob = bob.page.getByRole("list", { name: "Messages" }).getByRole("listitem").filter({ hasText: "from Ann" });
    await expect(onBob).toHaveText(/AN\s*<b>hello<\/b> from Ann$/);
    await expect(onBob.locator("b")).toHaveCount(0);
    await expect.poll(() => heard.find((m) => m.text === "<b>hello</b> from Ann")?.user).toBe("AN");

    rightNow.emit("message", { user: "Rita", text: "hi from right-now" });
    for (const page of [ann, bob]) {
      await expect(page.page.getByRole("list", { name: "Messages" }).getByRole("listitem").filter({ hasText: "hi from right-now" })).toContainText(
        "Rita",
      );
    }
    // The bot told Ann that Bob joined (with the right-now client, a watcher, if it came in the same second).
    await expect(ann.page.getByRole("list", { name: "Messages" })).toContainText(/BO( and 1 watcher)? joined/);
  } finally {
    rightNow.close();
  }
});

test("counts a watcher who never types initials, and tells same initials apart by colour", async ({ openPage, board }) => {
  const projector = new BoardPage(await openPage({ path: `/b/${board}` }));
  await projector.expectConnected();
  const one = new BoardPage(await openPage({ path: `/b/${board}` }));
  const two = new BoardPage(await openPage({ path: `/b/${board}` }));
  await one.join("AB");
  // The same initials again: the helper expects a name to be listed once.
  await two.expectConnected();
  await two.initialsInput.fill("AB");
  await two.page.getByRole("button", { name: "Start drawing" }).click();
  const title = projector.page.locator("#players-title");
  await expect(title).toHaveText("3 here · 2 playing");
  await expect(projector.players.getByRole("listitem")).toHaveCount(2);
  const dots = await projector.players.getByRole("listitem").evaluateAll((items) => items.map((item) => item.getAttribute("style")));
  expect(new Set(dots).size).toBe(2);
  await two.page.close();
  await expect(title).toHaveText("2 here · 1 playing");
});

test("shows a player's pointer on the other page, with their initials, until they leave", async ({ openPage, board }) => {
  const ann = new BoardPage(await openPage({ path: `/b/${board}` }));
  const bob = new BoardPage(await openPage({ path: `/b/${board}` }));
  await ann.join("AN");
  await bob.join("BO");
  const box = await ann.canvas.boundingBox();
  if (!box) throw new Error("the board is not visible");
  await ann.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await ann.page.mouse.move(box.x + box.width / 4, box.y + box.height / 4, { steps: 5 });
  const pointer = bob.page.locator(".remote-cursor");
  await expect(pointer).toHaveCount(1);
  await expect(pointer).toHaveText("AN");
  // Where Ann left it: a quarter of the way across and down Bob's board.
  const bobBox = await bob.canvas.boundingBox();
  const at = await pointer.boundingBox();
  if (!bobBox || !at) throw new Error("not visible");
  expect(Math.abs(at.x - (bobBox.x + bobBox.width / 4))).toBeLessThan(12);
  expect(Math.abs(at.y - (bobBox.y + bobBox.height / 4))).toBeLessThan(12);
  // Ann's own page draws no pointer for her.
  await expect(ann.page.locator(".remote-cursor")).toHaveCount(0);
  await ann.page.close();
  await expect(pointer).toHaveCount(0);
});
