/**
 * The host runs the room, with two real pages (two browsers, each with its
 * own localStorage): pausing drawing and chat, removing a player and letting
 * them back, deleting the board, handing the host's powers on with a link,
 * claiming a fresh board, "Your boards", and the phone's menu.
 */
import type { Locator, Page } from "@playwright/test";
import { BoardPage } from "./support/board-page.js";
import { endedSessions, expect } from "./support/fixtures.js";
import { openLessonClient, plainCircle } from "./support/lesson-client.js";
import { test } from "./support/touch.js";

const button = (page: Page, name: string): Locator => page.getByRole("button", { name, exact: true });

/** A board made with New board: the page that made it is its host. */
async function newBoardAsHost(openPage: (options?: { path?: string; permissions?: string[] }) => Promise<Page>, permissions: string[] = []) {
  const host = new BoardPage(await openPage({ path: "/", permissions }));
  await host.expectConnected();
  await button(host.page, "New board").click();
  await expect(host.page).toHaveURL(/\/b\/[a-z]+-[a-z]+-[a-z]+$/);
  await host.join("TE");
  await expect(button(host.page, "Pause drawing")).toBeVisible();
  const path = new URL(host.page.url()).pathname;
  return { host, path, board: path.split("/").at(-1) ?? "" };
}

test("the host pauses drawing and chat: the other page says so, draws nothing meanwhile, and the server refuses too", async ({
  openPage,
  server,
}) => {
  const { host, path, board } = await newBoardAsHost(openPage);
  const pupil = new BoardPage(await openPage({ path }));
  await pupil.join("PU");
  await expect(button(pupil.page, "Pause drawing")).toBeHidden();
  // The line over the board.
  const paused = pupil.page.locator("#stage").getByRole("status");
  await expect(paused).toHaveText("");

  await button(host.page, "Pause drawing").click();
  await expect(button(host.page, "Resume drawing")).toBeVisible();
  await expect(paused).toHaveText("The host paused drawing");
  await expect(paused).toBeVisible();

  // A click on the board sends nothing, and says why.
  await pupil.clickBoard(400, 400);
  await expect(pupil.page.locator("#toast")).toHaveText("The host paused drawing");
  await pupil.canvas.focus();
  await pupil.page.keyboard.press("Enter");
  // The host still draws; that circle reaching the pupil after their attempts shows they added none.
  await host.drawAt(900, 500);
  await pupil.expectDrawn(1);
  expect((await pupil.circles()).map((circle) => circle.initials)).toEqual(["TE"]);

  // A client that asks anyway is refused by the server.
  const lesson = await openLessonClient(server.url, board);
  await expect(lesson.add(plainCircle(100, 100))).rejects.toThrow(/paused/);
  lesson.close();

  await button(host.page, "Resume drawing").click();
  await expect(button(host.page, "Pause drawing")).toBeVisible();
  await expect(paused).toHaveText("");
  await pupil.drawAt(600, 300);
  await host.expectDrawn(2);

  // Chat: the pupil's box is disabled and says why, until the host resumes it.
  const message = pupil.page.getByRole("textbox", { name: "Message", exact: true });
  await expect(message).toBeEnabled();
  await button(host.page, "Pause chat").click();
  await expect(button(host.page, "Resume chat")).toBeVisible();
  await expect(message).toBeDisabled();
  await expect(pupil.page.locator("#chat-note")).toHaveText("The host paused chat");
  await expect(host.page.getByRole("textbox", { name: "Message", exact: true })).toBeEnabled();
  await button(host.page, "Resume chat").click();
  await expect(message).toBeEnabled();
  await expect(pupil.page.locator("#chat-note")).toHaveText("");
});

