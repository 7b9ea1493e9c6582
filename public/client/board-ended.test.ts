import { describe, expect, it } from "vitest";
import { deletedReason, isRemovedRefusal } from "./board-ended.js";

describe("deletedReason", () => {
  it("tells a board that went unused from one its host deleted", () => {
    expect(deletedReason("this board was deleted after going unused")).toBe("expired");
    expect(deletedReason("the host deleted this board")).toBe("deleted");
    expect(deletedReason(undefined)).toBe("deleted");
  });
});

describe("isRemovedRefusal", () => {
  it("knows the refusal of a removed player from any other", () => {
    expect(isRemovedRefusal("the host removed you from this board")).toBe(true);
    expect(isRemovedRefusal("too many connections: try again later")).toBe(false);
    expect(isRemovedRefusal("xhr poll error")).toBe(false);
  });
});
