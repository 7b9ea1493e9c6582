import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["lib/**/*.test.ts", "socket/**/*.test.ts", "test/**/*.test.ts", "public/client/**/*.test.ts", "*.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
