// The lrok inspector page: talks only to this server's /api. The list is rendered in one pass (a string of rows),
// then kept current by server-sent events, one row at a time.
"use strict";

const rowsEl = document.getElementById("rows");
const emptyEl = document.getElementById("empty");
const detailEl = document.getElementById("detail-pane");
const liveEl = document.getElementById("live");
const countEl = document.getElementById("count");
const filterEl = document.getElementById("filter");

/** id -> summary, for every exchange the server holds. */
const exchanges = new Map();
let capacity = 1000;
let selectedId = null;
let selectedRevision = -1;
let detailFetch = null;
let editing = false;

function esc(s) {
  return String(s ?? "").replace(/[&<>"']/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
}

function size(n) {
  if (n === null || n === undefined) return "";
  if (n < 1024) return n + " B";
  if (n < 1024 * 1024) return (n / 1024).toFixed(1) + " KB";
  return (n / 1024 / 1024).toFixed(1) + " MB";
}

function ms(v) {
  if (v === null || v === undefined) return "";
  return v < 10 ? v.toFixed(2) + " ms" : v < 1000 ? Math.round(v) + " ms" : (v / 1000).toFixed(2) + " s";
}

function statusText(x) {
  if (x.upgraded) return `<span class="s1">101</span>`;
  if (x.status !== null) return `<span class="s${String(x.status)[0]}">${x.status}</span>`;
  return x.state === "failed" ? `<span class="failed">failed</span>` : `<span class="pending">…</span>`;
}

function rowHtml(x) {
  const when = new Date(x.startedAt).toLocaleTimeString([], {hour12: false});
  const badge = x.replayOf !== null ? `<span class="badge">replay of #${x.replayOf}</span>` : "";
  const ws = x.upgraded ? `<span class="badge">upgraded</span>` : "";
  return `<tr data-id="${x.id}"${x.id === selectedId ? ' class="selected"' : ""}>`
    + `<td class="num">${x.id}</td><td class="method">${esc(x.method)}</td>`
    + `<td title="${esc(x.target)}">${esc(x.target)}${badge}${ws}</td><td>${statusText(x)}</td>`
    + `<td class="num">${ms(x.durationMillis)}</td><td class="num">${size(x.responseSize)}</td>`
    + `<td class="num">${esc(when)}</td></tr>`;
}

function matches(x) {
  const f = filterEl.value.trim().toLowerCase();
  if (!f) return true;
  return (x.method + " " + x.target + " " + (x.status ?? "") + " " + x.state).toLowerCase().includes(f);
}

function renderAll() {
  const sorted = [...exchanges.values()].sort((a, b) => b.id - a.id);
  let html = "";
  for (const x of sorted) if (matches(x)) html += rowHtml(x);
  rowsEl.innerHTML = html;
  updateCount();
}

function updateCount() {
  emptyEl.hidden = exchanges.size > 0;
  countEl.textContent = exchanges.size === 1 ? "1 exchange" : exchanges.size + " exchanges";
}

/** Adds or replaces one exchange's row; events may arrive out of order, so an older revision is ignored. */
function upsert(x) {
  const old = exchanges.get(x.id);
  if (old && old.revision >= x.revision) return; // nothing new: keep the row (and what the user points at)
  exchanges.set(x.id, x);
  const existing = rowsEl.querySelector(`tr[data-id="${x.id}"]`);
  if (!matches(x)) {
    if (existing) existing.remove();
  } else if (existing) {
    existing.outerHTML = rowHtml(x);
  } else {
    // Newest first: find the first row with a smaller id (usually the first row).
    let before = rowsEl.firstElementChild;
    while (before && Number(before.dataset.id) > x.id) before = before.nextElementSibling;
    before ? before.insertAdjacentHTML("beforebegin", rowHtml(x)) : rowsEl.insertAdjacentHTML("beforeend", rowHtml(x));
  }
  while (exchanges.size > capacity) {
    const oldest = Math.min(...exchanges.keys());
    exchanges.delete(oldest);
    rowsEl.querySelector(`tr[data-id="${oldest}"]`)?.remove();
  }
  updateCount();
  if (x.id === selectedId && x.revision !== selectedRevision && !editing) loadDetail(x.id);
}

async function api(path, options) {
  const response = await fetch(path, options);
  const text = await response.text();
  const body = text ? JSON.parse(text) : null;
  if (!response.ok) throw new Error(body && body.error ? body.error : response.status + " " + response.statusText);
  return body;
}

async function loadList() {
  const list = await api("/api/exchanges");
  capacity = list.capacity;
  exchanges.clear();
  for (const x of list.exchanges) exchanges.set(x.id, x);
  renderAll();
  if (selectedId !== null && !exchanges.has(selectedId)) showHint();
}

function connect() {
  const events = new EventSource("/api/events");
  events.addEventListener("open", () => {
    liveEl.textContent = "live";
    liveEl.className = "live on";
    loadList().catch(e => console.error(e)); // anything missed while disconnected
  });
  events.addEventListener("error", () => {
    liveEl.textContent = "reconnecting…";
    liveEl.className = "live off";
  });
  events.addEventListener("exchange", e => upsert(JSON.parse(e.data)));
  events.addEventListener("cleared", () => {
    exchanges.clear();
    renderAll();
    showHint();
  });
}

function showHint() {
  selectedId = null;
  editing = false;
  detailEl.innerHTML = `<p class="hint">Select a request to see its headers, bodies and timings, and to replay it.</p>`;
}

function select(id) {
  selectedId = id;
  editing = false;
  for (const tr of rowsEl.querySelectorAll("tr.selected")) tr.classList.remove("selected");
  rowsEl.querySelector(`tr[data-id="${id}"]`)?.classList.add("selected");
  loadDetail(id);
}

async function loadDetail(id) {
  const fetching = api(`/api/exchanges/${id}`);
  detailFetch = fetching;
  try {
    const x = await fetching;
    if (detailFetch !== fetching || selectedId !== id) return;
    selectedRevision = x.revision;
    renderDetail(x);
  } catch (e) {
    if (selectedId === id) detailEl.innerHTML = `<p class="error">${esc(e.message)}</p>`;
  }
}

function headersTable(headers) {
  if (!headers.length) return `<p class="muted">no header fields</p>`;
  return `<table class="kv">${headers.map(([n, v]) => `<tr><td>${esc(n)}</td><td>${esc(v)}</td></tr>`).join("")}</table>`;
}

function decodeBase64(b64) {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

function hexDump(bytes) {
  const lines = [];
  for (let i = 0; i < bytes.length && i < 4096; i += 16) {
    const chunk = bytes.slice(i, i + 16);
    const hex = [...chunk].map(b => b.toString(16).padStart(2, "0")).join(" ");
    const ascii = [...chunk].map(b => (b >= 32 && b < 127 ? String.fromCharCode(b) : ".")).join("");
    lines.push(i.toString(16).padStart(6, "0") + "  " + hex.padEnd(48) + "  " + ascii);
  }
  if (bytes.length > 4096) lines.push(`… ${bytes.length - 4096} more bytes`);
  return lines.join("\n");
}

/** The body's pretty view: indented JSON, a table of form fields, or the text as it is. */
function pretty(body) {
  const type = (body.contentType || "").toLowerCase();
  if (body.text === null) return null;
  if (type.includes("json") || /^\s*[{[]/.test(body.text)) {
    try { return `<pre>${esc(JSON.stringify(JSON.parse(body.text), null, 2))}</pre>`; } catch (e) { /* not JSON */ }
  }
  if (type.startsWith("application/x-www-form-urlencoded")) {
    const rows = [...new URLSearchParams(body.text)].map(([k, v]) => `<tr><td>${esc(k)}</td><td>${esc(v)}</td></tr>`);
    return `<table class="kv">${rows.join("")}</table>`;
  }
  return `<pre>${esc(body.text)}</pre>`;
}

function bodySection(title, message, key) {
  const body = message.body;
  const notes = [size(body.size)];
  if (message.chunked) notes.push("chunked, shown decoded");
  if (body.truncated) notes.push(`truncated: first ${size(body.capturedSize)} kept`);
  if (!message.bodyComplete && body.size > 0) notes.push("incomplete");
  if (body.contentEncoding) notes.push("encoded: " + body.contentEncoding);
  const prettyView = pretty(body);
  const raw = body.text !== null ? `<pre>${esc(body.text)}</pre>` : `<pre>${esc(hexDump(decodeBase64(body.base64)))}</pre>`;
  const tabs = prettyView ? `<span class="tabs"><button type="button" class="on" data-view="${key}-pretty">Pretty</button>`
    + `<button type="button" data-view="${key}-raw">Raw</button></span>` : "";
  return `<h3>${title} body <span class="muted">${esc(notes.join(" · "))}</span>${tabs}</h3>`
    + (body.size === 0 ? `<p class="muted">empty</p>`
      : prettyView ? `<div id="${key}-pretty">${prettyView}</div><div id="${key}-raw" hidden>${raw}</div>` : raw);
}

function rawMessage(x) {
  const q = x.request;
  let text = `${q.method} ${q.target} ${q.version}\n` + q.headers.map(([n, v]) => `${n}: ${v}`).join("\n") + "\n\n";
  text += q.body.text !== null ? q.body.text : `[${q.body.size} bytes of binary]`;
  if (x.response) {
    const r = x.response;
    text += `\n\n${r.version} ${r.status} ${r.reason}\n` + r.headers.map(([n, v]) => `${n}: ${v}`).join("\n") + "\n\n";
    text += r.body.text !== null ? r.body.text : `[${r.body.size} bytes of binary]`;
  }
  return text;
}

function renderDetail(x) {
  const t = x.timings;
  const replayOf = x.replayOf !== null ? ` · replay of <a href="#" data-select="${x.replayOf}">#${x.replayOf}</a>` : "";
  const error = x.error ? `<p class="error">${esc(x.error)}</p>` : "";
  const canReplay = !x.upgraded;
  let html = `<h2 id="detail-title">${esc(x.method)} ${esc(x.target)}</h2>`
    + `<p class="meta">#${x.id} · ${statusText(x)} · ${esc(x.state.replace("_", " "))} · from ${esc(x.clientAddress)}`
    + ` · ${esc(x.scheme)}://${esc(x.host)} · ${esc(new Date(x.startedAt).toLocaleString())}${replayOf}</p>${error}`
    + `<div class="actions">`
    + (canReplay ? `<button id="replay" type="button" class="primary">Replay</button>`
      + `<button id="edit" type="button">Replay with edits…</button>` : "")
    + `<button id="raw" type="button">Raw message</button></div><div id="editor"></div><div id="raw-view" hidden>`
    + `<pre>${esc(rawMessage(x))}</pre></div>`
    + `<h3>Timings</h3><table class="kv timings">`
    + `<tr><td>request complete</td><td>${ms(t.requestCompleteMillis) || "—"}</td></tr>`
    + `<tr><td>first response byte</td><td>${ms(t.firstResponseByteMillis) || "—"}</td></tr>`
    + `<tr><td>total</td><td>${ms(t.totalMillis) || "—"}</td></tr></table>`
    + `<h3>Request headers</h3>${headersTable(x.request.headers)}`
    + bodySection("Request", x.request, "req");
  if (x.response) {
    const r = x.response;
    html += `<h3>Response headers <span class="muted">${esc(r.version)} ${r.status} ${esc(r.reason)}`
      + `${r.fromAgent ? " · written by lrok" : ""}</span></h3>${headersTable(r.headers)}`;
    html += x.upgraded ? `<p class="muted">The connection was upgraded; what passed after the 101 is not recorded.</p>`
      : bodySection("Response", r, "res");
  } else {
    html += `<h3>Response</h3><p class="muted">${x.state === "in_progress" ? "waiting for the local app…" : "none"}</p>`;
  }
  detailEl.innerHTML = html;
  detailEl.dataset.id = x.id;
  detailEl.querySelector("#replay")?.addEventListener("click", () => replay(x.id, {}));
  detailEl.querySelector("#edit")?.addEventListener("click", () => showEditor(x));
  detailEl.querySelector("#raw").addEventListener("click", () => {
    const raw = detailEl.querySelector("#raw-view");
    raw.hidden = !raw.hidden;
  });
}

function showEditor(x) {
  editing = true;
  const q = x.request;
  const el = detailEl.querySelector("#editor");
  el.innerHTML = `<div class="editor">`
    + `<label for="e-method">Method</label><input id="e-method" value="${esc(q.method)}">`
    + `<label for="e-path">Path</label><input id="e-path" value="${esc(q.target)}">`
    + `<label for="e-headers">Headers</label><textarea id="e-headers" rows="6">`
    + `${esc(q.headers.map(([n, v]) => `${n}: ${v}`).join("\n"))}</textarea>`
    + `<label for="e-body">Body</label><textarea id="e-body" rows="8"${q.body.text === null ? " disabled" : ""}>`
    + `${esc(q.body.text ?? "(binary body: replayed as recorded)")}</textarea>`
    + `<span></span><div class="actions"><button id="send" type="button" class="primary">Send</button>`
    + `<button id="cancel" type="button">Cancel</button></div></div>`;
  el.querySelector("#cancel").addEventListener("click", () => { editing = false; el.innerHTML = ""; });
  el.querySelector("#send").addEventListener("click", () => {
    const headers = el.querySelector("#e-headers").value.split("\n").map(l => l.trim()).filter(l => l)
      .map(l => { const i = l.indexOf(":"); return i < 0 ? [l, ""] : [l.slice(0, i).trim(), l.slice(i + 1).trim()]; });
    const edits = {method: el.querySelector("#e-method").value, path: el.querySelector("#e-path").value, headers};
    if (q.body.text !== null) edits.body = el.querySelector("#e-body").value;
    replay(x.id, edits);
  });
}

async function replay(id, edits) {
  const button = detailEl.querySelector("#replay");
  if (button) button.disabled = true;
  try {
    const x = await api(`/api/exchanges/${id}/replay`, {
      method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(edits)});
    upsert(x);
    select(x.id);
  } catch (e) {
    editing = false;
    const el = detailEl.querySelector("#editor");
    if (el) el.innerHTML = `<p class="error">Replay failed: ${esc(e.message)}</p>`;
    if (button) button.disabled = false;
  }
}

rowsEl.addEventListener("click", e => {
  const tr = e.target.closest("tr[data-id]");
  if (tr) select(Number(tr.dataset.id));
});
detailEl.addEventListener("click", e => {
  const view = e.target.closest("button[data-view]");
  if (view) {
    const [key] = view.dataset.view.split("-");
    for (const b of view.parentElement.children) b.classList.toggle("on", b === view);
    detailEl.querySelector(`#${key}-pretty`).hidden = view.dataset.view !== key + "-pretty";
    detailEl.querySelector(`#${key}-raw`).hidden = view.dataset.view !== key + "-raw";
  }
  const link = e.target.closest("a[data-select]");
  if (link) {
    e.preventDefault();
    select(Number(link.dataset.select));
  }
});
filterEl.addEventListener("input", renderAll);
document.getElementById("clear").addEventListener("click", () => {
  api("/api/exchanges", {method: "DELETE"}).catch(e => alert(e.message));
});

connect();
