// The desk's dashboard in a real browser: starts desk (web UI on a free
// port) and headless Chromium, drives the page over the DevTools protocol
// (Node's built-in WebSocket: no npm packages), and checks that prices tick
// and that a chat message posted from the page comes back to it.
// With --cross-origin: a page from another origin (a server of this script's
// own, on another port) tries to place an order, say a chat line and ask a
// query, by fetch and by a form; the desk must refuse them all (403).
//   node --experimental-websocket browser.mjs --desk PATH [--chromium PATH] [--screenshot FILE.png | --cross-origin]
// Exit status: 0 passed, 1 failed, 77 skipped (no Chromium, or only the snap's stub).
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, a, i, all) => (a.startsWith("--") ? [...pairs, [a.slice(2), all[i + 1]]] : pairs), []));
const chromium = args.chromium && existsSync(args.chromium) ? args.chromium : "/usr/bin/chromium";
if (!existsSync(chromium)) {
  console.log(`skipped: no Chromium at ${chromium} (apt-get install chromium)`);
  process.exit(77);
}
// Ubuntu's chromium (and chromium-browser) packages are transitional: a script
// that runs the snap, whose confinement keeps it from a profile under /tmp.
const chromiumFile = realpathSync(chromium);
const isSnap = chromium.startsWith("/snap/") || chromiumFile.startsWith("/snap/") || chromiumFile.endsWith("/snap") ||
  (readFileSync(chromiumFile).subarray(0, 2).toString() === "#!" && /\bsnap\b/.test(readFileSync(chromiumFile, "latin1")));
if (isSnap) {
  console.log(`skipped: ${chromium} is Chromium's snap (all that Ubuntu's chromium packages install), which cannot run from the test; install Chromium from a .deb`);
  process.exit(77);
}
if (typeof WebSocket === "undefined") {
  console.log("skipped: this Node.js has no WebSocket (Node 20 needs --experimental-websocket)");
  process.exit(77);
}

const children = [];
const profile = mkdtempSync(join(tmpdir(), "desk-chromium-"));
function cleanUp() {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
}
function fail(why) {
  console.error(`FAILED: ${why}`);
  cleanUp();
  process.exit(1);
}
const overall = setTimeout(() => fail("took over 60 s"), 60_000);

// Resolves with the first match of pattern in a child's output.
function waitForOutput(child, stream, pattern, what) {
  return new Promise((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(() => reject(new Error(`no ${what} in 20 s; got:\n${seen}`)), 20_000);
    child[stream].on("data", (chunk) => {
      seen += chunk;
      const m = seen.match(pattern);
      if (m) { clearTimeout(timer); resolve(m); }
    });
    child.on("exit", (code) => reject(new Error(`${what}: the process exited (${code}); got:\n${seen}`)));
  });
}

// A DevTools protocol session: send(method, params) -> result.
function devtools(url) {
  const ws = new WebSocket(url);
  let next = 0;
  const pending = new Map();
  ws.onmessage = (m) => {
    const msg = JSON.parse(m.data);
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if (msg.error) p.reject(new Error(JSON.stringify(msg.error)));
    else p.resolve(msg.result);
  };
  const opened = new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = () => reject(new Error("no DevTools connection")); });
  return opened.then(() => ({
    send(method, params = {}) {
      const id = ++next;
      ws.send(JSON.stringify({ id, method, params }));
      return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
    },
    close() { ws.close(); },
  }));
}

