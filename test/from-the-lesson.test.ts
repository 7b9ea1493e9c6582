/**
 * The pages a lesson graduate reads stay true to the code: every path that
 * `docs/from-the-lesson.md`, the README and the references beside them name
 * exists from the repository root, every function they write as `name()` is
 * defined in the project's source, every link they make leads somewhere, and
 * the README links the guide near its top. Plain file reads: no server, no
 * network.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { projectRoot } from "../lib/ops/paths.js";

/** The pages checked; the guide first. */
const PAGES = ["docs/from-the-lesson.md", "README.md", "docs/protocol.md", "docs/operations.md"];

/** Where a function a page names may be defined: the app's own source, and the tests' helpers. */
const SOURCE_DIRS = ["bin", "lib", "socket", "routes", "public/client", "scripts", "test/support", "e2e/support"];

/** Extensions that make a bare backticked name a file of the repository, whose path must then start at the root. */
const FILE_EXTENSION = /\.(?:ts|js|mjs|cjs|ejs|md|json|css|svg|png|ya?ml)$/;
/** Files at the top that have no extension. */
const TOP_LEVEL_FILES = new Set(["Procfile"]);
/** Made by a build, an install or a run: named by the pages, never in a fresh clone. */
const GENERATED = ["dist/", "node_modules/", "data/", "test-results/", "playwright-report/"];

const read = (file: string) => readFileSync(path.join(projectRoot, file), "utf8");

/** The page without its fenced code blocks: those hold the lesson's code and shell commands, not names of this project. */
function prose(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, "");
}

