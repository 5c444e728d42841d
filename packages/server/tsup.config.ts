import type { Plugin } from "esbuild";
import { defineConfig } from "tsup";

/**
 * `ioredis` is an optional peer dependency. A static import of a missing package fails with Node's
 * bare "Cannot find package 'ioredis'"; this plugin routes every import of it through a tiny loader
 * that says what to install instead. ESM gets a top-level `await import()`, CJS a `require()` in a try.
 */
const optionalPeer = (name: string): Plugin => ({
  name: `optional-peer-${name}`,
  setup(build) {
    // tsup builds CJS with splitting as ESM and converts it afterwards: the output extension tells.
    const esm = build.initialOptions.outExtension?.[".js"] !== ".cjs";
    const filter = new RegExp(`^${name}$`);
    build.onResolve({ filter }, (args) =>
      args.namespace === "optional-peer" ? { path: name, external: true } : { path: name, namespace: "optional-peer" },
    );
    build.onLoad({ filter, namespace: "optional-peer" }, () => {
      const hint = `@realtime-bookings/server needs the ${name} package for this: npm install ${name}`;
      const fail = `(error) => { if (error?.code !== "ERR_MODULE_NOT_FOUND" && error?.code !== "MODULE_NOT_FOUND") throw error; throw Object.assign(new Error(${JSON.stringify(hint)}, { cause: error }), { code: "MODULE_NOT_FOUND" }); }`;
      const contents = esm
        ? `const fail = ${fail};\nconst mod = await import(${JSON.stringify(name)}).catch(fail);\nexport const Redis = mod.Redis;\nexport const Cluster = mod.Cluster;\nexport default mod.default;\n`
        : `const fail = ${fail};\ntry { module.exports = require(${JSON.stringify(name)}); } catch (error) { fail(error); }\n`;
      return { contents, loader: "js", resolveDir: "." };
    });
  },
});

export default defineConfig([
  {
    // The library: three entry points, ESM and CJS with types. `splitting` also for CJS (tsup's
    // experimental CJS splitting): code shared by entry points, such as `HubError`, lives in one chunk,
    // so `require("@realtime-bookings/server").HubError` is the very class that
    // `require("@realtime-bookings/server/ioredis")` throws and `instanceof` holds across entry points.
    entry: {
      index: "src/index.ts",
      "brokers/ioredis": "src/brokers/ioredis.ts",
      "brokers/node-redis": "src/brokers/node-redis.ts",
    },
    format: ["esm", "cjs"],
    splitting: true,
    dts: true,
    sourcemap: true,
    // Both builds run at once: each cleans only its own files.
    clean: ["!cli/**"],
    target: "es2022",
    external: ["redis"],
    // Not external to tsup, so that the plugin below sees the import; the plugin keeps it external.
    noExternal: ["ioredis"],
    esbuildPlugins: [optionalPeer("ioredis")],
  },
  {
    // The `realtime-bookings` bin (package.json "bin"), built once: ESM only, no types (nothing imports
    // it). tsup keeps its shebang and makes it executable.
    entry: { "cli/main": "src/cli/main.ts" },
    format: ["esm"],
    sourcemap: true,
    clean: ["cli/**"],
    target: "es2022",
    external: ["ioredis", "redis"],
  },
]);
