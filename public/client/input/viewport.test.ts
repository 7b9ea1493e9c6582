import { describe, expect, it } from "vitest";
import { BOARD_HEIGHT, BOARD_WIDTH } from "../../../lib/protocol/rules.js";
import {
  clampCamera,
  coverScale,
  fitScale,
  MAX_SCALE,
  moveCamera,
  onBoard,
  recentre,
  reveal,
  startCamera,
  toBoard,
  toScreen,
  zoomRange,
  type Camera,
  type Size,
} from "./viewport.js";

const desktop: Size = { width: 1280, height: 720 };
/** A phone held upright, under its header and footer. */
const phone: Size = { width: 412, height: 640 };

function cameraFor(stage: Size): { camera: Camera; range: ReturnType<typeof zoomRange> } {
  const fit = fitScale(stage);
  return { camera: startCamera(stage, fit), range: zoomRange(stage, fit) };
}

describe("fit and cover", () => {
  it("fits the board by its tighter side and covers by its looser one", () => {
    expect(fitScale(desktop)).toBeCloseTo(720 / 1080);
    expect(fitScale(phone)).toBeCloseTo(412 / 1920);
    expect(coverScale(phone)).toBeCloseTo(640 / 1080);
  });

  it("never goes negative for an empty stage", () => {
    expect(fitScale({ width: 0, height: 0 })).toBe(0);
    expect(coverScale({ width: -5, height: 0 })).toBe(0);
  });

  it("lets a phone zoom far closer than it starts, and a huge screen stay at fit", () => {
    expect(zoomRange(phone, fitScale(phone))).toEqual({ min: fitScale(phone), max: MAX_SCALE });
    expect(zoomRange({ width: 7680, height: 4320 }, 4)).toEqual({ min: 4, max: 4 });
  });
});

describe("startCamera", () => {
  it("shows the whole board centred when it fills most of the stage", () => {
    const stage = { width: 1280, height: 800 };
    const camera = startCamera(stage, fitScale(stage));
    expect(camera.scale).toBeCloseTo(1280 / 1920);
    expect(camera.x).toBeCloseTo(0);
    expect(camera.y).toBeCloseTo((800 - 1080 * (1280 / 1920)) / 2);
  });

  it("on an upright phone fills the height, showing the middle of the board", () => {
    const camera = startCamera(phone, fitScale(phone));
    expect(camera.scale).toBeCloseTo(640 / 1080);
    expect(camera.y).toBeCloseTo(0);
    expect(toBoard(camera, { x: 206, y: 320 }).x).toBeCloseTo(BOARD_WIDTH / 2);
    expect(toBoard(camera, { x: 206, y: 320 }).y).toBeCloseTo(BOARD_HEIGHT / 2);
  });
});

describe("screen and board points", () => {
  const camera: Camera = { scale: 0.5, x: -100, y: 20 };

  it("convert both ways", () => {
    expect(toBoard(camera, { x: 0, y: 20 })).toEqual({ x: 200, y: 0 });
    expect(toScreen(camera, { x: 200, y: 0 })).toEqual({ x: 0, y: 20 });
    for (const point of [
      { x: 0, y: 0 },
      { x: 1920, y: 1080 },
      { x: 333.3, y: 777.7 },
    ]) {
      const back = toBoard(camera, toScreen(camera, point));
      expect(back.x).toBeCloseTo(point.x);
      expect(back.y).toBeCloseTo(point.y);
    }
  });

  it("tell the board from the space around it", () => {
    expect(onBoard({ x: 0, y: 0 })).toBe(true);
    expect(onBoard({ x: BOARD_WIDTH, y: BOARD_HEIGHT })).toBe(true);
    expect(onBoard({ x: -0.1, y: 10 })).toBe(false);
    expect(onBoard({ x: 10, y: BOARD_HEIGHT + 1 })).toBe(false);
  });
});

describe("clampCamera", () => {
  const { range } = cameraFor(phone);

  it("keeps the zoom in range", () => {
    expect(clampCamera({ scale: 100, x: 0, y: 0 }, phone, range).scale).toBe(MAX_SCALE);
    expect(clampCamera({ scale: 0.01, x: 0, y: 0 }, phone, range).scale).toBe(range.min);
  });

  it("centres the board along an axis it does not fill", () => {
    const camera = clampCamera({ scale: range.min, x: 50, y: -300 }, phone, range);
    expect(camera.x).toBeCloseTo(0);
    expect(camera.y).toBeCloseTo((640 - BOARD_HEIGHT * range.min) / 2);
  });

  it("leaves no gap at an edge along an axis it overflows", () => {
    const scale = 1;
    expect(clampCamera({ scale, x: 40, y: 40 }, phone, range)).toEqual({ scale, x: 0, y: 0 });
    expect(clampCamera({ scale, x: -5000, y: -5000 }, phone, range)).toEqual({
      scale,
      x: 412 - BOARD_WIDTH,
      y: 640 - BOARD_HEIGHT,
    });
  });
});