/** Every inline code span of the page's prose, in order. */
function codeSpans(markdown: string): string[] {
  return Array.from(prose(markdown).matchAll(/`([^`\n]+)`/g), (match) => (match[1] ?? "").trim());
}

/** A span naming a file or folder of the repository: with a slash, a file's extension, or a top-level file's name. */
function isRepositoryPath(span: string): boolean {
  if (TOP_LEVEL_FILES.has(span)) return true;
  // No URLs (`/api/...`), no npm scopes (`@socket.io/sticky`), no placeholders, spaces or globs.
  if (!/^\.?[A-Za-z_][\w.-]*(?:\/[\w.-]+)*\/?$/.test(span)) return false;
  // A bare name is a file at the top, never a hidden one or an extension alone (`.svg`).
  return span.includes("/") || (FILE_EXTENSION.test(span) && !span.startsWith("."));
}

/** The repository paths the page names, generated ones left out. */
function namedPaths(markdown: string): string[] {
  return codeSpans(markdown).filter((span) => isRepositoryPath(span) && !GENERATED.some((dir) => span.startsWith(dir)));
}

/** Spans that point at a line (`io.ts:288`): lines move with every edit, so the pages name files and functions instead. */
function lineReferences(markdown: string): string[] {
  return codeSpans(markdown).filter((span) => /^[\w./-]+\.[a-z]+:\d+/.test(span));
}

/** The functions the page writes as `name()`, `Class.method()` or `#privateMethod()`. */
function namedFunctions(markdown: string): string[] {
  return codeSpans(markdown).filter((span) => /^#?[A-Za-z_$][\w$]*(?:\.#?[A-Za-z_$][\w$]*)*\(\)$/.test(span));
}

/** The paths of `names` that do not exist from `root`. */
function missingPaths(names: readonly string[], root = projectRoot): string[] {
  return names.filter((name) => !existsSync(path.join(root, name)));
}

const escape = (name: string) => name.replace(/[$#]/g, (c) => `\\${c}`);
const MODIFIERS = String.raw`(?:(?:export|default|public|private|protected|static|async|override|readonly|abstract|get|set)\s+)*`;
const TYPE_PARAMETERS = String.raw`(?:<[^>]*>)?`;
/** Parameters, with one level of nested parentheses (`now: () => number`). */
const PARAMETERS = String.raw`\((?:[^()]|\([^()]*\))*\)`;

/** The ways a name is defined: declarations, constants, class fields and methods, object-literal methods and properties. */
function definitionPatterns(name: string): RegExp[] {
  const n = escape(name);
  return [
    new RegExp(String.raw`\bfunction\s*\*?\s*${n}\s*[<(]`),
    // A constant holding a function: `const name = (...) =>`, `const name: Handler = async (...) =>`
    new RegExp(String.raw`\b(?:const|let|var)\s+${n}\s*(?::[^=\n]+)?=\s*(?:async\s+)?(?:function\b|\(|<|[A-Za-z_$][\w$]*\s*=>)`),
    new RegExp(String.raw`\bclass\s+${n}\b`),
    // A method whose parameters fit on its line: `name(a, b): T {`
    new RegExp(String.raw`^\s*${MODIFIERS}${n}\s*${TYPE_PARAMETERS}${PARAMETERS}\s*(?::[^\n]*)?\{\s*$`, "m"),
    // A method whose parameters follow on the next lines: `name(`
    new RegExp(String.raw`^\s*${MODIFIERS}${n}\s*${TYPE_PARAMETERS}\(\s*$`, "m"),
    // A class field or object property holding a function: `name = (...) =>`, `name: async (...) =>`
    new RegExp(String.raw`^\s*${MODIFIERS}${n}\s*[:=]\s*(?:async\s+)?(?:function\b|${PARAMETERS}\s*(?::[^=\n]+)?=>|[A-Za-z_$][\w$]*\s*=>)`, "m"),
  ];
}

/** The names in `functions` that no source text defines; a `Class.method()` must be defined in the file that defines its class. */
function undefinedFunctions(functions: readonly string[], sources: readonly string[]): string[] {
  const defines = (name: string, source: string) => definitionPatterns(name).some((pattern) => pattern.test(source));
  return functions.filter((written) => {
    const [first = "", ...members] = written.slice(0, -"()".length).split(".");
    const homes = sources.filter((source) => defines(first, source));
    return homes.length === 0 || !members.every((member) => homes.some((home) => defines(member, home)));
  });
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces made hyphens; repeats get -1, -2... */
function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const [, heading = ""] of prose(markdown).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = heading
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/\s/g, "-");
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

/** The page's links to files that do not exist, or to headings that are not there. `page` is its path from `root`. */
function brokenLinks(page: string, markdown: string, root = projectRoot): string[] {
  const broken: string[] = [];
  for (const [, target = ""] of prose(markdown).matchAll(/\]\(([^)\s]+)\)/g)) {
    if (/^[a-z][a-z+.-]*:/i.test(target)) continue; // http:, mailto:
    const [file = "", anchor] = target.split("#");
    const linked = file === "" ? path.join(root, page) : path.join(root, path.dirname(page), file);
    if (!existsSync(linked)) {
      broken.push(target);
      continue;
    }
    if (anchor === undefined || !linked.endsWith(".md")) continue;
    const text = file === "" ? markdown : readFileSync(linked, "utf8");
    if (!headingAnchors(text).has(anchor)) broken.push(target);
  }
  return broken;
}

let sources: string[] | undefined;
/** Every .ts and .js file of the project's source (tests left out), read once. */
function projectSources(): string[] {
  if (sources) return sources;
  const files = readdirSync(projectRoot).filter((file) => /\.ts$/.test(file) && !file.endsWith(".test.ts"));
  for (const dir of SOURCE_DIRS) {
    const entries = readdirSync(path.join(projectRoot, dir), { recursive: true, encoding: "utf8" });
    for (const entry of entries) if (/\.[tj]s$/.test(entry) && !entry.endsWith(".test.ts")) files.push(path.join(dir, entry));
  }
  sources = files.map(read);
  return sources;
}

describe("the checks themselves", () => {
  const sample = [
    "The relay is `createFanout()` in `socket/relay/fanout.ts`; `noSuchThing()` is not, nor `BoardFeed.noSuchMethod()`, nor `BoardFeed.add()`, though `CirclesState.add()` is.",
    "`Procfile`, `lib/no-such-file.ts` and `io.ts:288`; not paths: `/api/boards/:board`, `@socket.io/sticky`, `dist/bin/www.js`, `npm run dev`, `.svg`.",
    "[the guide](docs/from-the-lesson.md), [nothing](docs/no-such-page.md), [no heading](README.md#no-such-heading).",
    "```js",
    "socket.on('add-circle', drawCircle); // `drawCircle()` is the lesson's, in a code block",
    "```",
  ].join("\n");

  it("finds the paths a page names, and says which do not exist", () => {
    expect(namedPaths(sample)).toEqual(["socket/relay/fanout.ts", "Procfile", "lib/no-such-file.ts"]);
    expect(missingPaths(namedPaths(sample))).toEqual(["lib/no-such-file.ts"]);
    expect(lineReferences(sample)).toEqual(["io.ts:288"]);
  });

  it("finds the functions a page names, and says which the code does not define", () => {
    expect(namedFunctions(sample)).toEqual(["createFanout()", "noSuchThing()", "BoardFeed.noSuchMethod()", "BoardFeed.add()", "CirclesState.add()"]);
    expect(undefinedFunctions(namedFunctions(sample), projectSources())).toEqual(["noSuchThing()", "BoardFeed.noSuchMethod()", "BoardFeed.add()"]);
  });

  it("knows a definition from a call", () => {
    const source = [
      "export async function startServer(port: number) {}",
      "const parseThing = (input: unknown) => input;",
      "class Feed {",
      "  #take(events: readonly string[], now: () => number = Date.now): void {",
      "  }",
      "  private async store<T>(",
      "    work: () => T,",
      "  ): Promise<T> {}",
      "}",
      "const fanout = {",
      "  afterRelay: (board, reply) => reply(),",
      "  changed(board, events) {",
      "  },",
      "};",
      "  onlyCalled(a, b).then(() => {",
      "  alsoCalled(socket, {",
      "const io = new Server(httpServer);",
    ].join("\n");
    const names = ["startServer()", "parseThing()", "Feed.#take()", "store()", "afterRelay()", "changed()", "onlyCalled()", "alsoCalled()", "io()"];
    expect(undefinedFunctions(names, [source])).toEqual(["onlyCalled()", "alsoCalled()", "io()"]);
  });

  it("finds links to files and headings that are not there", () => {
    expect(brokenLinks("README.md", sample)).toEqual(["docs/no-such-page.md", "README.md#no-such-heading"]);
    expect(headingAnchors("## Exactly once: ids and retries\n### Board order: `seq`\n## Notes\n## Notes")).toEqual(
      new Set(["exactly-once-ids-and-retries", "board-order-seq", "notes", "notes-1"]),
    );
  });
});

describe.each(PAGES)("%s", (page) => {
  const markdown = read(page);

  it("names only paths that exist from the repository root", () => {
    const missing = missingPaths(namedPaths(markdown));
    expect(missing, `${page} names paths that do not exist: ${missing.join(", ")}`).toEqual([]);
  });

  it("names files and functions, never line numbers", () => {
    expect(lineReferences(markdown), `${page} points at lines, which move`).toEqual([]);
  });

  it("names only functions the code defines", () => {
    const missing = undefinedFunctions(namedFunctions(markdown), projectSources());
    expect(missing, `${page} names functions no source file defines: ${missing.join(", ")}`).toEqual([]);
  });

  it("links only to files and headings that exist", () => {
    const broken = brokenLinks(page, markdown);
    expect(broken, `${page} has links that lead nowhere: ${broken.join(", ")}`).toEqual([]);
  });
});

describe("the way in", () => {
  it("links the guide from near the top of the README", () => {
    const top = read("README.md").split("\n").slice(0, 30).join("\n");
    expect(top).toContain("](docs/from-the-lesson.md)");
  });

  it("follows the lesson's nine steps, in the lesson's order", () => {
    const steps = Array.from(read("docs/from-the-lesson.md").matchAll(/^## (\d+)\. /gm), (match) => Number(match[1]));
    expect(steps).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});
