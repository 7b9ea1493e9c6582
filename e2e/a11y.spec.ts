/**
 * Accessibility: axe-core's WCAG 2.0 and 2.1 A and AA rules on every screen
 * people use: the board page on a desktop and on a phone, as its host, with
 * the phone's "More actions" menu open, and the presenter screen. Any
 * violation fails the test, and the message names each rule and element.
 */
import { AxeBuilder } from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { BoardPage } from "./support/board-page.js";
import { expect } from "./support/fixtures.js";
import { test } from "./support/touch.js";

const WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

// An axe run over the whole board page takes a few seconds, and some tests run it twice.
test.describe.configure({ timeout: 60_000 });

/** Runs axe on the page as it is now; fails listing every violation's rule id and the elements it found. */
async function expectNoViolations(page: Page, where: string): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  const found = violations.map(
    (violation) =>
      `${violation.id} (${violation.impact ?? "?"}): ${violation.help}\n    ${violation.nodes.map((node) => node.target.join(" ")).join("\n    ")}`,
  );
  expect(found, `axe found WCAG 2.1 A/AA violations on ${where}:\n  ${found.join("\n  ")}`).toEqual([]);
}

test("the board page on a desktop, before and after choosing initials", async ({ openPage, board }) => {
  const player = new BoardPage(await openPage({ path: `/b/${board}` }));
  await player.expectConnected();
  await expect(player.initialsInput).toBeVisible();
  await expectNoViolations(player.page, "the board page, before initials");

  await player.join("AX");
  await player.drawAt(600, 400);
  await expectNoViolations(player.page, "the board page, playing");
});

test("the board page on a phone", async ({ openPhone, board }) => {
  const phone = new BoardPage(await openPhone("Pixel 7", `/b/${board}`));
  await phone.expectConnected();
  await expectNoViolations(phone.page, "the board page on a Pixel 7, before initials");

  await phone.join("PH");
  await expectNoViolations(phone.page, "the board page on a Pixel 7, playing");
});

test("the board page as its host, with the host's controls", async ({ openPage, board }) => {
  const host = new BoardPage(await openPage({ path: `/b/${board}` }));
  await host.expectConnected();
  await host.page.getByRole("button", { name: "New board" }).click();
  await expect(host.page).toHaveURL(/\/b\/[a-z]+-[a-z]+-[a-z]+$/);
  await host.join("HO");
  await expect(host.page.getByRole("button", { name: "Lock Clear" })).toBeVisible();
  await expectNoViolations(host.page, "the host's board page");
});

test("the phone's More actions menu, open", async ({ openPhone, board }) => {
  const phone = new BoardPage(await openPhone("Pixel 7", `/b/${board}`));
  await phone.join("PH");
  const more = phone.page.getByRole("button", { name: "More actions" });
  // The menu is on its way (the board page's own work); until it is on the page there is nothing to check.
  test.skip((await more.count()) === 0, 'the board page has no "More actions" button yet');
  await more.click();
  await expect(more).toHaveAttribute("aria-expanded", "true");
  await expectNoViolations(phone.page, 'the board page on a Pixel 7, "More actions" open');
});

test("the presenter screen, in light and dark", async ({ openPage, board }) => {
  const presenter = await openPage({ path: `/b/${board}/present` });
  await expect(presenter.locator("#connection")).toHaveAttribute("data-state", "connected");
  await expect(presenter.locator("#present-here")).toHaveText("1 here");
  await expectNoViolations(presenter, "the presenter screen");

  await presenter.emulateMedia({ colorScheme: "dark" });
  await expectNoViolations(presenter, "the presenter screen, dark");
});
