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
});
