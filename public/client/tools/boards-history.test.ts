import { describe, expect, it } from "vitest";
import { blockedStorage as blocked, memoryStorage } from "../people/fake-storage.js";
import { BoardsHistory, MAX_BOARDS, parseBoards, withoutBoard, withVisit } from "./boards-history.js";

describe("withVisit", () => {
  it("puts the board first, once, keeping the others in their order", () => {
    const list = withVisit(withVisit(withVisit([], "one", 1), "two", 2), "three", 3);
    expect(list.map((entry) => entry.board)).toEqual(["three", "two", "one"]);
    expect(withVisit(list, "one", 4)).toEqual([
      { board: "one", at: 4 },
      { board: "three", at: 3 },
      { board: "two", at: 2 },
    ]);
  });

  it(`keeps at most ${MAX_BOARDS}, forgetting the oldest`, () => {
    let list = withVisit([], "first", 0);
    for (let i = 1; i <= MAX_BOARDS; i++) list = withVisit(list, `board-${i}`, i);
    expect(list).toHaveLength(MAX_BOARDS);
    expect(list[0]?.board).toBe(`board-${MAX_BOARDS}`);
    expect(list.some((entry) => entry.board === "first")).toBe(false);
  });

  it("withoutBoard leaves out one board", () => {
    const list = withVisit(withVisit([], "one", 1), "two", 2);
    expect(withoutBoard(list, "one")).toEqual([{ board: "two", at: 2 }]);
  });
});

describe("parseBoards", () => {
  it("reads back what was stored", () => {
    const list = withVisit(withVisit([], "one", 1), "two", 2);
    expect(parseBoards(JSON.stringify(list))).toEqual(list);
  });

  it("gives an empty list for nothing, broken JSON or another shape, and skips bad entries", () => {
    expect(parseBoards(null)).toEqual([]);
    expect(parseBoards("{")).toEqual([]);
    expect(parseBoards('{"board":"one"}')).toEqual([]);
    expect(
      parseBoards(
        JSON.stringify([{ board: "ok", at: 5 }, { board: "Not OK" }, { board: "../x" }, null, "one", { board: "ok", at: 6 }, { board: "no-time" }]),
      ),
    ).toEqual([
      { board: "ok", at: 5 },
      { board: "no-time", at: 0 },
    ]);
  });
});

describe("BoardsHistory", () => {
  it("keeps the list in storage, newest first, across pages", () => {
    const storage = memoryStorage();
    new BoardsHistory(() => storage).visit("one", 1);
    new BoardsHistory(() => storage).visit("two", 2);
    const history = new BoardsHistory(() => storage);
    expect(history.list().map((entry) => entry.board)).toEqual(["two", "one"]);
    history.forget("two");
    expect(new BoardsHistory(() => storage).list()).toEqual([{ board: "one", at: 1 }]);
  });

  it("ignores a name that is not a board's", () => {
    const storage = memoryStorage();
    new BoardsHistory(() => storage).visit("Not a board", 1);
    expect(new BoardsHistory(() => storage).list()).toEqual([]);
  });

  it("keeps the list for the page when storage is blocked", () => {
    const history = new BoardsHistory(() => blocked);
    history.visit("one", 1);
    history.visit("two", 2);
    expect(history.list().map((entry) => entry.board)).toEqual(["two", "one"]);
  });
});
