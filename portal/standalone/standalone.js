// Terang's standalone verifier: the wiring of terang-verifier.html around verify.js.
//
// portal/standalone_verifier.py replaces the import line below with verify.js itself, byte for
// byte, so the saved page holds all of its code inline and loads nothing. A file picked or text
// pasted never leaves the page; the only network request the page ever makes is a GET of the one
// http(s) URL a visitor types and asks to fetch (no cookies, no referrer, no redirect followed),
// and its Content-Security-Policy allows no other kind of request at all.
import { decodeText, element, message, renderReports, verifyFile } from "../static/verify.js";

/** A bound on what the page reads (a bundle is at most a few MB; a proof a few KB). */
const DOCUMENT_BYTES_MAX = 64 * 1024 * 1024;

const config = JSON.parse(document.getElementById("terang-verifier").textContent);
const byId = (id) => document.getElementById(id);
let language = document.documentElement.lang;
let shown = null; // the last result, painted again when the language changes
let latest = 0; // the newest check's number: only it may show its result

const messages = () => config.messages[language];
const say = (key, params = {}) => message(messages(), key, params);

/** The keys the visitor pasted: nothing is trusted by default, the page holds no key. */
function trust() {
  return {
    verifierKey: byId("verifier-key").value,
    witnessKeys: byId("verifier-witness-keys").value.split("\n"),
  };
}

function paint() {
  const out = byId("verifier-result");
  if (shown === null) return;
  if (shown.reports) renderReports(shown.reports, out, messages());
  else
    out.replaceChildren(
      element("p", { class: "verify-fail" }, `✗ ${say(shown.key, shown.params)}`),
    );
  out.prepend(element("p", { class: "verifier-source" }, say(shown.source.key, shown.source)));
}

/** Begin a check: the previous verdict goes at once, so it never stands beside a new input. */
function begin() {
  const out = byId("verifier-result");
  shown = null;
  out.setAttribute("aria-busy", "true");
  out.textContent = say("verify.working");
  return ++latest;
}

/** Show check `run`'s result, unless a newer check began meanwhile (a slow download or a big
 * file must never paint its verdict over a later one's). */
function show(run, result) {
  if (run !== latest) return;
  shown = result;
  byId("verifier-result").removeAttribute("aria-busy");
  paint();
}

async function verifyBytes(run, bytes, source) {
  if (!globalThis.crypto?.subtle) return show(run, { key: "verify.no_webcrypto", source });
  if (bytes.length > DOCUMENT_BYTES_MAX) {
    return show(run, { key: "verifier.too_large", params: { max: DOCUMENT_BYTES_MAX }, source });
  }
  let text;
  try {
    text = decodeText(bytes);
  } catch (error) {
    return show(run, { key: "verify.drop.unreadable", params: { reason: error.message }, source });
  }
  try {
    const reports = await verifyFile(text, trust(), byId("verifier-leaf-hash").value);
    show(run, { reports, source });
  } catch (error) {
    show(run, { key: "verify.drop.unreadable", params: { reason: error.message }, source });
  }
}

/** GET the typed URL, and nothing else: no credentials, no referrer, a redirect is an error. */
async function fetchBytes(text) {
  let url;
  try {
    url = new URL(text.trim());
  } catch {
    throw new Error(say("verifier.url_invalid"));
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    throw new Error(say("verifier.url_invalid"));
  const response = await fetch(url.href, {
    method: "GET",
    mode: "cors",
    credentials: "omit",
    redirect: "error",
    referrerPolicy: "no-referrer",
    cache: "no-store",
  });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const declared = Number(response.headers.get("Content-Length") ?? 0);
  if (declared > DOCUMENT_BYTES_MAX) throw new Error(say("verifier.too_large", { max: DOCUMENT_BYTES_MAX }));
  return { url: url.href, bytes: new Uint8Array(await response.arrayBuffer()) };
}

function wire() {
  const file = byId("verifier-file");
  const fromFile = async () => {
    const run = begin();
    const picked = file.files[0];
    const none = { key: "verifier.source_none" };
    if (!picked) return show(run, { key: "verify.drop.no_file", source: none });
    const source = { key: "verifier.source_file", name: picked.name };
    if (picked.size > DOCUMENT_BYTES_MAX)
      return show(run, { key: "verifier.too_large", params: { max: DOCUMENT_BYTES_MAX }, source });
    await verifyBytes(run, new Uint8Array(await picked.arrayBuffer()), source);
  };
  file.addEventListener("change", fromFile);
  byId("verifier-file-form").addEventListener("submit", (event) => {
    event.preventDefault(); // nothing is ever sent: verification runs here
    fromFile();
  });
  byId("verifier-text-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = byId("verifier-text").value;
    verifyBytes(begin(), new TextEncoder().encode(text), { key: "verifier.source_text" });
  });
  byId("verifier-url-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const typed = byId("verifier-url").value;
    const run = begin();
    let fetched;
    try {
      fetched = await fetchBytes(typed);
    } catch (error) {
      return show(run, {
        key: "verifier.fetch_failed",
        params: { reason: error.message },
        source: { key: "verifier.source_url", url: typed.trim() },
      });
    }
    await verifyBytes(run, fetched.bytes, { key: "verifier.source_url", url: fetched.url });
  });
  byId("verifier-lang").addEventListener("click", () => setLanguage(language === "id" ? "en" : "id"));
}

/** Switch every text marked data-i18n (and the result) to the other language, in place. */
function setLanguage(next) {
  language = next;
  document.documentElement.lang = next;
  document.title = say("verifier.title");
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = say(node.dataset.i18n);
  const button = byId("verifier-lang");
  const other = next === "id" ? "en" : "id";
  button.textContent = config.messages[other]["verifier.language_name"];
  button.lang = other;
  paint();
}

wire();