test("Remove AB: AB is sent away with their circles, listed as removed, and Let AB back in lets them return", async ({ openPage, pageErrors }) => {
  endedSessions(pageErrors);
  const { host, path } = await newBoardAsHost(openPage);
  const ab = new BoardPage(await openPage({ path }));
  await ab.join("AB");
  await ab.drawAt(300, 300);
  await ab.drawAt(700, 300);
  const hosts = await host.drawAt(1100, 600);
  await host.expectDrawn(3);
  // No "Remove" on the host's own chip.
  await expect(button(host.page, "Remove TE")).toHaveCount(0);
  await expect(button(ab.page, "Remove TE")).toHaveCount(0);

  await button(host.page, "Remove AB").click();
  const ended = ab.page.getByRole("alertdialog");
  await expect(ended.getByRole("heading", { name: "The host removed you from this board." })).toBeVisible();
  await expect(ended.getByRole("link", { name: "Start a new board" })).toHaveAttribute("href", /^\/b\/[a-z]+-[a-z]+-[a-z]+$/);
  await expect(ab.status).toHaveAttribute("data-state", "offline");

  // AB's circles are gone from the host's page, the host's stays; AB is listed as removed.
  await host.expectDrawn(1);
  expect((await host.circles()).map((circle) => circle.id)).toEqual([hosts.id]);
  await host.expectPlayers(["TE"]);
  const removed = host.page.getByRole("list", { name: "Removed players" });
  await expect(removed).toContainText("AB");

  // A reload does not bring AB back while removed.
  await ab.page.reload();
  await expect(ab.page.getByRole("alertdialog").getByRole("heading", { name: "The host removed you from this board." })).toBeVisible();

  await button(host.page, "Let AB back in").click();
  await expect(removed).toBeHidden();
  await ab.page.reload();
  await ab.expectConnected();
  await ab.drawAt(500, 800);
  await host.expectDrawn(2);
  await host.expectPlayers(["TE", "AB"]);
});

test("Delete board asks first, then tells every page the board was deleted", async ({ openPage, pageErrors }) => {
  endedSessions(pageErrors);
  const { host, path } = await newBoardAsHost(openPage);
  const pupil = new BoardPage(await openPage({ path }));
  await pupil.join("PU");
  await pupil.drawAt(500, 500);

  await button(host.page, "Delete board").click();
  const dialog = host.page.getByRole("dialog", { name: "Delete this board?" });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toBeHidden();
  await expect(button(host.page, "Delete board")).toBeFocused();
  await host.expectDrawn(1);

  await button(host.page, "Delete board").click();
  await dialog.getByRole("button", { name: "Delete board" }).click();
  for (const page of [pupil.page, host.page]) {
    const ended = page.getByRole("alertdialog");
    await expect(ended.getByRole("heading", { name: "This board was deleted by its host." })).toBeVisible();
    await expect(ended.getByRole("link", { name: "Start a new board" })).toBeVisible();
    await expect(ended.getByRole("link", { name: "Go to the main board" })).toHaveAttribute("href", "/");
  }
  // Drawing is off: the board behind the message is inert.
  expect(await pupil.page.locator(".workspace").evaluate((element) => (element as unknown as { inert: boolean }).inert)).toBe(true);
});

test("Copy host link, opened in another browser, makes that page host too, and leaves no key in its address", async ({ openPage }) => {
  const { host, path } = await newBoardAsHost(openPage, ["clipboard-read", "clipboard-write"]);
  await button(host.page, "Copy host link").click();
  await expect(host.page.locator("#toast")).toContainText("Host link copied");
  const link = await host.page.evaluate(() =>
    (globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }).navigator.clipboard.readText(),
  );
  const url = new URL(link);
  expect(url.pathname).toBe(path);
  expect(url.search).toBe("");
  expect(url.hash).toMatch(/^#host=[A-Za-z0-9_-]{43}$/);

  const second = new BoardPage(await openPage({ path: `${url.pathname}${url.hash}` }));
  await second.expectConnected();
  await expect(button(second.page, "Pause drawing")).toBeVisible();
  expect(new URL(second.page.url()).hash).toBe("");
  // And it stays host after a reload: the key was kept.
  await second.page.reload();
  await expect(button(second.page, "Pause drawing")).toBeVisible();

  // Without the key, a third page is not.
  const third = new BoardPage(await openPage({ path }));
  await third.expectConnected();
  await expect(button(third.page, "Become host")).toBeHidden();
  await expect(button(third.page, "Pause drawing")).toBeHidden();
});

test("Become host on a fresh board, which no one else can then claim; a board drawn on offers none", async ({ openPage, board }) => {
  const first = new BoardPage(await openPage({ path: `/b/${board}` }));
  await first.expectConnected();
  await button(first.page, "Become host").click();
  await expect(button(first.page, "Pause drawing")).toBeVisible();
  await expect(button(first.page, "Become host")).toBeHidden();

  const second = new BoardPage(await openPage({ path: `/b/${board}` }));
  await second.join("SE");
  await expect(button(second.page, "Pause drawing")).toBeHidden();
  await expect(button(second.page, "Become host")).toBeHidden();
  // The first page stays host across a reload: it kept the key it made.
  await first.page.reload();
  await expect(button(first.page, "Pause drawing")).toBeVisible();

  const other = new BoardPage(await openPage({ path: `/b/${board.slice(0, 30)}-2` }));
  await other.join("OT");
  const become = button(other.page, "Become host");
  await expect(become).toBeVisible();
  await other.drawAt(500, 500);
  await expect(become).toBeHidden();
});

