// Builds Daybook's static files from pinned npm packages (no network at run time).
// GOV.UK Frontend is compiled with a system font stack: never the GDS Transport font
// and never the crown or any GOV.UK brand asset.
import * as sass from "sass";
import { mkdirSync, writeFileSync, copyFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "build", "static");
mkdirSync(join(out, "css"), { recursive: true });
mkdirSync(join(out, "js"), { recursive: true });

const result = sass.compile(join(root, "frontend", "scss", "daybook.scss"), {
  loadPaths: [join(root, "node_modules")],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import", "global-builtin", "color-functions", "slash-div"],
});
if (result.css.includes("GDS Transport")) {
  throw new Error("The GDS Transport font must not be part of Daybook's CSS");
}
writeFileSync(join(out, "css", "daybook.css"), result.css);

copyFileSync(
  join(root, "node_modules", "govuk-frontend", "dist", "govuk", "govuk-frontend.min.js"),
  join(out, "js", "govuk-frontend.min.js"),
);
for (const name of readdirSync(join(root, "frontend", "js"))) {
  copyFileSync(join(root, "frontend", "js", name), join(out, "js", name));
}
console.log("built static files into build/static");
