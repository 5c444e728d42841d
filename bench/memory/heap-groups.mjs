// Groups a heap snapshot's objects by what they are (constructor, closure, string kind, V8 internals)
// and tells who holds a kind of object: what stream-heap.mjs prints per stream.

/** @typedef {import("./heap-snapshot.mjs").HeapSnapshot} HeapSnapshot */

/** A JWT, or text carrying one (a `?token=` URL, an `Authorization` header). */
const JWT = /eyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]{8,}/;

/**
 * The group a node counts under: a constructor name for objects, `(closure)`, a string kind, or a
 * V8-internal kind.
 *
 * @param {string} type - the node's type name
 * @param {string} name - the node's name
 */
export function groupOf(type, name) {
  switch (type) {
    case "object":
      return name;
    case "native":
    case "synthetic":
      // Node's C++ objects (a TCP wrap, a parser buffer): outside the JS heap, sized by Node.
      return `(native) ${name}`;
    case "closure":
      return "(closure)";
    case "string":
    case "concatenated string":
    case "sliced string":
      return JWT.test(name) ? "(string) holding a JWT" : "(string) other";
    case "array":
      return `(array) ${name}`;
    case "hidden":
      return `(system) ${name.replace(/^system \/ /, "")}`;
    case "code":
      return "(code)";
    case "object shape":
      return "(object shape)";
    case "number":
      return "(heap number)";
    default:
      return `(${type})`;
  }
}

/**
 * Node accessors over a snapshot's flat arrays.
 *
 * @param {HeapSnapshot} s
 */
export function nodeReader(s) {
  const width = s.nodeFields.length;
  const typeAt = s.nodeFields.indexOf("type");
  const nameAt = s.nodeFields.indexOf("name");
  const sizeAt = s.nodeFields.indexOf("self_size");
  const edgesAt = s.nodeFields.indexOf("edge_count");
  return {
    count: s.nodes.length / width,
    /** @param {number} i */
    type: (i) => s.nodeTypes[s.nodes[i * width + typeAt]] ?? "?",
    /** @param {number} i */
    name: (i) => s.strings[s.nodes[i * width + nameAt]] ?? "?",
    /** @param {number} i */
    size: (i) => s.nodes[i * width + sizeAt],
    /** @param {number} i */
    edgeCount: (i) => s.nodes[i * width + edgesAt],
    /** @param {number} i */
    group: (i) => groupOf(s.nodeTypes[s.nodes[i * width + typeAt]] ?? "?", s.strings[s.nodes[i * width + nameAt]] ?? "?"),
  };
}

/**
 * Self size and count of every group, and of closures by function name.
 *
 * @param {HeapSnapshot} s
 * @returns {{ total: number, groups: Map<string, { bytes: number, count: number }>, closures: Map<string, { bytes: number, count: number }> }}
 */
export function groupSizes(s) {
  const r = nodeReader(s);
  /** @type {Map<string, { bytes: number, count: number }>} */
  const groups = new Map();
  /** @type {Map<string, { bytes: number, count: number }>} */
  const closures = new Map();
  const add = (/** @type {Map<string, { bytes: number, count: number }>} */ map, /** @type {string} */ key, /** @type {number} */ bytes) => {
    const entry = map.get(key);
    if (entry) (entry.bytes += bytes), (entry.count += 1);
    else map.set(key, { bytes, count: 1 });
  };
  let total = 0;
  for (let i = 0; i < r.count; i++) {
    const bytes = r.size(i);
    total += bytes;
    const group = r.group(i);
    add(groups, group, bytes);
    if (group === "(closure)") add(closures, r.name(i) || "(anonymous)", bytes);
  }
  return { total, groups, closures };
}

/**
 * Who holds the nodes of `group` directly: each (holder's group, edge name) pair with how many
 * references it makes. Weak edges are left out.
 *
 * @param {HeapSnapshot} s
 * @param {string} group
 * @returns {Map<string, number>}
 */
export function holdersOf(s, group) {
  const r = nodeReader(s);
  const width = s.nodeFields.length;
  const edgeWidth = s.edgeFields.length;
  const [typeAt, nameAt, toAt] = ["type", "name_or_index", "to_node"].map((f) => s.edgeFields.indexOf(f));
  /** @type {Map<string, number>} */
  const holders = new Map();
  let edge = 0;
  for (let from = 0; from < r.count; from++) {
    const end = edge + r.edgeCount(from) * edgeWidth;
    for (; edge < end; edge += edgeWidth) {
      const type = s.edgeTypes[/** @type {number} */ (s.edges[edge + typeAt])];
      if (type === "weak") continue;
      const to = /** @type {number} */ (s.edges[edge + toAt]) / width;
      if (r.group(to) !== group) continue;
      const raw = /** @type {number} */ (s.edges[edge + nameAt]);
      // Indexes (elements, hash-table slots) are left out, so one kind of holder counts once.
      const named = type === "element" || type === "hidden" ? "[]" : (s.strings[raw] ?? "?");
      const name = /^\d+$/.test(named) ? "[]" : named;
      const key = `${r.group(from)} ${r.type(from) === "closure" ? `(${r.name(from)})` : ""}.${name}`.replace(" .", ".");
      holders.set(key, (holders.get(key) ?? 0) + 1);
    }
  }
  return holders;
}

/**
 * The shortest chain of strong references from the snapshot's root to one node of `group`, e.g.
 * `(GC roots) → … → Socket.parser → HTTPParser`.
 *
 * @param {HeapSnapshot} s
 * @param {string} group
 * @returns {string[] | undefined}
 */
export function pathTo(s, group) {
  const r = nodeReader(s);
  const width = s.nodeFields.length;
  const edgeWidth = s.edgeFields.length;
  const [typeAt, nameAt, toAt] = ["type", "name_or_index", "to_node"].map((f) => s.edgeFields.indexOf(f));
  const firstEdge = new Uint32Array(r.count + 1);
  for (let i = 0; i < r.count; i++) firstEdge[i + 1] = /** @type {number} */ (firstEdge[i]) + r.edgeCount(i) * edgeWidth;
  const parentEdge = new Int32Array(r.count).fill(-1);
  const parent = new Int32Array(r.count).fill(-1);
  const queue = new Uint32Array(r.count);
  let head = 0;
  let tail = 0;
  queue[tail++] = 0;
  parent[0] = 0;
  while (head < tail) {
    const from = /** @type {number} */ (queue[head++]);
    if (from !== 0 && r.group(from) === group) {
      /** @type {string[]} */
      const chain = [];
      for (let at = from; at !== 0; at = /** @type {number} */ (parent[at])) {
        const e = /** @type {number} */ (parentEdge[at]);
        const edgeType = s.edgeTypes[/** @type {number} */ (s.edges[e + typeAt])];
        const raw = /** @type {number} */ (s.edges[e + nameAt]);
        chain.unshift(`${edgeType === "element" || edgeType === "hidden" ? `[${raw}]` : s.strings[raw]} → ${r.group(at)}${r.type(at) === "closure" ? ` ${r.name(at)}` : ""}`);
      }
      return chain;
    }
    for (let e = /** @type {number} */ (firstEdge[from]); e < /** @type {number} */ (firstEdge[from + 1]); e += edgeWidth) {
      if (s.edgeTypes[/** @type {number} */ (s.edges[e + typeAt])] === "weak") continue;
      const to = /** @type {number} */ (s.edges[e + toAt]) / width;
      if (parent[to] !== -1) continue;
      parent[to] = from;
      parentEdge[to] = e;
      queue[tail++] = to;
    }
  }
  return undefined;
}
