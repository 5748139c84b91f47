/**
 * Docs show excerpts of runnable files: each ```ts block whose first line
 * is `// examples/<file>` must appear in that file, piece by piece, where
 * `// ...` marks a cut. An import written for the repository,
 * `from "../src/..."; // from "omnisocket" once installed`, may be quoted as
 * a user writes it, `from "omnisocket";`. Returns the files quoted, in order.
 */
import { readFileSync } from "node:fs";

export function checkExcerpts(doc: string): string[] {
  const root = new URL("../../", import.meta.url);
  const text = readFileSync(new URL(doc, root), "utf8");
  const files: string[] = [];
  for (const [, file, body] of text.matchAll(/```ts\n\/\/ (examples\/[\w.-]+)[^\n]*\n([\s\S]*?)```/g)) {
    const source = asInstalled(readFileSync(new URL(file!, root), "utf8"));
    let from = 0;
    for (const piece of asInstalled(body!).split("// ...\n")) {
      const at = source.indexOf(piece, from);
      if (at < 0) throw new Error(`${doc}: this excerpt is not in ${file}:\n${piece}`);
      from = at + piece.length;
    }
    files.push(file!);
  }
  return files;
}

/** Repository imports rewritten to the package specifier their comment names. */
function asInstalled(code: string): string {
  return code.replace(/from "[^"]+"; \/\/ from ("[^"]+") once installed[^\n]*/g, "from $1;");
}
