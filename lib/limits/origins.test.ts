import { describe, expect, it } from "vitest";
import { isOriginAllowed, normaliseOrigin, type OriginPolicy } from "./origins.js";

const ownOnly: OriginPolicy = { any: false, allowed: [] };

describe("isOriginAllowed", () => {
  it("lets requests without an Origin through: scripts, bots and servers send none", () => {
    expect(isOriginAllowed(undefined, "circles.example", ownOnly)).toBe(true);
  });

  it("lets the app's own origin through, whatever the scheme the proxy ended", () => {
    expect(isOriginAllowed("http://localhost:3000", "localhost:3000", ownOnly)).toBe(true);
    expect(isOriginAllowed("https://circles.example", "circles.example", ownOnly)).toBe(true);
    expect(isOriginAllowed("https://Circles.Example", "CIRCLES.example", ownOnly)).toBe(true);
  });

  it("refuses another site, another port, and origins that are not http(s)", () => {
    expect(isOriginAllowed("https://evil.example", "circles.example", ownOnly)).toBe(false);
    expect(isOriginAllowed("http://localhost:4000", "localhost:3000", ownOnly)).toBe(false);
    expect(isOriginAllowed("null", "circles.example", ownOnly)).toBe(false);
    expect(isOriginAllowed("file://", "circles.example", ownOnly)).toBe(false);
    expect(isOriginAllowed("https://circles.example", undefined, ownOnly)).toBe(false);
  });

  it("lets in the origins ALLOWED_ORIGINS names, and only those", () => {
    const policy: OriginPolicy = { any: false, allowed: ["https://school.example"] };
    expect(isOriginAllowed("https://school.example", "circles.example", policy)).toBe(true);
    expect(isOriginAllowed("http://school.example", "circles.example", policy)).toBe(false);
    expect(isOriginAllowed("https://school.example.evil", "circles.example", policy)).toBe(false);
  });

  it("lets everything in with ALLOWED_ORIGINS=*", () => {
    expect(isOriginAllowed("https://anyone.example", "circles.example", { any: true, allowed: [] })).toBe(true);
  });
});

describe("normaliseOrigin", () => {
  it("reduces a URL to its origin and refuses what is not one", () => {
    expect(normaliseOrigin("https://a.example:8443/path?q")).toBe("https://a.example:8443");
    expect(normaliseOrigin("HTTP://A.example:80")).toBe("http://a.example");
    expect(normaliseOrigin("a.example")).toBeUndefined();
    expect(normaliseOrigin("javascript:alert(1)")).toBeUndefined();
  });
});
