#!/usr/bin/env node
/**
 * Builds the browser side into dist/public/, which the server serves at the
 * site root: public/client/main.ts → app.js (bundled with socket.io-client,
 * minified, with a source map), public/client/present.ts → present.js (the
 * presenter screen, bundled likewise), public/style.css → style.css and
 * public/favicon.svg → favicon.svg.
 *
 *   node scripts/build-client.js           build once
 *   node scripts/build-client.js --watch   rebuild on every change (npm run dev)
 */
import * as esbuild from "esbuild";
import { stat } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const outdir = path.join(root, "dist", "public");
const watch = process.argv.includes("--watch");

/** @param {string} text */
const say = (text) => process.stdout.write(`${text}\n`);

/** @param {number} bytes */
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} kB`;

/** Prints one line after every build: what was written and how big, or how many errors. */
const report = {
  name: "report",
  /** @param {import("esbuild").PluginBuild} build */
  setup(build) {
    let started = 0;
    build.onStart(() => {
      started = performance.now();
    });
    build.onEnd(async (result) => {
      const ms = Math.round(performance.now() - started);
      if (result.errors.length > 0) {
        say(`client build failed with ${result.errors.length} error(s)`);
        return;
      }
      const sizes = await Promise.all(
        ["app.js", "present.js", "style.css"].map(async (file) => `${file} ${kb((await stat(path.join(outdir, file))).size)}`),
      );
      say(`client built → dist/public (${sizes.join(", ")}) in ${ms} ms${watch ? "; watching for changes" : ""}`);
    });
  },
};

/** @type {import("esbuild").BuildOptions} */
const options = {
  absWorkingDir: root,
  entryPoints: [
    { in: "public/client/main.ts", out: "app" },
    { in: "public/client/present.ts", out: "present" },
    { in: "public/style.css", out: "style" },
    { in: "public/favicon.svg", out: "favicon" },
  ],
  outdir,
  bundle: true,
  format: "iife",
  platform: "browser",
  target: ["es2020", "chrome100", "firefox100", "safari15"],
  minify: true,
  sourcemap: true,
  legalComments: "none",
  tsconfig: "public/client/tsconfig.json",
  loader: { ".svg": "copy" },
  logLevel: "warning",
  plugins: [report],
};

if (watch) {
  const context = await esbuild.context(options);
  await context.watch();
  const stop = async () => {
    await context.dispose();
    process.exit(0);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
} else {
  try {
    await esbuild.build(options);
  } catch {
    // esbuild has already printed the errors
    process.exitCode = 1;
  }
}
