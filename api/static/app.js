// Chat page for the Articles Q&A service. Everything from the corpus or the model is inserted
// with textContent, never as HTML, so an article containing <script> shows as text.
"use strict";

const SPANISH = (navigator.language || "en").toLowerCase().startsWith("es");
const TEXT = SPANISH
  ? {
      ask: "Preguntar", question: "Pregunta", placeholder: "Pregunta sobre los artículos (español o inglés)",
      hint: "Las respuestas citan la frase exacta del artículo. Pulsa un número para verla.",
      thinking: "Pensando", refused: "No está en los artículos", error: "Error",
      busy: (s) => `El servidor está ocupado; inténtalo de nuevo en ${s} s.`,
      down: "No se puede contactar con el servidor.", ready: (n) => `listo · ${n} artículos`,
      key: "Este servidor necesita una clave de API", save: "Guardar", cancel: "Cancelar",
      keyMissing: "Hace falta una clave de API.", source: "Fuente", total: "total",
      stop: "Detener", stopped: "Detenido.",
      badLink: "El pasaje enlazado no está en este artículo (puede haber cambiado desde que se creó el enlace).",
      page: (n) => `página ${n}`, original: "Descargar el archivo original",
      articles: "Artículos", drop: "Suelta aquí artículos (.txt, .md, .html, .pdf, .docx)", choose: "Elegir archivos",
      remove: "Quitar", confirmRemove: (n) => `¿Quitar ${n} del corpus?`, uploading: "Subiendo…",
      status: { added: "añadido", updated: "actualizado", unchanged: "sin cambios", skipped: "omitido" }
    }
  : {
      ask: "Ask", question: "Question", placeholder: "Ask about the articles (English or Spanish)",
      hint: "Answers cite the exact sentence of the article. Click a number to see it.",
      thinking: "Thinking", refused: "Not in the articles", error: "Error",
      busy: (s) => `The server is busy; try again in ${s} s.`,
      down: "Cannot reach the server.", ready: (n) => `ready · ${n} articles`,
      key: "This server needs an API key", save: "Save", cancel: "Cancel",
      keyMissing: "An API key is needed.", source: "Source", total: "total",
      stop: "Stop", stopped: "Stopped.",
      badLink: "The linked passage is not in this article (it may have changed since the link was made).",
      page: (n) => `page ${n}`, original: "Download the original file",
      articles: "Articles", drop: "Drop articles here (.txt, .md, .html, .pdf, .docx)", choose: "Choose files",
      remove: "Remove", confirmRemove: (n) => `Remove ${n} from the corpus?`, uploading: "Uploading…",
      status: { added: "added", updated: "updated", unchanged: "unchanged", skipped: "skipped" }
    };
const KEY_STORAGE = "rag-api-key";

const $ = (id) => document.getElementById(id);
const conversation = $("conversation");
const form = $("ask-form");
const input = $("question");
const send = $("send");
const stop = $("stop");
let inFlight = null; // AbortController of the question being answered
const asked = [];

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function authHeaders() {
  const key = localStorage.getItem(KEY_STORAGE);
  return key ? { Authorization: `Bearer ${key}` } : {};
}

function askForKey() {
  return new Promise((resolve) => {
    const dialog = $("key-dialog");
    const field = $("api-key");
    field.value = "";
    const done = (key) => {
      dialog.close();
      if (key) localStorage.setItem(KEY_STORAGE, key);
      resolve(Boolean(key));
    };
    $("key-form").onsubmit = (event) => { event.preventDefault(); done(field.value.trim()); };
    $("key-cancel").onclick = () => done("");
    dialog.showModal();
  });
}

// fetch with the stored key; on 401 asks for the key once and retries.
async function authorizedFetch(url, options = {}) {
  const attempt = () => fetch(url, { ...options, headers: { ...(options.headers || {}), ...authHeaders() } });
  let response = await attempt();
  if (response.status === 401) {
    localStorage.removeItem(KEY_STORAGE);
    if (!(await askForKey())) throw new Error(TEXT.keyMissing);
    response = await attempt();
  }
  return response;
}

