// The dag ui page: plain ES module, no build step. ECharts comes from /vendor/echarts.min.js.
/* global echarts */

// Colours of the states the runner knows; any other state or action (a future one) is shown
// with its own name in grey: states are data here, not code.
const COLORS = {
  fresh: '#2e9d4f', stale: '#d99a00', missing: '#7b8794', failed: '#d64541', running: '#2f7fd8',
  restored: '#8e5bd0', disabled: '#c9ced6', ran: '#2e9d4f', skipped: '#b8c0cc',
};
const OTHER = '#5c6670';
const colour = (s) => COLORS[s] ?? OTHER;
const RANK = ['failed', 'running', 'missing', 'stale'];
const rank = (s) => (RANK.includes(s) ? RANK.indexOf(s) : s === 'fresh' ? 6 : s === 'disabled' ? 7 : 5);

const $ = (sel) => document.querySelector(sel);
const esc = (v) => String(v).replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]);
const bytes = (n) => (n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} kB` : `${n} B`);
const secs = (ms) => (ms === null || ms === undefined ? '' : ms >= 60000 ? `${Math.floor(ms / 60000)} min ${Math.round((ms % 60000) / 1000)} s` : `${(ms / 1000).toFixed(2)} s`);
const pad = (n) => String(n).padStart(2, '0');
// local time by hand: toLocaleString's first call loads locale data, a visible cost on a busy machine
const when = (iso) => {
  if (!iso) return '';
  const d = new Date(iso);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
};
const badge = (s) => `<span class="state" style="background:${colour(s)}">${esc(s)}</span>`;

const ui = { selectedNode: null, selectedRun: null, followLatest: true, refreshes: 0, timings: {} };
window.dagUi = ui; // for tests and the curious: counts refreshes, holds the charts

async function api(path) {
  const r = await fetch(path, { headers: { accept: 'application/json' } });
  const body = await r.json();
  if (!r.ok) throw new Error(body.error ?? `${path}: HTTP ${r.status}`);
  return body;
}

function showBanner(text) {
  const b = $('#banner');
  b.textContent = text;
  b.hidden = !text;
}

function nodeLabel(n) {
  const states = Object.keys(n.counts).sort((a, b) => rank(a) - rank(b));
  const summary = n.state === 'disabled' ? 'disabled'
    : states.length === 1 ? states[0]
      : states.map((s) => `${n.counts[s]} ${s}`).join(' · ');
  return `${n.id}${n.perTicker ? ` ×${n.instances}` : ''}\n${summary}`;
}

function renderGraph(graph) {
  ui.lastGraph = graph;
  $('#project').textContent = `${graph.description ?? ''} · ${graph.nodes.length} nodes · ${graph.tickers} tickers`;
  const seen = [...new Set(graph.nodes.map((n) => n.state))].sort((a, b) => rank(a) - rank(b));
  $('#legend').innerHTML = seen.map((s) => `<span><i style="background:${colour(s)}"></i>${esc(s)}</span>`).join('');
  // ECharts fits the layout's node centres into the box; scale the boxes and labels the same way
  // so the layout's spacing (dagre's, in px) survives whatever width the panel has
  const xs = graph.nodes.map((n) => n.x);
  const ys = graph.nodes.map((n) => n.y);
  const w = Math.max(1, Math.max(...xs) - Math.min(...xs));
  const h = Math.max(1, Math.max(...ys) - Math.min(...ys));
  const width = $('#graph').clientWidth || 800;
  const s = Math.min(1.2, (width - 20) / (w + graph.nodeWidth));
  const padX = (graph.nodeWidth * s) / 2 + 10;
  const padY = (graph.nodeHeight * s) / 2 + 10;
  $('#graph').style.height = `${Math.round(h * s + 2 * padY)}px`;
  ui.graph.resize();
  ui.graph.setOption({
    animation: false,
    tooltip: { formatter: (p) => (p.dataType === 'node' ? esc(p.data.description) : '') },
    series: [{
      type: 'graph',
      layout: 'none',
      roam: true,
      edgeSymbol: ['none', 'arrow'],
      edgeSymbolSize: 8,
      lineStyle: { color: '#8a94a0', width: 1.5 },
      left: padX, right: padX, top: padY, bottom: padY,
      label: { show: true, color: '#fff', fontSize: Math.max(8, Math.round(12 * s)), lineHeight: Math.max(10, Math.round(15 * s)) },
      data: graph.nodes.map((n) => ({
        name: n.id, x: n.x, y: n.y, state: n.state, description: n.description,
        symbol: 'roundRect', symbolSize: [graph.nodeWidth * s, graph.nodeHeight * s],
        itemStyle: { color: colour(n.state), borderColor: n.id === ui.selectedNode ? '#111' : '#fff', borderWidth: n.id === ui.selectedNode ? 3 : 1 },
        label: { formatter: nodeLabel(n) },
      })),
      links: graph.edges.map((e) => ({ source: e.from, target: e.to })),
    }],
  }, { replaceMerge: ['series'] });
}

function fileRows(groups) {
  if (!groups.length) return '<tr><td colspan="3">none</td></tr>';
  return groups.map((g) => `<tr><td><code>${esc(g.path)}</code>${g.from ? ` <span class="reasons">from ${esc(g.from)}</span>` : ''}</td><td>${g.files} file${g.files === 1 ? '' : 's'}${g.missing ? `, ${g.missing} missing` : ''}</td><td>${bytes(g.bytes)}</td></tr>`).join('');
}

function renderDetail(d) {
  if (!d) return;
  const last = d.lastRun ? `${when(d.lastRun.time)}: ${esc(d.lastRun.action)} ${esc(d.lastRun.instance)}${d.lastRun.ms !== null ? ` in ${secs(d.lastRun.ms)}` : ''} (run ${esc(d.lastRun.run)})` : 'no run logged';
  $('#detail').innerHTML = `
    <h2 id="detail-title">${esc(d.id)}</h2>
    <p>${esc(d.description)}<br><code>${esc(d.task)}</code>${d.perTicker ? ' · per ticker' : ''}</p>
    <p><b>Last run:</b> <span id="last-run">${last}</span></p>
    <h3>Instances (${d.instances.length})</h3>
    <table id="instances"><thead><tr><th>instance</th><th>state</th><th>reasons</th><th>took</th><th>outputs</th></tr></thead><tbody>
    ${d.instances.map((i) => `<tr data-instance="${esc(i.id)}"><td>${esc(i.ticker ?? i.id)}</td><td>${badge(i.state)}</td><td class="reasons">${i.reasons.map(esc).join('<br>')}</td><td>${secs(i.ms)}</td><td>${bytes(i.bytes)}</td></tr>`).join('')}
    </tbody></table>
    <h3>Params</h3>
    <table id="params"><tbody>${d.params.length ? d.params.map((p) => `<tr><td><code>${esc(p.key)}</code></td><td><code>${esc(JSON.stringify(p.value))}</code></td></tr>`).join('') : '<tr><td>none declared</td></tr>'}</tbody></table>
    <h3>Inputs</h3><table id="inputs"><tbody>${fileRows(d.inputs)}</tbody></table>
    <h3>Outputs</h3><table id="outputs"><tbody>${fileRows(d.outputs)}</tbody></table>`;
}

function renderRuns(runs) {
  const body = $('#runs tbody');
  if (!runs.length) {
    body.innerHTML = '<tr><td colspan="7">no runs logged yet</td></tr>';
    return;
  }
  body.innerHTML = runs.map((r) => `<tr data-run="${esc(r.id)}" class="${r.id === ui.selectedRun ? 'selected' : ''}">
    <td>${when(r.started)}</td><td>${esc(r.target ?? '?')}</td><td>${esc(r.user ?? '?')}</td><td class="instances">${r.instances}</td>
    <td>${Object.entries(r.counts).map(([a, n]) => `${esc(a)} ${n}`).join(' · ')}</td><td>${secs(r.durationMs)}</td><td>${badge(r.status)}</td></tr>`).join('');
  for (const tr of body.querySelectorAll('tr[data-run]')) {
    tr.addEventListener('click', () => {
      ui.selectedRun = tr.dataset.run;
      ui.followLatest = tr.dataset.run === runs[0].id;
      refresh();
    });
  }
}

function laneOrder(a, b) {
  const na = Number(a);
  const nb = Number(b);
  if (Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
  if (Number.isFinite(na) !== Number.isFinite(nb)) return Number.isFinite(na) ? 1 : -1;
  return a.localeCompare(b);
}

/**
 * One box per stretch of a lane that ran instances of one node back to back (gaps under a
 * pixel's worth of time): a 500-ticker run has thousands of sub-pixel bars, which draw slowly
 * and say less than "features x250, 14.2 s". Failed instances keep a box of their own.
 */
function segments(bars, now, gap) {
  const out = [];
  const open = new Map();
  for (const b of [...bars].sort((x, y) => laneOrder(x.lane, y.lane) || x.start - y.start)) {
    const node = b.instance.replace(/\[.*$/, '');
    const end = b.end ?? now;
    const seg = open.get(b.lane);
    if (seg && !b.error && !seg.error && seg.node === node && seg.action === b.action && b.start - seg.end <= gap) {
      seg.end = Math.max(seg.end, end);
      seg.last = b.instance;
      seg.n++;
      continue;
    }
    const fresh = { lane: b.lane, node, action: b.action, start: b.start, end, first: b.instance, last: b.instance, n: 1, error: b.error };
    open.set(b.lane, fresh);
    out.push(fresh);
  }
  return out;
}

function renderTimeline(detail) {
  const { run, bars } = detail;
  const fails = run.failures.map((f) => `${f.instance}: ${f.error}`);
  $('#timeline-title').textContent = `Timeline of ${run.target ?? run.id} (${when(run.started)}): ${bars.length} instance${bars.length === 1 ? '' : 's'} took time, by worker lane${fails.length ? ` · failed: ${fails.join('; ')}` : ''}`;
  const lanes = [...new Set(bars.map((b) => b.lane))].sort(laneOrder);
  const now = Date.now();
  let t0 = Infinity;
  let t1 = -Infinity;
  for (const b of bars) {
    t0 = Math.min(t0, b.start);
    t1 = Math.max(t1, b.end ?? now);
  }
  const segs = segments(bars, now, Math.max(1, (t1 - t0) / 800));
  $('#timeline').style.height = `${Math.max(120, 60 + lanes.length * 34)}px`;
  ui.timeline.resize();
  ui.timeline.setOption({
    animation: false,
    grid: { left: 90, right: 20, top: 10, bottom: 40 },
    tooltip: {
      formatter: (p) => {
        const g = p.data.seg;
        const what = g.n === 1 ? esc(g.first) : `${esc(g.node)} ×${g.n} (${esc(g.first)} .. ${esc(g.last)})`;
        return `${what}<br>${esc(g.action)} · ${((g.end - g.start) / 1000).toFixed(2)} s${g.error ? `<br>${esc(g.error)}` : ''}`;
      },
    },
    xAxis: { type: 'value', name: 's', min: 0 },
    yAxis: { type: 'category', data: lanes.map((l) => (l === '?' ? 'lane ?' : Number.isFinite(Number(l)) ? `worker ${l}` : l)) },
    series: [{
      type: 'custom',
      encode: { x: [1, 2], y: 0 },
      renderItem: (params, api) => {
        const lane = api.value(0);
        const s = api.coord([api.value(1), lane]);
        const e = api.coord([api.value(2), lane]);
        const h = api.size([0, 1])[1] * 0.6;
        const rect = echarts.graphic.clipRectByRect({ x: s[0], y: s[1] - h / 2, width: Math.max(1, e[0] - s[0]), height: h },
          { x: params.coordSys.x, y: params.coordSys.y, width: params.coordSys.width, height: params.coordSys.height });
        return rect && { type: 'rect', shape: rect, style: { ...api.style(), stroke: '#fff', lineWidth: 0.5 } };
      },
      data: segs.map((g) => ({
        value: [lanes.indexOf(g.lane), (g.start - t0) / 1000, (g.end - t0) / 1000],
        itemStyle: { color: colour(g.action) },
        seg: g,
      })),
    }],
  }, { replaceMerge: ['series'] });
  ui.timelineSegments = segs.length;
}

function renderReports(reports) {
  $('#reports').innerHTML = reports.length
    ? reports.map((r) => `<li><a href="/artifacts/${r.path.split('/').map(encodeURIComponent).join('/')}" target="_blank" rel="noopener">${esc(r.path)}</a> <span class="reasons">${bytes(r.bytes)}, ${when(r.modified)}</span></li>`).join('')
    : '<li>no reports yet (a backtest writes its tearsheet)</li>';
}

/** Everything the page shows, fetched at once (the last run's timeline by the alias `latest`). */
async function fetchAll() {
  const node = ui.selectedNode ? `?node=${encodeURIComponent(ui.selectedNode)}` : '';
  const run = ui.followLatest || !ui.selectedRun ? 'latest' : encodeURIComponent(ui.selectedRun);
  const [state, { runs }, { reports }, timeline] = await Promise.all([api(`/api/state${node}`), api('/api/runs'), api('/api/reports'), api(`/api/runs/${run}`)]);
  return { state, runs, reports, timeline };
}

/** Run a drawing step and keep how long it took (ui.timings, read by bench/ui-load.ts). */
function timed(name, fn) {
  const t = performance.now();
  fn();
  ui.timings[name] = Math.round(performance.now() - t);
}

function render({ state, runs, reports, timeline }) {
  ui.selectedRun = timeline.run?.id ?? null;
  timed('graph', () => renderGraph(state.graph));
  timed('detail', () => renderDetail(state.node));
  timed('runs', () => renderRuns(runs));
  timed('reports', () => renderReports(reports));
  const live = $('#live');
  live.hidden = !state.live;
  if (state.live) live.textContent = `● running ${state.live.target ?? ''}: ${Object.values(state.live.counts).reduce((a, b) => a + b, 0)} of ${state.live.instances} done`;
  if (timeline.run) timed('timeline', () => renderTimeline(timeline));
  if (!$('#banner').dataset.sticky) showBanner('');
  ui.refreshes++;
  document.body.dataset.refreshes = String(ui.refreshes);
  // ms from navigation start to the first complete drawing (bench/ui-load.ts reads it)
  if (ui.refreshes === 1) document.body.dataset.firstDrawnMs = String(Math.round(performance.now()));
}

let busy = false;
let again = false;
/** Fetch everything and draw it; calls while one is under way fold into one more. */
async function refresh(fetched) {
  if (busy) {
    again = true;
    return;
  }
  busy = true;
  try {
    render(await (fetched ?? fetchAll()));
  } catch (err) {
    showBanner(err.message);
  } finally {
    busy = false;
    if (again) {
      again = false;
      setTimeout(refresh, 300);
    }
  }
}

let pending = null;
/** Live events come in bursts (one per finished instance): redraw at most every 400 ms. */
function scheduleRefresh() {
  if (pending) return;
  pending = setTimeout(() => {
    pending = null;
    refresh();
  }, 400);
}

function listen() {
  const events = new EventSource('/api/events');
  events.addEventListener('entry', (msg) => {
    const { run, entry } = JSON.parse(msg.data);
    if (entry.action === 'failed' || entry.event === 'fail') {
      const b = $('#banner');
      b.dataset.sticky = '1';
      showBanner(`${entry.instance} failed (run ${run}): ${entry.error ?? 'no message'}`);
    }
    if (entry.event !== 'start' || ui.followLatest) scheduleRefresh();
  });
  events.addEventListener('runs', scheduleRefresh);
  events.addEventListener('project', scheduleRefresh);
}

/** ECharts (1 MB) loads while the first data is fetched, not before. */
function loadECharts() {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = '/vendor/echarts.min.js';
    script.onload = resolve;
    script.onerror = () => reject(new Error('could not load /vendor/echarts.min.js'));
    document.head.append(script);
  });
}

async function init() {
  const first = fetchAll();
  first.catch(() => undefined); // reported by refresh(first) below
  try {
    const t = performance.now();
    await loadECharts();
    ui.timings.echartsLoaded = Math.round(performance.now());
    ui.timings.echartsWait = Math.round(performance.now() - t);
  } catch (err) {
    showBanner(err.message);
    return;
  }
  ui.graph = echarts.init($('#graph'), null, { renderer: 'svg' });
  // canvas: a 500-ticker run has thousands of bars, too many DOM nodes for SVG
  ui.timeline = echarts.init($('#timeline'), null, { renderer: 'canvas' });
  // a click fetches that node's detail only; the next live refresh brings everything else
  ui.graph.on('click', async (p) => {
    if (p.dataType !== 'node') return;
    ui.selectedNode = p.name;
    if (ui.lastGraph) renderGraph(ui.lastGraph);
    try {
      renderDetail(await api(`/api/nodes/${encodeURIComponent(p.name)}`));
    } catch (err) {
      showBanner(err.message);
    }
  });
  $('#banner').addEventListener('click', () => {
    delete $('#banner').dataset.sticky;
    showBanner('');
  });
  window.addEventListener('resize', () => {
    ui.graph.resize();
    ui.timeline.resize();
  });
  refresh(first);
  listen();
}

init();
