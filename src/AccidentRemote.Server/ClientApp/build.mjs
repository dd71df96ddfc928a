// Bundles the pages into ../wwwroot/dist and checks the translation files first.
// Called by `npm run build` (after `tsc --noEmit`), which MSBuild runs before each build.
import { readFileSync, readdirSync } from "node:fs";
import { build } from "esbuild";

const here = new URL(".", import.meta.url);
const read = (p) => readFileSync(new URL(p, here), "utf8");

// Both languages must have exactly the same keys, and every key an HTML page or fragment names must exist:
// a missing string shows up as an empty button on a driver's phone, so it fails the build.
const zh = JSON.parse(read("src/i18n/zh-CN.json"));
const en = JSON.parse(read("src/i18n/en.json"));
const problems = [];
for (const k of Object.keys(zh)) if (!(k in en)) problems.push(`en.json lacks "${k}" (it is in zh-CN.json)`);
for (const k of Object.keys(en)) if (!(k in zh)) problems.push(`zh-CN.json lacks "${k}" (it is in en.json)`);
for (const [name, dict] of [["zh-CN", zh], ["en", en]]) {
  for (const [k, v] of Object.entries(dict)) if (typeof v !== "string" || v.trim() === "") problems.push(`${name}.json: "${k}" is empty`);
}
const htmlFiles = [
  ...readdirSync(new URL("../wwwroot/", here)).filter((f) => f.endsWith(".html")).map((f) => `../wwwroot/${f}`),
  ...readdirSync(new URL("src/", here), { recursive: true }).filter((f) => f.endsWith(".html")).map((f) => `src/${f}`),
];
for (const file of htmlFiles) {
  for (const m of read(file).matchAll(/data-i18n(?:-[a-z]+)?="([^"]+)"/g)) {
    if (!(m[1] in zh)) problems.push(`${file.replace(/^\.\.\//, "")} uses "${m[1]}", which zh-CN.json lacks`);
  }
}
if (problems.length > 0) {
  console.error(`i18n check failed:\n  ${problems.join("\n  ")}`);
  process.exit(1);
}

// Each page bundles only the strings it can show: the driver's phone does not download the console's.
const pages = [
  { entry: "src/driver.ts", drop: ["console.", "liability.", "evidence.", "board.", "fraud.", "desk."] },
  { entry: "src/console.ts", drop: ["start.", "consent.", "form.", "vehicle.", "triage.", "location.", "media.", "share.", "photo.", "ended.", "call.", "instruction.", "rating.", "desk.", "outbox."] },
  {
    entry: "src/desk.ts",
    drop: ["start.", "consent.", "form.", "triage.", "location.", "media.", "share.", "photo.", "ended.", "call.", "instruction.", "rating.", "board.", "sign.", "outbox.",
      "details.", "waiting.", "status.", "escalated.", "claim.", "weather.", "console.status.", "console.event.", "console.tile.", "console.escalation.",
      "console.abandonment.", "console.insurance."],
  },
];
const stripStrings = (drop) => ({
  name: "strip-strings",
  setup(b) {
    b.onLoad({ filter: /[\\/]i18n[\\/][\w-]+\.json$/ }, (args) => {
      const all = JSON.parse(readFileSync(args.path, "utf8"));
      const kept = Object.fromEntries(Object.entries(all).filter(([k]) => !drop.some((p) => k.startsWith(p))));
      return { contents: JSON.stringify(kept), loader: "json" };
    });
  },
});

await Promise.all(pages.map((page) => build({
  entryPoints: [page.entry],
  absWorkingDir: new URL(".", here).pathname,
  outdir: "../wwwroot/dist",
  bundle: true,
  minify: true,
  sourcemap: "linked",
  legalComments: "external",
  format: "iife",
  platform: "browser",
  // ES2020 runs on the phones that have unified-plan WebRTC (Chrome/WebView 80+, iOS Safari 14+);
  // esbuild refuses per-browser targets here for destructuring, which all of them support.
  target: "es2020",
  // HTML fragments (the staff sign-in form, lib/sign-in.html) are bundled as text into the pages that use them.
  loader: { ".html": "text" },
  plugins: [stripStrings(page.drop)],
  logLevel: "warning",
})));
// The driver page's service worker: at the site's root (its scope is "/"), never fingerprinted (browsers
// look for a new one at the same URL). It carries no strings.
await build({
  entryPoints: ["src/sw.ts"],
  absWorkingDir: new URL(".", here).pathname,
  outfile: "../wwwroot/sw.js",
  bundle: true,
  minify: true,
  format: "iife",
  platform: "browser",
  target: "es2020",
  logLevel: "warning",
});
console.log(`i18n: ${Object.keys(zh).length} keys in both languages; bundles written to wwwroot/dist`);
