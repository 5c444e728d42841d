// (g) nginx with the nchan module on Redis: one channel per scope, EventSource subscribers,
// publishing through nchan's HTTP publisher location.
import { freePort, httpRequest } from "../lib/net.mjs";
import { startNginx } from "./nginx.mjs";

const MODULE = "/usr/lib/nginx/modules/ngx_nchan_module.so";

/** nchan channel of a scope. @param {import("../load/generator.mjs").Scope} scope */
function channelOf(scope) {
  if (scope.role === "admin") return "admin";
  if (scope.role === "specialist") return `sp${scope.specialist}`;
  return `wp${scope.workpoint}`;
}

/** @type {import("./types.mjs").SystemDefinition} */
export const nchan = {
  key: "g",
  name: "nchan",
  label: "nginx + nchan on Redis",
  ours: false,
  binaries: ["nginx", "redis-server", MODULE],
  async start({ redis, tmpDir, heartbeatMs }) {
    const port = await freePort();
    const nginx = await startNginx({
      tmpDir,
      port,
      modules: [MODULE],
      httpBody: `
    nchan_redis_url "redis://127.0.0.1:${redis.port}";
    location = /sub {
      nchan_subscriber eventsource;
      nchan_channel_id $arg_ch;
      nchan_use_redis on;
      nchan_subscriber_first_message newest;
      nchan_eventsource_ping_interval ${Math.round(heartbeatMs / 1000)};
      nchan_eventsource_ping_comment "ping";
      nchan_subscriber_timeout 0;
    }
    location = /pub {
      nchan_publisher;
      nchan_channel_id $arg_a $arg_s $arg_w;
      nchan_use_redis on;
      nchan_message_buffer_length 2000;
      nchan_message_timeout 5m;
    }`,
    });
    return {
      target: { kind: "sse", ports: [port], path: (scope) => `/sub?ch=${channelOf(scope)}` },
      publish: async (events) => {
        for (const event of events) {
          const path = `/pub?a=admin&s=sp${event.data.specialist_id}&w=wp${event.data.workpoint_id}`;
          const { status, body } = await httpRequest({ port, path, method: "POST", body: JSON.stringify(event) });
          if (status >= 300) throw new Error(`nchan publish → ${status}: ${body.slice(0, 300)}`);
        }
      },
      pids: () => [nginx.pid],
      gc: undefined,
      resume: true,
      maxConnections: undefined,
      notes: [
        "One channel per scope; an event is published once to its three channels (admin, specialist, workpoint) in one request.",
        "The channel comes from the query (bench only; production would use nchan_authorize_request).",
        "Publishing is sequential HTTP POSTs on a keep-alive connection.",
      ],
      stop: nginx.stop,
    };
  },
};