test("Your boards lists the boards this browser made or visited, and deletes the ones it hosts", async ({ openPage, board }) => {
  const { host, board: made } = await newBoardAsHost(openPage);
  await host.page.goto(`/b/${board}`);
  await host.expectConnected();
  await expect(host.page.locator("#retention")).toHaveText("Boards unused for 30 days are deleted.");

  await button(host.page, "Your boards").click();
  const dialog = host.page.getByRole("dialog", { name: "Your boards" });
  const links = dialog.getByRole("link");
  await expect(links.first()).toHaveText(board);
  await expect(dialog.getByRole("link", { name: made })).toHaveAttribute("href", `/b/${made}`);
  await expect(dialog.getByRole("button", { name: `Delete ${board}` })).toHaveCount(0);

  await dialog.getByRole("button", { name: `Delete ${made}` }).click();
  const confirm = host.page.getByRole("dialog", { name: `Delete board ${made}?` });
  await confirm.getByRole("button", { name: "Delete board" }).click();
  await expect(dialog.getByRole("status")).toHaveText(`${made} deleted`);
  await expect(dialog.getByRole("link", { name: made })).toHaveCount(0);
  await dialog.getByRole("button", { name: "Close" }).click();
  await expect(dialog).toBeHidden();
  await expect(button(host.page, "Your boards")).toBeFocused();

  // Deleted: a fresh board of that name, which anyone may claim.
  const visitor = new BoardPage(await openPage({ path: `/b/${made}` }));
  await visitor.expectConnected();
  await expect(button(visitor.page, "Become host")).toBeVisible();
});

test("on a phone the board keeps three quarters of the screen, the other actions fold into More actions", async ({ openPhone, board }) => {
  const phone = new BoardPage(await openPhone("Pixel 7", `/b/${board}`));
  await phone.join("PH");
  const viewport = phone.page.viewportSize();
  if (!viewport) throw new Error("no viewport");
  const canvas = await phone.canvas.boundingBox();
  const stage = await phone.page.locator("#stage").boundingBox();
  if (!canvas || !stage) throw new Error("the board is not visible");
  const shown = Math.min(canvas.y + canvas.height, stage.y + stage.height, viewport.height) - Math.max(canvas.y, stage.y, 0);
  expect(shown / viewport.height).toBeGreaterThanOrEqual(0.75);

  // Undo and Clear are at hand; the rest is behind More actions.
  await expect(button(phone.page, "Undo")).toBeInViewport();
  await expect(button(phone.page, "Clear")).toBeInViewport();
  const more = button(phone.page, "More actions");
  await expect(more).toHaveAttribute("aria-haspopup", "true");
  await expect(more).toHaveAttribute("aria-expanded", "false");
  for (const name of ["New board", "Copy link", "Your boards", "Replay", "Export PNG", "Export SVG", "Become host"]) {
    await expect(button(phone.page, name)).toBeHidden();
  }

  await more.tap();
  await expect(more).toHaveAttribute("aria-expanded", "true");
  for (const name of ["New board", "Copy link", "Your boards", "Replay", "Export PNG", "Export SVG", "Become host"]) {
    await expect(button(phone.page, name)).toBeInViewport();
  }
  await expect(phone.page.getByText("QR code", { exact: true })).toBeVisible();
  await phone.page.keyboard.press("Escape");
  await expect(more).toHaveAttribute("aria-expanded", "false");
  await expect(more).toBeFocused();
  await expect(button(phone.page, "New board")).toBeHidden();

  // The host's controls are in the menu too.
  await more.tap();
  await button(phone.page, "Become host").tap();
  await expect(button(phone.page, "Pause drawing")).toBeVisible();
  await expect(button(phone.page, "Delete board")).toBeVisible();
  // A tap on the board closes the menu.
  await phone.page.touchscreen.tap(stage.x + stage.width / 2, stage.y + stage.height - 40);
  await expect(more).toHaveAttribute("aria-expanded", "false");
  await expect(button(phone.page, "Pause drawing")).toBeHidden();
});