async function errorMessage(response) {
  if (response.status === 503 && response.headers.get("Retry-After")) {
    return TEXT.busy(response.headers.get("Retry-After"));
  }
  try {
    const body = await response.json();
    return body.error || `${response.status} ${response.statusText}`;
  } catch {
    return `${response.status} ${response.statusText}`;
  }
}

// Parses a text/event-stream body, calling onEvent(name, data) per event.
async function readEvents(response, onEvent) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      let name = "message";
      const data = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) name = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
      }
      if (data.length) onEvent(name, JSON.parse(data.join("\n")));
    }
  }
}

function addMessage(role, text) {
  const item = el("li", `message ${role}`);
  if (text !== undefined) item.textContent = text;
  conversation.append(item);
  item.scrollIntoView({ block: "end" });
  return item;
}

function showThinking(item) {
  item.replaceChildren();
  item.classList.add("thinking");
  item.append(el("span", "label", TEXT.thinking));
  const draft = el("div", "draft");
  item.append(draft);
  return draft;
}

function showError(item, message) {
  item.className = "message assistant error";
  item.replaceChildren(el("span", "badge", TEXT.error), el("div", "text", message));
}

// The indexed articles by file name ({title, date}), for citation chips (read once, when needed).
let titles = null;
async function articleTitles() {
  if (titles === null) {
    try {
      const response = await authorizedFetch("documents");
      titles = response.ok ? Object.fromEntries((await response.json()).map((d) => [d.name, d])) : {};
    } catch {
      titles = {};
    }
  }
  return titles;
}

function chipLabel(citation, known) {
  const title = (known[citation.source] || {}).title || citation.source;
  return citation.page ? `${title} · ${TEXT.page(citation.page)}` : title;
}

// The file name and date as secondary text: the chip's tooltip, with the quote.
function chipDetails(citation, known) {
  const date = ((known[citation.source] || {}).date || "").slice(0, 10);
  return `${[citation.source, date].filter(Boolean).join(" · ")}: ${citation.quote}`;
}

async function showAnswer(item, answer) {
  const known = answer.citations.length ? await articleTitles() : {};
  item.className = `message assistant${answer.refused ? " refused" : ""}`;
  item.lang = answer.language;
  const parts = [];
  if (answer.refused) parts.push(el("span", "badge", TEXT.refused));
  parts.push(el("div", "text", answer.answer));
  if (answer.citations.length) {
    const chips = el("div", "chips");
    answer.citations.forEach((citation, index) => {
      const chip = el("button", "chip");
      const label = chipLabel(citation, known);
      chip.append(el("b", "", String(index + 1)), document.createTextNode(` ${label}`));
      chip.type = "button";
      chip.title = chipDetails(citation, known);
      chip.setAttribute("aria-pressed", "false");
      chip.setAttribute("aria-label", `${TEXT.source} ${index + 1}: ${label}`);
      chip.addEventListener("click", () => openSource(citation, chip));
      chips.append(chip);
    });
    parts.push(chips);
  }
  parts.push(el("span", "timing", `${(answer.timings_ms.total / 1000).toFixed(1)} s ${TEXT.total}`));
  item.replaceChildren(...parts);
}

// Shows the cited article with the quote highlighted; `chip` is the button that asked (none for a
// deep link). A range outside the text (a stale or edited link) shows the article unmarked.
async function openSource(citation, chip) {
  document.querySelectorAll(".chip[aria-pressed='true']").forEach((c) => c.setAttribute("aria-pressed", "false"));
  if (chip) chip.setAttribute("aria-pressed", "true");
  const panel = $("source");
  const body = $("source-text");
  try {
    const response = await authorizedFetch(`documents/${encodeURIComponent(citation.source)}`);
    if (!response.ok) throw new Error(await errorMessage(response));
    const doc = await response.json();
    // Offsets count Unicode code points (Python), not UTF-16 units: slice by code points.
    const chars = Array.from(doc.text);
    const { start, end } = citation;
    const inside = Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start < end && end <= chars.length;
    $("source-title").textContent = doc.title;
    const page = citation.page ? TEXT.page(citation.page) : "";
    const meta = [doc.name, page, doc.date, doc.language].filter(Boolean).join(" · ");
    const download = $("source-original");
    download.textContent = TEXT.original;
    download.onclick = () => downloadOriginal(doc.name);
    download.hidden = false;
    $("source-meta").textContent = inside ? meta : `${meta} — ${TEXT.badLink}`;
    panel.hidden = false;
    if (!inside) {
      body.replaceChildren(document.createTextNode(doc.text));
      return;
    }
    const mark = el("mark", "quote", chars.slice(start, end).join(""));
    mark.id = "highlighted-quote";
    body.replaceChildren(
      document.createTextNode(chars.slice(0, start).join("")),
      mark,
      document.createTextNode(chars.slice(end).join("")),
    );
    mark.scrollIntoView({ block: "center" });
  } catch (error) {
    $("source-title").textContent = TEXT.error;
    $("source-meta").textContent = "";
    $("source-original").hidden = true;
    body.replaceChildren(el("p", "", error.message));
    panel.hidden = false;
  }
}

