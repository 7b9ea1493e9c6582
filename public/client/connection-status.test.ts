import { describe, expect, it } from "vitest";
import { connectionLabel } from "./connection-status.js";

describe("connectionLabel", () => {
  it("counts what waits while the connection is down", () => {
    expect(connectionLabel("reconnecting", 3)).toBe("Offline · 3 waiting");
    expect(connectionLabel("offline", 1)).toBe("Offline · 1 waiting");
    expect(connectionLabel("connecting", 2)).toBe("Connecting… · 2 waiting");
  });

  it("says just the state with nothing waiting, and once connected", () => {
    expect(connectionLabel("reconnecting", 0)).toBe("Offline");
    expect(connectionLabel("connected", 4)).toBe("Connected");
    expect(connectionLabel("connecting", 0)).toBe("Connecting…");
  });
});
