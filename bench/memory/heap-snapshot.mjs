// Reads a V8 .heapsnapshot without JSON.parse on the whole file (at 10,000 streams it is hundreds of
// MB): the node and edge arrays are scanned as numbers straight from the bytes, the strings parsed
// on their own.
import { readFileSync } from "node:fs";

/**
 * @typedef {object} HeapSnapshot
 * @property {string[]} nodeFields - e.g. type, name, id, self_size, edge_count, …
 * @property {string[]} nodeTypes - the names of node type numbers (hidden, array, string, object, …)
 * @property {string[]} edgeFields - type, name_or_index, to_node
 * @property {string[]} edgeTypes - context, element, property, internal, hidden, shortcut, weak
 * @property {Float64Array} nodes - node_count × nodeFields.length numbers
 * @property {Uint32Array} edges - edge_count × edgeFields.length numbers
 * @property {string[]} strings
 */

/**
 * Parses the numbers of a JSON array of non-negative integers that starts at `from` (just after `[`).
 *
 * @param {Buffer} bytes
 * @param {number} from
 * @param {number} count - how many numbers the array holds
 * @param {Float64Array | Uint32Array} out
 * @returns {number} the index of the closing `]`
 */
function readNumbers(bytes, from, count, out) {
  let at = from;
  for (let k = 0; k < count; k++) {
    while (bytes[at] < 48 || bytes[at] > 57) at++; // skip `,`, whitespace, newlines
    let value = 0;
    for (; bytes[at] >= 48 && bytes[at] <= 57; at++) value = value * 10 + (bytes[at] - 48);
    out[k] = value;
  }
  return bytes.indexOf("]", at);
}

/**
 * @param {string} path - a `.heapsnapshot` file
 * @returns {HeapSnapshot}
 */
export function readHeapSnapshot(path) {
  const bytes = readFileSync(path);
  const nodesAt = bytes.indexOf('"nodes":[');
  const head = JSON.parse(`${bytes.subarray(0, nodesAt).toString("utf8").replace(/,\s*$/, "")}}`);
  const { meta, node_count: nodeCount, edge_count: edgeCount } = head.snapshot;
  const nodes = new Float64Array(nodeCount * meta.node_fields.length);
  const nodesEnd = readNumbers(bytes, nodesAt + 9, nodes.length, nodes);
  const edgesAt = bytes.indexOf('"edges":[', nodesEnd);
  const edges = new Uint32Array(edgeCount * meta.edge_fields.length);
  readNumbers(bytes, edgesAt + 9, edges.length, edges);
  const stringsAt = bytes.lastIndexOf('"strings":[');
  const stringsEnd = bytes.lastIndexOf("]");
  const strings = JSON.parse(bytes.subarray(stringsAt + 10, stringsEnd + 1).toString("utf8"));
  return {
    nodeFields: meta.node_fields,
    nodeTypes: meta.node_types[0],
    edgeFields: meta.edge_fields,
    edgeTypes: meta.edge_types[0],
    nodes,
    edges,
    strings,
  };
}