// The file as it was added (the PDF, the saved page...), fetched with the API key when one is set.
async function downloadOriginal(name) {
  const response = await authorizedFetch(`documents/${encodeURIComponent(name)}/original`);
  if (!response.ok) return;
  const url = URL.createObjectURL(await response.blob());
  const link = el("a");
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// A citation link (`?doc=<name>&start=<start>&end=<end>`, made by the API) opens its quote.
function openLinkedQuote() {
  const params = new URLSearchParams(location.search);
  const doc = params.get("doc");
  if (!doc) return;
  const offset = (name) => (/^\d+$/.test(params.get(name) || "") ? Number(params.get(name)) : NaN);
  openSource({ source: doc, start: offset("start"), end: offset("end") }, null);
}

async function ask(question) {
  addMessage("user", question);
  const item = addMessage("assistant");
  let draft = showThinking(item);
  let attempt = 0;
  const history = asked.slice(-5);
  asked.push(question);
  inFlight = new AbortController();
  try {
    const response = await authorizedFetch("ask/stream", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ question, history }),
      signal: inFlight.signal,
    });
    if (!response.ok) {
      showError(item, await errorMessage(response));
      return;
    }
    let finished = false;
    await readEvents(response, (name, data) => {
      if (name === "token") {
        if (data.attempt !== attempt) {
          attempt = data.attempt;
          draft.textContent = "";
        }
        draft.textContent += data.text;
      } else if (name === "final") {
        finished = true;
        showAnswer(item, data).catch((error) => showError(item, error.message));
      } else if (name === "error") {
        finished = true;
        showError(item, data.status === 503 && data.retry_after ? TEXT.busy(data.retry_after) : data.error);
      }
    });
    if (!finished) showError(item, TEXT.down);
  } catch (error) {
    if (error.name === "AbortError") showError(item, TEXT.stopped);
    else showError(item, error instanceof TypeError ? TEXT.down : error.message);
  } finally {
    inFlight = null;
    item.scrollIntoView({ block: "end" });
  }
}

// The article library: upload (file picker or drag-and-drop, with progress) and remove.
function sendFiles(files) {
  const body = new FormData();
  for (const file of files) body.append("files", file, file.name);
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest(); // XMLHttpRequest reports upload progress; fetch does not
    request.open("POST", "documents");
    for (const [name, value] of Object.entries(authHeaders())) request.setRequestHeader(name, value);
    const progress = $("upload-progress");
    progress.hidden = false;
    progress.removeAttribute("value");
    request.upload.onprogress = (event) => { if (event.lengthComputable) progress.value = event.loaded / event.total; };
    request.onload = () => { progress.hidden = true; resolve(request); };
    request.onerror = () => { progress.hidden = true; reject(new TypeError("network")); };
    request.send(body);
  });
}

