/**
 * Regenerates docs/screenshot.png (1280×720): two players and a few circles.
 * Run only on request: `npm run screenshot` (after `npm run build`).
 */
import path from "node:path";
import { BoardPage } from "./support/board-page.js";
import { test } from "./support/fixtures.js";

test("screenshot for the README", async ({ openPage }) => {
  const board = "/b/sketch-club";
  const ada = new BoardPage(await openPage({ path: board }));
  const jon = new BoardPage(await openPage({ path: board }));
  await ada.join("AL");
  await jon.join("JD");

  const spots: [BoardPage, number, number][] = [
    [ada, 260, 240],
    [jon, 520, 610],
    [ada, 830, 330],
    [jon, 1120, 760],
    [ada, 1400, 260],
    [jon, 1660, 560],
    [ada, 400, 880],
    [jon, 980, 520],
    [ada, 1500, 880],
    [jon, 180, 560],
    [ada, 700, 140],
    [jon, 1250, 420],
    [ada, 1780, 180],
    [jon, 760, 900],
    [ada, 310, 300],
    [jon, 1190, 800],
    [ada, 1450, 320],
    [jon, 600, 660],
    [ada, 1820, 900],
  ];
  for (const [player, x, y] of spots) await player.drawAt(x, y);
  await ada.expectDrawn(spots.length);
  await ada.page.mouse.move(0, 0);
  await ada.page.screenshot({ path: path.resolve("docs", "screenshot.png") });
});