async function until(what, check, ms = 15_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await Promise.resolve().then(check).catch(() => false);  // a navigating page has no context for a moment
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

try {
  // The screenshot has the embedded chat's bot in it; the test does without.
  const deskArgs = ["--http", "127.0.0.1:0", "--paths", args.screenshot ? "400000" : "20000"];
  if (!args.screenshot) deskArgs.push("--no-bot");
  const desk = spawn(args.desk, deskArgs, { stdio: ["ignore", "pipe", "pipe"] });
  children.push(desk);
  let deskOutput = "";
  desk.stdout.on("data", (chunk) => { deskOutput += chunk; });
  desk.stderr.on("data", (chunk) => { deskOutput += chunk; });
  const [, url] = await waitForOutput(desk, "stdout", /dashboard on (http:\/\/\S+)/, "dashboard URL");
  console.log(`desk: ${url}`);

  const browser = spawn(chromium, [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
    `--user-data-dir=${profile}`, "--remote-debugging-port=0", "--window-size=1280,900", "about:blank",
  ], { stdio: ["ignore", "ignore", "pipe"] });
  children.push(browser);
  const [, browserUrl] = await waitForOutput(browser, "stderr", /DevTools listening on (ws:\/\/\S+)/, "DevTools URL");

  // A page target of our own, then a session attached to it.
  const cdp = await devtools(browserUrl);
  const { targetId } = await cdp.send("Target.createTarget", { url: "about:blank" });
  const { webSocketDebuggerUrl } = await (await fetch(`http://${new URL(browserUrl).host}/json/list`)).json()
    .then((list) => list.find((t) => t.id === targetId));
  const page = await devtools(webSocketDebuggerUrl);
  const evaluate = async (expression) =>
    (await page.send("Runtime.evaluate", { expression, awaitPromise: true, returnByValue: true })).result.value;
  await page.send("Page.enable");
  await page.send("Page.navigate", { url });

  async function dashboard() {
    await until("the page to say live", () => evaluate(`document.getElementById("status")?.textContent === "live"`));
    // Prices: rows appear, and a price changes while we watch.
    const first = await until("prices", () => evaluate(`(() => { const r = document.querySelectorAll("#prices tr");
        return r.length >= 3 ? [...r].map((x) => x.children[1].textContent).join(" ") : ""; })()`));
    console.log(`prices: ${first}`);
    await until("a price to change", () => evaluate(`[...document.querySelectorAll("#prices tr")]
        .map((x) => x.children[1].textContent).join(" ") !== ${JSON.stringify(first)}`));
    console.log("prices change");

    // Chat: type a line, press Send, see it come back from the chat server.
    const text = `hello from Chromium ${process.pid}`;
    await evaluate(`document.getElementById("line").value = ${JSON.stringify(text)};
        document.querySelector("#say button").click(); true`);
    await until("the chat message to come back", () => evaluate(`[...document.querySelectorAll("#messages li.msg")]
        .some((li) => li.textContent === "desk " + ${JSON.stringify(text)})`));
    console.log("chat message came back");

    // An order: its progress and its value show.
    await evaluate(`document.getElementById("positions").value = "30"; document.querySelector("#order button").click(); true`);
    const value = await until("the order's value", () => evaluate(`(() => { const o = document.querySelector("#orders li[data-state=done] .state");
        return o ? o.textContent : ""; })()`));
    console.log(`order: ${value}`);

    // A query: ask the embedded query engine, see its answer (or its error) show.
    await evaluate(`document.getElementById("question").value = "SYMBOLS"; document.querySelector("#ask button").click(); true`);
    const answer = await until("the query's answer", () => evaluate(`(() => { const a = document.querySelector("#answers li.answer.ok");
        return a && a.children[0].textContent === "SYMBOLS" ? a.children[1].textContent : ""; })()`));
    console.log(`query: SYMBOLS -> ${answer}`);

    if (args.screenshot) {
      await evaluate(`document.getElementById("question").value = "TOP 3 GAINERS"; document.querySelector("#ask button").click(); true`);
      await until("the second answer", () => evaluate(`document.querySelectorAll("#answers li.answer").length >= 2`));
      await until("the bot to talk", () => evaluate(`document.querySelectorAll("#messages li.msg").length >= 3`), 20_000);
      await evaluate(`document.getElementById("positions").value = "200"; document.querySelector("#order button").click(); true`);
      await until("the second order half way", () => evaluate(`(() => { const p = document.querySelector("#orders li progress");
          return p && p.value > p.max / 3 && p.value < p.max; })()`), 20_000);
      await evaluate(`document.getElementById("line").value = "who is valuing that book?"; true`);
      const { data } = await page.send("Page.captureScreenshot", { format: "png" });
      writeFileSync(args.screenshot, Buffer.from(data, "base64"));
      console.log(`screenshot: ${args.screenshot}`);
    }
  }

  // Another site's page, as the same browser would open it: its fetches are
  // "simple" requests (text/plain, no preflight), which reach the desk; only
  // the desk's Origin check stands between them and an order.
  async function crossOrigin() {
    const desk = JSON.stringify(url);
    const evil = `<!doctype html><title>another site</title><body><script>
      (async () => {
        const out = [];
        for (const [path, body] of [["order", "7"], ["chat", "hello from another site"], ["query", "SYMBOLS"]]) {
          try { const r = await fetch(${desk} + path, { method: "POST", mode: "no-cors", body }); out.push(path + ":" + r.type); }
          catch (e) { out.push(path + ":" + e.name); }
        }
        await new Promise((done) => {
          const events = new EventSource(${desk} + "events");
          events.onmessage = () => { out.push("events:read"); events.close(); done(); };
          events.onerror = () => { out.push("events:refused"); events.close(); done(); };
        });
        document.title = "done " + out.join(" ");
      })();
    </script></body>`;
    const site = createServer((req, res) => { res.writeHead(200, { "Content-Type": "text/html" }); res.end(evil); });
    await new Promise((resolve) => site.listen(0, "127.0.0.1", resolve));
    const evilUrl = `http://127.0.0.1:${site.address().port}/`;
    console.log(`another origin: ${evilUrl}`);
    await page.send("Page.navigate", { url: evilUrl });
    const tried = await until("the other page's requests", () => evaluate(`document.title.startsWith("done") && document.title`));
    console.log(`other page: ${tried}`);
    if (tried.includes("events:read")) throw new Error("another origin read the event stream");
    // A form POST: the browser navigates to the desk's answer.
    await evaluate(`(() => { const f = document.createElement("form"); f.method = "POST"; f.action = ${desk} + "order";
        f.enctype = "text/plain"; const i = document.createElement("input"); i.name = "7"; f.append(i);
        document.body.append(f); f.submit(); return true; })()`);
    const answer = await until("the desk's answer to the form", () => evaluate(`location.pathname === "/order" && document.body.innerText`));
    console.log(`form: ${answer}`);
    if (!answer.includes("is not the dashboard's")) throw new Error(`the form POST was not refused: ${answer}`);
    site.close();
    // The dashboard's own order is order 1: none of the above was placed.
    await page.send("Page.navigate", { url });
    await until("the page to say live", () => evaluate(`document.getElementById("status")?.textContent === "live"`));
    await evaluate(`document.getElementById("positions").value = "4"; document.querySelector("#order button").click(); true`);
    await until("the dashboard's own order", () => deskOutput.includes("order 1: 4 positions"));
    if (/order \d+: 7 positions/.test(deskOutput) || deskOutput.includes("hello from another site"))
      throw new Error(`another origin placed an order or said a line:\n${deskOutput}`);
    if (!/refused POST \/order from 127\.0\.0\.1 with 403/.test(deskOutput)) throw new Error(`no refusal logged:\n${deskOutput}`);
    console.log("another origin could not order, chat, ask or read; the dashboard's own order is order 1");
  }

  if ("cross-origin" in args) await crossOrigin();
  else await dashboard();
  page.close();
  cdp.close();

  // Ctrl-C: desk ends with status 0, open event stream and all.
  const browserGone = new Promise((resolve) => browser.on("exit", resolve));
  browser.kill("SIGKILL");
  await browserGone;
  const exited = new Promise((resolve) => desk.on("exit", (code, signal) => resolve({ code, signal })));
  const stopAt = Date.now();
  desk.kill("SIGINT");
  const { code } = await exited;
  console.log(`desk exited with ${code} in ${Date.now() - stopAt} ms`);
  if (code !== 0) fail(`desk exited with ${code}`);
  clearTimeout(overall);
  cleanUp();
  console.log("passed");
} catch (e) {
  fail(e.message);
}