async function upload(files) {
  if (!files.length) return;
  const results = $("upload-results");
  results.replaceChildren(el("li", "", TEXT.uploading));
  try {
    let request = await sendFiles(files);
    if (request.status === 401) {
      localStorage.removeItem(KEY_STORAGE);
      if (!(await askForKey())) throw new Error(TEXT.keyMissing);
      request = await sendFiles(files);
    }
    let body = {};
    try { body = JSON.parse(request.responseText); } catch { /* not JSON: reported below */ }
    if (request.status !== 200) throw new Error(body.error || `${request.status} ${request.statusText}`);
    results.replaceChildren(...body.files.map((file) => {
      const shown = file.stored_as && file.stored_as !== file.name ? `${file.name} → ${file.stored_as}` : file.name;
      const line = `${shown}: ${TEXT.status[file.status]}${file.reason ? ` (${file.reason})` : ""}`;
      return el("li", file.status, line);
    }));
  } catch (error) {
    results.replaceChildren(el("li", "failed", error instanceof TypeError ? TEXT.down : error.message));
  }
  titles = null;
  await Promise.all([listDocuments(), refreshStatus()]);
}

async function listDocuments() {
  const list = $("document-list");
  const response = await authorizedFetch("documents");
  if (!response.ok) {
    list.replaceChildren(el("li", "failed", await errorMessage(response)));
    return;
  }
  const documents = await response.json();
  list.replaceChildren(...documents.map((doc) => {
    const item = el("li");
    const label = el("span");
    const secondary = [doc.name, (doc.date || "").slice(0, 10)].filter(Boolean).join(" · ");
    label.append(el("span", "doc-title", doc.title), el("span", "doc-name", secondary));
    const remove = el("button", "secondary", TEXT.remove);
    remove.type = "button";
    remove.setAttribute("aria-label", `${TEXT.remove} ${doc.name}`);
    remove.addEventListener("click", async () => {
      if (!window.confirm(TEXT.confirmRemove(doc.name))) return;
      const removed = await authorizedFetch(`documents/${encodeURIComponent(doc.name)}`, { method: "DELETE" });
      if (!removed.ok) $("upload-results").replaceChildren(el("li", "failed", await errorMessage(removed)));
      titles = null;
      await Promise.all([listDocuments(), refreshStatus()]);
    });
    item.append(label, remove);
    return item;
  }));
}

function initLibrary() {
  const dialog = $("library");
  $("library-open").textContent = TEXT.articles;
  $("library-title").textContent = TEXT.articles;
  $("drop-hint").textContent = TEXT.drop;
  $("choose-label").textContent = TEXT.choose;
  $("library-open").addEventListener("click", async () => {
    dialog.showModal();
    await listDocuments();
  });
  $("library-close").addEventListener("click", () => dialog.close());
  $("file-input").addEventListener("change", async (event) => {
    await upload([...event.target.files]);
    event.target.value = "";
  });
  const zone = $("drop-zone");
  zone.addEventListener("dragover", (event) => { event.preventDefault(); zone.classList.add("over"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", async (event) => {
    event.preventDefault();
    zone.classList.remove("over");
    await upload([...event.dataTransfer.files]);
  });
}

async function refreshStatus() {
  const status = $("status");
  try {
    const response = await fetch("health");
    const health = await response.json();
    status.dataset.state = health.status === "ok" ? "ok" : "down";
    status.textContent = health.status === "ok" ? TEXT.ready(health.documents) : health.status;
  } catch {
    status.dataset.state = "down";
    status.textContent = TEXT.down;
  }
}

function init() {
  document.documentElement.lang = SPANISH ? "es" : "en";
  send.textContent = TEXT.ask;
  stop.textContent = TEXT.stop;
  // Closing the stream makes the server stop generating.
  stop.addEventListener("click", () => inFlight && inFlight.abort());
  $("question-label").textContent = TEXT.question;
  input.placeholder = TEXT.placeholder;
  $("hint").textContent = TEXT.hint;
  $("key-label").textContent = TEXT.key;
  $("key-ok").textContent = TEXT.save;
  $("key-cancel").textContent = TEXT.cancel;
  $("source-close").addEventListener("click", () => { $("source").hidden = true; });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const question = input.value.trim();
    if (!question) return;
    input.value = "";
    send.disabled = true;
    stop.hidden = false;
    try {
      await ask(question);
    } finally {
      send.disabled = false;
      stop.hidden = true;
      input.focus();
    }
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  initLibrary();
  refreshStatus();
  input.focus();
  openLinkedQuote();
}

init();
