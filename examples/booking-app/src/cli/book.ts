import { runBook } from "./book-command.js";

runBook(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`[book] ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
