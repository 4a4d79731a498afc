// The console without reloads: the server's event stream says what changed, and the page fetches
// that fragment and swaps it in; forms are sent by fetch and their part of the page refreshed.
// Without this script every form still works (a POST answered by a redirect back).
"use strict";

const page = document.getElementById("console");
const contact = page.dataset.contact;
const pane = document.querySelector(".pane.conversation");
const announcer = document.getElementById("announcer");

function announce(words) {
  announcer.textContent = "";
  // a fresh text node in the live region is what screen readers announce
  setTimeout(() => { announcer.textContent = words; }, 50);
}

async function fragment(url) {
  const response = await fetch(url, {headers: {"X-Console-Fetch": "1"}, cache: "no-store"});
  if (response.status === 401 || response.redirected) { location.reload(); return null; }
  return response.ok ? response.text() : null;
}

function localTimes(root) {
  for (const time of root.querySelectorAll("time[datetime]")) {
    const moment = new Date(time.dateTime);
    time.textContent = moment.toDateString() === new Date().toDateString()
      ? moment.toLocaleTimeString([], {hour: "2-digit", minute: "2-digit"})
      : moment.toLocaleString([], {day: "numeric", month: "short", hour: "2-digit", minute: "2-digit"});
  }
}

async function refreshInbox() {
  const query = new URLSearchParams(page.dataset.filters);
  if (contact) query.set("open", contact);
  const html = await fragment("/console/fragments/inbox?" + query);
  if (html === null) return;
  const list = document.getElementById("inbox-list");
  const waitingBefore = new Set([...list.querySelectorAll(".conversation-item.state-waiting")].map(card => card.dataset.name));
  list.innerHTML = html;
  localTimes(list);
  const newlyWaiting = [...list.querySelectorAll(".conversation-item.state-waiting")].filter(card => !waitingBefore.has(card.dataset.name));
  if (newlyWaiting.length) announce(newlyWaiting.map(card => card.dataset.name).join(", ") + " waiting for a person");
}

async function refreshPart(part) {
  const html = await fragment(pane.dataset.fragments + "/" + part);
  if (html === null) return;
  const holder = document.getElementById(part);
  const typed = holder.querySelector("textarea") ? holder.querySelector("textarea").value : "";
  const focused = holder.contains(document.activeElement) ? focusKey(document.activeElement) : null;
  const playing = [...holder.querySelectorAll("audio, video")].filter(player => !player.paused);
  holder.innerHTML = html;
  // a voice note or video being played goes on playing when a message arrives
  for (const player of playing) {
    const fresh = [...holder.querySelectorAll(player.tagName)].find(other => other.getAttribute("src") === player.getAttribute("src"));
    if (fresh) fresh.replaceWith(player);
  }
  const textarea = holder.querySelector("textarea");
  if (textarea && typed) textarea.value = typed;
  if (focused) keepFocus(focused);
  localTimes(holder);
}

// a keyboard user whose control was swapped out stays where they were: on the same form's
// control, or on the conversation's heading when that control is gone (Take, once taken)
function focusKey(element) {
  const form = element.closest("form");
  return form ? form.getAttribute("action") : "#" + element.id;
}

function keepFocus(key) {
  const form = [...pane.querySelectorAll("form")].find(candidate => candidate.getAttribute("action") === key);
  const target = form ? form.querySelector("textarea, input:not([type=hidden]), button")
    : (key.startsWith("#") && document.getElementById(key.slice(1))) || document.getElementById("conversation-heading");
  if (target) target.focus();
}

async function refreshMessages() {
  const holder = document.getElementById("messages");
  const seen = new Set([...holder.querySelectorAll(".bubble")].map(bubble => bubble.dataset.id));
  const atBottom = holder.scrollHeight - holder.scrollTop - holder.clientHeight < 40;
  await refreshPart("messages");
  const arrived = [...holder.querySelectorAll(".bubble.inbound")].filter(bubble => !seen.has(bubble.dataset.id));
  if (arrived.length) {
    const last = arrived[arrived.length - 1];
    announce("New message from " + last.querySelector(".author").textContent + ": " + (last.querySelector(".text") || {}).textContent);
    if (document.visibilityState === "visible") markRead();
  }
  if (atBottom || arrived.length) holder.scrollTop = holder.scrollHeight;
}

function markRead() {
  const csrf = document.querySelector("input[name=csrf]");
  fetch(location.pathname + "/read", {
    method: "POST",
    headers: {"X-Console-Fetch": "1", "X-CSRF-Token": csrf.value, "Content-Type": "application/x-www-form-urlencoded"},
    body: new URLSearchParams({csrf: csrf.value}),
  });
}

async function refreshConversation() {
  await Promise.all([refreshPart("card"), refreshPart("composer"), refreshMessages()]);
}

function listen() {
  // each time the stream opens (and after a reconnect) the server first says to fetch everything
  const source = new EventSource("/console/events" + (contact ? "?contact=" + encodeURIComponent(contact) : ""));
  source.addEventListener("inbox", refreshInbox);
  source.addEventListener("card", () => Promise.all([refreshPart("card"), refreshPart("composer")]));
  source.addEventListener("messages", refreshMessages);
}

async function submit(event) {
  const form = event.target.closest("form[data-control]");
  if (!form || event.defaultPrevented) return;
  event.preventDefault();
  const error = document.getElementById("error-" + form.dataset.control);
  if (form.dataset.busy) return;
  form.dataset.busy = "yes";
  const body = new URLSearchParams(new FormData(form));
  const key = focusKey(form);
  try {
    const response = await fetch(form.action, {
      method: "POST",
      headers: {"X-Console-Fetch": "1", "X-CSRF-Token": body.get("csrf") || ""},
      body,
    });
    if (response.status === 401) { location.reload(); return; }
    if (!response.ok) {
      const refused = await response.json().catch(() => null);
      error.textContent = refused && refused.error ? refused.error.message : "That did not work (" + response.status + "); try again.";
      return;
    }
    error.textContent = "";
    if (form.classList.contains("reply-form")) form.reset();
    await Promise.all([refreshConversation(), refreshInbox()]);
    if (!pane.contains(document.activeElement)) keepFocus(key);
  } catch (failure) {
    error.textContent = "The gateway could not be reached; try again.";
  } finally {
    delete form.dataset.busy;
  }
}

localTimes(document);
if (pane) {
  pane.addEventListener("submit", submit);
  const messages = document.getElementById("messages");
  messages.scrollTop = messages.scrollHeight;
}
listen();
