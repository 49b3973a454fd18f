// The trace API's graph ({nodes, edges, events, items}, docs/modules/trace.md) as the explorer
// draws it: an ECharts graph laid out in columns by hop count from the identifier traced (time
// runs left to right: a backward trace ends at the right, a forward trace starts at the left),
// so a genealogy reads like a supply chain instead of a force-directed ball.
import { parseId } from './common.js';

export const NODE_KINDS = ['lot', 'item', 'product', 'container', 'location', 'party', 'drug', 'equipment', 'asset', 'other'];
const COLORS = {
  lot: '#1658a8', item: '#5c8ac2', product: '#0b3d7a', container: '#e6a23c', location: '#1e8e3e',
  party: '#8e44ad', drug: '#d93026', equipment: '#795548', asset: '#909399', other: '#909399',
};
const SYMBOLS = { container: 'rect', location: 'diamond', party: 'triangle', lot: 'circle', item: 'circle' };
const EDGE_STYLE = {
  transformation: { type: 'solid', color: '#d93026' },
  aggregation: { type: 'dashed', color: '#e6a23c' },
  association: { type: 'dashed', color: '#795548' },
  source: { type: 'dotted', color: '#1658a8' },
  destination: { type: 'dotted', color: '#1658a8' },
  at: { type: 'dotted', color: '#1e8e3e' },
};

// Field names vary between drafts of an API; read each the ways it may come.
const pick = (o, ...ks) => {
  for (const k of ks) if (o && o[k] !== undefined && o[k] !== null) return o[k];
  return undefined;
};
export const nodeId = (n) => (typeof n === 'string' ? n : pick(n, 'id', 'ident'));
export function nodeKind(n) {
  const k = typeof n === 'object' ? pick(n, 'kind', 'type') : undefined;
  if (k && NODE_KINDS.includes(k)) return k;
  const p = parseId(nodeId(n)).kind;
  return NODE_KINDS.includes(p) ? p : 'other';
}
export const edgeFrom = (e) => pick(e, 'source', 'from');
export const edgeTo = (e) => pick(e, 'target', 'to');
// Edge types of the walk: transformation, aggregation, association, at (the event's business
// location), source:<type> / destination:<type> (sourceList / destinationList; CBV type apart).
export const edgeKind = (e) => String(pick(e, 'kind', 'type', 'relation') || 'other').split(':')[0];
export const edgeSubtype = (e) => String(pick(e, 'kind', 'type', 'relation') || '').split(':')[1] || '';
export const edgeEvent = (e) => pick(e, 'eventID', 'event', 'event_id');
export const edgeTime = (e) => pick(e, 'time', 'eventTime', 'event_time');

// Hop count of every node from the root (undirected breadth-first over the edges), unless the
// server gave one.
export function depths(root, nodes, edges) {
  const d = new Map();
  for (const n of nodes) {
    const v = typeof n === 'object' ? pick(n, 'depth', 'hop', 'hops') : undefined;
    if (Number.isFinite(v)) d.set(nodeId(n), v);
  }
  if (d.size === nodes.length && nodes.length) return d;
  const adj = new Map();
  const link = (a, b) => {
    if (!adj.has(a)) adj.set(a, []);
    adj.get(a).push(b);
  };
  for (const e of edges) {
    link(edgeFrom(e), edgeTo(e));
    link(edgeTo(e), edgeFrom(e));
  }
  const start = nodes.some((n) => nodeId(n) === root) ? root : nodes.length ? nodeId(nodes[0]) : root;
  const seen = new Map([[start, 0]]);
  const queue = [start];
  while (queue.length) {
    const x = queue.shift();
    for (const y of adj.get(x) || []) {
      if (!seen.has(y)) {
        seen.set(y, seen.get(x) + 1);
        queue.push(y);
      }
    }
  }
  for (const n of nodes) if (!d.has(nodeId(n))) d.set(nodeId(n), seen.has(nodeId(n)) ? seen.get(nodeId(n)) : 0);
  return d;
}

// The ECharts option. labels: {node(id), kind(k), edge(kind), sub(CBV source/destination type), time(iso)} -> text
export function graphOption({ root, dir, nodes, edges, selected, labels }) {
  const d = depths(root, nodes, edges);
  const max = Math.max(0, ...d.values());
  const perColumn = new Map();
  // Within a column the goods come first (lots, items, containers), then the places and parties
  // below them, so the genealogy's backbone reads as one band.
  const rank = (k) => (['location', 'party'].includes(k) ? 1 : 0);
  const sorted = nodes.map((n) => ({ n, id: nodeId(n), kind: nodeKind(n) }))
    .sort((a, b) => rank(a.kind) - rank(b.kind) || String(a.id).localeCompare(String(b.id)));
  const data = sorted.map(({ id, kind }) => {
    const depth = d.get(id) || 0;
    const col = dir === 'backward' ? max - depth : depth;
    const row = perColumn.get(col) || 0;
    perColumn.set(col, row + 1);
    return {
      id, name: id, kind, col, row,
      category: NODE_KINDS.indexOf(kind),
      symbol: SYMBOLS[kind] || 'circle',
      symbolSize: id === root ? 34 : 22,
      label: { show: true, formatter: labels.node(id), position: 'bottom', fontSize: 11, width: 190, overflow: 'truncate' },
      itemStyle: id === root || id === selected ? { borderColor: '#d93026', borderWidth: 3 } : undefined,
    };
  });
  // centre each column vertically
  for (const n of data) {
    const rows = perColumn.get(n.col);
    n.x = n.col * 240;
    n.y = (n.row - (rows - 1) / 2) * 90;
  }
  const many = edges.length > 60;
  const links = edges.map((e) => {
    const kind = edgeKind(e);
    const time = edgeTime(e);
    return {
      source: edgeFrom(e), target: edgeTo(e), kind, sub: edgeSubtype(e), event: edgeEvent(e), time,
      lineStyle: { width: 1.6, curveness: 0.08, ...(EDGE_STYLE[kind] || { type: 'solid', color: '#909399' }) },
      // only the genealogy's own links are labelled; places and parties have tooltips
      label: { show: !many && ['transformation', 'aggregation', 'association'].includes(kind), formatter: `${labels.edge(kind)}${time ? '\n' + labels.time(time) : ''}`, fontSize: 10, color: '#6b7785' },
    };
  });
  return {
    tooltip: {
      confine: true,
      formatter: (p) => (p.dataType === 'edge'
        ? `${labels.edge(p.data.kind)}${p.data.sub ? ' · ' + labels.sub(p.data.sub) : ''}${p.data.time ? '<br>' + labels.time(p.data.time) : ''}`
        : `${labels.kind(p.data.kind)}<br>${labels.node(p.data.id)}`),
    },
    legend: [{ data: NODE_KINDS.filter((k) => data.some((n) => n.kind === k)).map((k) => labels.kind(k)), bottom: 0 }],
    animation: false,
    series: [{
      type: 'graph',
      layout: 'none',
      // room for the labels under the outermost nodes and for the legend
      left: 100, right: 100, top: 40, bottom: 70,
      roam: true,
      draggable: true,
      edgeSymbol: ['none', 'arrow'],
      edgeSymbolSize: 8,
      categories: NODE_KINDS.map((k) => ({ name: labels.kind(k), itemStyle: { color: COLORS[k] } })),
      data,
      links,
      emphasis: { focus: 'adjacency', lineStyle: { width: 3 } },
      labelLayout: { hideOverlap: true },
    }],
  };
}