describe("moveCamera", () => {
  const { camera, range } = cameraFor(phone);

  it("drags the board under the finger", () => {
    const moved = moveCamera(camera, { x: 200, y: 300 }, { x: 150, y: 300 }, 1, phone, range);
    expect(moved.scale).toBe(camera.scale);
    expect(moved.x).toBeCloseTo(camera.x - 50);
    expect(moved.y).toBe(camera.y);
  });

  it("stops at the board's edge", () => {
    const moved = moveCamera(camera, { x: 0, y: 0 }, { x: 10_000, y: 0 }, 1, phone, range);
    expect(moved.x).toBe(0);
  });

  it("zooms around the point between the fingers", () => {
    const anchor = { x: 100, y: 200 };
    const under = toBoard(camera, anchor);
    const zoomed = moveCamera(camera, anchor, anchor, 2, phone, range);
    expect(zoomed.scale).toBeCloseTo(camera.scale * 2);
    const still = toBoard(zoomed, anchor);
    expect(still.x).toBeCloseTo(under.x);
    expect(still.y).toBeCloseTo(under.y);
  });

  it("keeps the point under the fingers when the zoom hits its limit", () => {
    const near = { scale: 1.5, x: -800, y: -400 };
    const anchor = { x: 200, y: 300 };
    const under = toBoard(near, anchor);
    const zoomed = moveCamera(near, anchor, anchor, 10, phone, range);
    expect(zoomed.scale).toBe(MAX_SCALE);
    expect(toBoard(zoomed, anchor).x).toBeCloseTo(under.x);
  });

  it("pinching out stops at the whole board, centred", () => {
    const out = moveCamera(camera, { x: 0, y: 0 }, { x: 0, y: 0 }, 0.01, phone, range);
    expect(out.scale).toBe(range.min);
    expect(out.x).toBeCloseTo(0);
    expect(out.y).toBeCloseTo((640 - BOARD_HEIGHT * range.min) / 2);
  });

  it("ignores a ratio that is not a positive number", () => {
    for (const ratio of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(moveCamera(camera, { x: 0, y: 0 }, { x: 0, y: 0 }, ratio, phone, range).scale).toBe(camera.scale);
    }
  });
});

describe("reveal", () => {
  const { camera, range } = cameraFor(phone);

  it("leaves a point already in view alone", () => {
    expect(reveal(camera, { x: BOARD_WIDTH / 2, y: BOARD_HEIGHT / 2 }, 40, phone, range)).toEqual(camera);
  });

  it("pans just enough to bring a point off screen back inside the margin", () => {
    const moved = reveal(camera, { x: 1500, y: 540 }, 40, phone, range);
    expect(moved.scale).toBe(camera.scale);
    expect(toScreen(moved, { x: 1500, y: 540 }).x).toBeCloseTo(412 - 40);
  });

  it("cannot pan past the board's edge to reveal its corner", () => {
    const moved = reveal(camera, { x: 0, y: 0 }, 40, phone, range);
    expect(moved.x).toBe(0);
    expect(moved.y).toBe(0);
  });
});

describe("recentre", () => {
  it("keeps the zoom and the middle of the view when the stage changes size", () => {
    const { range } = cameraFor(phone);
    const camera: Camera = { scale: 1, x: -700, y: -200 };
    const middle = toBoard(camera, { x: 206, y: 320 });
    const after: Size = { width: 412, height: 500 };
    const moved = recentre(camera, phone, after, zoomRange(after, fitScale(after)));
    expect(moved.scale).toBe(1);
    expect(toBoard(moved, { x: 206, y: 250 }).x).toBeCloseTo(middle.x);
    expect(toBoard(moved, { x: 206, y: 250 }).y).toBeCloseTo(middle.y);
    expect(range.max).toBe(MAX_SCALE);
  });

  it("zooms out when the new stage's range stops short of the old zoom", () => {
    const camera: Camera = { scale: MAX_SCALE, x: -100, y: -100 };
    const huge: Size = { width: 7680, height: 4320 };
    expect(recentre(camera, phone, huge, zoomRange(huge, 4)).scale).toBe(4);
  });
});
