import { describe, expect, it } from "vitest";
import { noticeText } from "./chat.js";

describe("noticeText", () => {
  it("lists up to three names, and counts the rest", () => {
    expect(noticeText(["AB"], "joined")).toBe("AB joined");
    expect(noticeText(["AB", "CD"], "left")).toBe("AB and CD left");
    expect(noticeText(["AB", "CD", "EF"], "joined")).toBe("AB, CD and EF joined");
    expect(noticeText(["AB", "CD", "EF", "GH"], "joined")).toBe("AB, CD and 2 others joined");
    expect(
      noticeText(
        Array.from({ length: 40 }, () => "XY"),
        "left",
      ),
    ).toBe("XY, XY and 38 others left");
  });

  it("counts watchers after the names", () => {
    expect(noticeText([], "joined", 1)).toBe("1 watcher joined");
    expect(noticeText([], "left", 3)).toBe("3 watchers left");
    expect(noticeText(["AB", "CD"], "joined", 3)).toBe("AB, CD and 3 watchers joined");
    expect(noticeText(["AB", "CD", "EF", "GH"], "joined", 2)).toBe("AB, CD, 2 others and 2 watchers joined");
  });
});
