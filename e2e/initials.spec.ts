/** Choosing, remembering, changing and validating initials. */
import type { Page } from "@playwright/test";
import { BoardPage } from "./support/board-page.js";
import { expect, test } from "./support/fixtures.js";

/** Everything the page sends to the Socket.IO server, over WebSocket or long-polling. */
function recordSocketTraffic(page: Page): string[] {
  const sent: string[] = [];
  page.on("websocket", (socket) => socket.on("framesent", (frame) => sent.push(String(frame.payload))));
  page.on("request", (request) => {
    if (request.url().includes("/socket.io/") && request.method() === "POST") sent.push(request.postData() ?? "");
  });
  return sent;
}

test("the first visit asks for initials; a reload remembers them", async ({ openPage, board }) => {
  const ann = new BoardPage(await openPage({ path: `/b/${board}` }));
  await expect(ann.initialsInput).toBeVisible();
  await expect(ann.initialsInput).toBeFocused();
  await expect(ann.identity).toBeHidden();

  await ann.join("xy");
  await expect(ann.initialsInput).toBeHidden();

  await ann.page.reload();
  await ann.expectConnected();
  await expect(ann.identity).toContainText("XY");
  await expect(ann.initialsInput).toBeHidden();
  await ann.expectPlayers(["XY"]);
  // Registered again after the reload: drawing works straight away.
  const circle = await ann.drawAt(700, 400);
  expect(circle.initials).toBe("XY");
});

test("changing initials updates everyone's list", async ({ openPage, board }) => {
  const ann = new BoardPage(await openPage({ path: `/b/${board}` }));
  const bob = new BoardPage(await openPage({ path: `/b/${board}` }));
  await ann.join("AN");
  await bob.join("BO");
  await bob.expectPlayers(["AN", "BO"]);

  await ann.page.getByRole("button", { name: "Change" }).click();
  await expect(ann.initialsInput).toBeVisible();
  await expect(ann.initialsInput).toHaveValue("AN");
  await ann.initialsInput.fill("ez9");
  await ann.page.getByRole("button", { name: "Save" }).click();

  await expect(ann.initialsInput).toBeHidden();
  await expect(ann.identity).toContainText("EZ9");
  await bob.expectPlayers(["EZ9", "BO"]);
  await ann.expectPlayers(["EZ9", "BO"]);
  const circle = await ann.drawAt(960, 540);
  expect(circle.initials).toBe("EZ9");

  // Cancel leaves them as they were.
  await ann.page.getByRole("button", { name: "Change" }).click();
  await ann.initialsInput.fill("QQ");
  await ann.page.getByRole("button", { name: "Cancel" }).click();
  await expect(ann.identity).toContainText("EZ9");
  await bob.expectPlayers(["EZ9", "BO"]);
});

test("invalid initials show a validation message and are not sent", async ({ openPage, board }) => {
  const bob = new BoardPage(await openPage({ path: `/b/${board}` }));
  await bob.join("BO");

  const page = await openPage();
  const sent = recordSocketTraffic(page);
  const ann = new BoardPage(page);
  await ann.goto(`/b/${board}`);
  await ann.expectConnected();

  for (const bad of ["<b>", "a", "a b", "😀😀"]) {
    await ann.initialsInput.fill(bad);
    await page.getByRole("button", { name: "Start drawing" }).click();
    await expect(page.getByText("Use 2–3 letters or digits")).toBeVisible();
    await expect(ann.initialsInput).toHaveAttribute("aria-invalid", "true");
    await expect(ann.identity).toBeHidden();
  }
  // Nothing was registered: not in anyone's list...
  await bob.expectPlayers(["BO"]);
  await ann.expectPlayers(["BO"]);

  // Fixing the typo clears the message and joins.
  await ann.join("ok");
  await expect(page.getByText("Use 2–3 letters or digits")).toBeHidden();
  await bob.expectPlayers(["BO", "OK"]);
  // ...and not on the wire: the good initials, sent after the bad ones, are the only ones sent.
  const registrations = () => sent.filter((payload) => payload.includes("register-player"));
  await expect.poll(registrations).toHaveLength(1);
  expect(registrations()[0]).toContain('"OK"');
});

test("clicking the board before choosing initials asks for them instead of drawing", async ({ openPage, board }) => {
  const page = await openPage();
  const sent = recordSocketTraffic(page);
  const ann = new BoardPage(page);
  await ann.goto(`/b/${board}`);
  await ann.expectConnected();
  await page.getByRole("button", { name: "Start drawing" }).focus(); // move focus away from the field first

  await ann.clickBoard(960, 540);

  await expect(page.getByText("Enter your initials first")).toBeVisible();
  await expect(ann.initialsInput).toBeFocused();

  // Join and draw one circle: it comes back after anything the first click could have sent.
  await ann.join("AN");
  const circle = await ann.drawAt(300, 300);
  await ann.expectDrawn(1);
  expect((await ann.circles()).map((c) => c.id)).toEqual([circle.id]);
  const additions = () => sent.filter((payload) => payload.includes("add-circle"));
  await expect.poll(additions).toHaveLength(1);
  expect(additions()[0]).toContain('"AN"');
});
