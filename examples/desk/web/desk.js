// The dashboard: events come from the desk as Server-Sent Events, actions go
// to it as plain POSTs. No framework, nothing from the network but the desk.
"use strict";

const $ = (id) => document.getElementById(id);
const rows = new Map();    // symbol -> table row
const orders = new Map();  // order id -> list item

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function onTick(t) {
  let row = rows.get(t.symbol);
  if (!row) {
    row = el("tr");
    row.dataset.symbol = t.symbol;
    row.append(el("td", "symbol", t.symbol), el("td", "price"), el("td", "change"));
    rows.set(t.symbol, row);
    const body = $("prices");
    const after = [...body.children].find((r) => r.dataset.symbol > t.symbol);
    body.insertBefore(row, after || null);
  }
  const price = parseFloat(t.price), open = parseFloat(t.open);
  const cell = row.children[1];
  const before = parseFloat(cell.textContent);
  cell.textContent = t.price;
  cell.classList.remove("up", "down");
  if (!isNaN(before) && price !== before) {
    void cell.offsetWidth;  // restart the flash
    cell.classList.add(price > before ? "up" : "down");
  }
  const change = open > 0 ? (100 * (price - open)) / open : 0;
  row.children[2].textContent = (change >= 0 ? "+" : "") + change.toFixed(2) + "%";
  row.children[2].className = "change " + (change >= 0 ? "gain" : "loss");
}

function addChat(item) {
  const list = $("messages");
  list.append(item);
  while (list.children.length > 100) list.firstChild.remove();
  list.scrollTop = list.scrollHeight;
}

function onChat(m) {
  const li = el("li", "msg");
  li.append(el("b", "", m.handle), document.createTextNode(" " + m.text));
  addChat(li);
}

function onOrder(o) {
  let li = orders.get(o.id);
  if (!li) {
    li = el("li", "order");
    li.append(el("span", "name", "Order " + o.id), el("progress"), el("span", "state"));
    li.children[1].max = 1;
    li.children[1].value = 0;
    orders.set(o.id, li);
    $("orders").prepend(li);
  }
  const [, bar, state] = li.children;
  li.dataset.state = o.kind.slice(6);
  switch (o.kind) {
    case "order-queued": state.textContent = `queued: ${o.tasks} positions`; break;
    case "order-started": state.textContent = `${o.tasks} positions on the workflow…`; break;
    case "order-progress":
      bar.max = +o.tasks; bar.value = +o.done;
      state.textContent = `${o.done} / ${o.tasks} valued`;
      break;
    case "order-done":
      bar.value = bar.max;
      state.textContent = `value ${(+o.value).toFixed(2)} (Black-Scholes ${(+o.analytic).toFixed(2)}) in ${o.seconds} s`;
      break;
    case "order-failed": state.textContent = "failed: " + o.why; break;
  }
}

function onAnswer(a) {
  const list = $("answers");
  const li = el("li", "answer " + (a.ok === "ok" ? "ok" : "error"));
  li.append(el("code", "", a.query), el("span", "", a.text));
  list.prepend(li);
  while (list.children.length > 20) list.lastChild.remove();
}

const handlers = {
  "answer": onAnswer,
  "tick": onTick,
  "chat": onChat,
  "presence": (p) => addChat(el("li", "presence", `* ${p.handle} ${p.what}`)),
  "notice": (n) => addChat(el("li", "notice", `-- ${n.text}`)),
};

function connect() {
  const events = new EventSource("/events");
  events.onopen = () => { $("status").textContent = "live"; $("status").className = "status on"; };
  events.onerror = () => { $("status").textContent = "reconnecting…"; $("status").className = "status off"; };
  events.onmessage = (m) => {
    const e = JSON.parse(m.data);
    if (e.kind.startsWith("order-")) onOrder(e);
    else if (handlers[e.kind]) handlers[e.kind](e);
  };
}

async function post(path, body) {
  const res = await fetch(path, { method: "POST", body, headers: { "Content-Type": "text/plain" } });
  const answer = await res.json().catch(() => ({ ok: false, error: res.statusText }));
  const box = $("error");
  box.hidden = answer.ok;
  if (!answer.ok) box.textContent = answer.error;
  return answer;
}

$("say").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const line = $("line");
  if (!line.value.trim()) return;
  if ((await post("/chat", line.value)).ok) line.value = "";
});

$("order").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  await post("/order", $("positions").value);
});

$("ask").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const question = $("question");
  if (!question.value.trim()) return;
  if ((await post("/query", question.value)).ok) question.value = "";
});

connect();
