// What each module costs in the <script> bundle: builds the IIFE as tsup does (esbuild + terser),
// then again with one module stubbed out, and prints the gzip bytes each module adds. Use it when the
// budget test (test/bundle.test.ts) fails: `node scripts/size-report.mjs`.
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { minify } from "terser";

const STUBS = {
  "src/sse-parser.ts": [/\/sse-parser\.js$/, "export const createSseParser=()=>()=>{}"],
  "src/button.ts": [/\/button\.js$/, "export const mountStatusButton=()=>{}"],
  "src/options.ts": [/\/options\.js$/, "export const resolveOptions=(o)=>o"],
  "src/transports/fetch.ts (+ parser)": [/\/transports\/fetch\.js$/, "export const openFetchStream=()=>{}"],
  "src/transports/eventsource.ts": [/\/transports\/eventsource\.js$/, "export const openEventSource=()=>{}"],
  "src/http.ts": [/\/http\.js$/, "export const resolveHeaders=()=>{},get=()=>{},statusError=()=>{},withLastEventId=()=>{},retryWait=()=>{}"],
  "src/coalescer.ts": [/\/coalescer\.js$/, "export const createCoalescer=()=>{}"],
  "src/environment.ts": [/\/environment\.js$/, "export const browserEnvironment=()=>{}"],
  "src/parse.ts": [/\/parse\.js$/, "export const parseChange=()=>{},parseResync=()=>{},parseVersion=()=>{},parseObject=()=>{}"],
  "src/errors.ts": [/\/errors\.js$/, "export class RealtimeBookingsError extends Error{}"],
  "src/emitter.ts": [/\/emitter\.js$/, "export const createEmitter=()=>{},rethrow=()=>{}"],
  "src/link.ts": [/\/link\.js$/, "export const createLink=()=>({})"],
  "src/poller.ts": [/\/poller\.js$/, "export const createPoller=()=>({})"],
  "src/connection.ts": [/\/connection\.js$/, "export const createConnection=()=>({})"],
  "src/receiver.ts": [/\/receiver\.js$/, "export const createReceiver=()=>()=>{}"],
  "src/client-id.ts": [/\/client-id\.js$/, "export const newClientId=()=>''"],
  "src/client.ts": [/\/client\.js$/, "import {createCore} from './core.js';export class RealtimeBookings{constructor(o){createCore(o)}}"],
};

async function gzipBytes(stubbed) {
  const result = await build({
    entryPoints: ["src/global.ts"],
    bundle: true,
    write: false,
    format: "iife",
    target: "es2022",
    platform: "browser",
    logLevel: "silent",
    plugins: [
      {
        name: "stub",
        setup(b) {
          if (stubbed) b.onResolve({ filter: STUBS[stubbed][0] }, () => ({ path: stubbed, namespace: "stub" }));
          b.onLoad({ filter: /.*/, namespace: "stub" }, (args) => ({ contents: STUBS[args.path][1], loader: "js", resolveDir: `${process.cwd()}/src` }));
        },
      },
    ],
  });
  const { code } = await minify(result.outputFiles[0].text, { ecma: 2020, compress: { passes: 3, pure_getters: true }, mangle: true });
  return gzipSync(code).length;
}

const total = await gzipBytes();
console.log(`IIFE: ${total} B gzipped (budget 6144 B; the build adds ~30 B for "use strict" and the source map link)`);
const rows = [];
for (const name of Object.keys(STUBS)) rows.push([total - (await gzipBytes(name)), name]);
for (const [bytes, name] of rows.sort((a, b) => b[0] - a[0])) console.log(`${String(bytes).padStart(6)} B  ${name}`);
const counted = rows.filter(([, name]) => name !== "src/sse-parser.ts"); // already inside the fetch transport's row
console.log(`${String(total - counted.reduce((sum, [bytes]) => sum + bytes, 0)).padStart(6)} B  the rest (src/core.ts, status, backoff…)`);
