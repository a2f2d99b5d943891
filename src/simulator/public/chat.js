// The person's phone in the LINE simulator. Plain browser JavaScript modules, no build step.
// Every text shown comes from the network and is put in the page with textContent only.
// URLs are relative so the page works under any mount prefix (e.g. /simulator/).
import { api } from "./kit/api.js";
import { $, el } from "./kit/dom.js";
import { renderItem, renderTyping, safeUrl, scrollToEnd, STICKERS, time } from "./chat-items.js";

const state = { current: null, persons: [], view: null, loadingView: false, dirty: false };

const personPath = (suffix = "") => `_sim/persons/${encodeURIComponent(state.current)}${suffix}`;

// ---------- loading state ----------

async function loadPersons() {
  const data = await api("GET", "_sim/state");
  state.persons = data.persons;
  $("bot-name").textContent = data.botName;
  renderFaults(data.faults);
  if (!state.current || !state.persons.some((p) => p.userId === state.current)) {
    const fromHash = decodeURIComponent(location.hash.slice(1));
    const pick = state.persons.find((p) => p.userId === fromHash) || state.persons[0];
    if (pick) selectPerson(pick.userId);
  }
  renderPeople();
}

/** Coalesces bursts of change notifications into one fetch at a time. */
async function loadView() {
  if (!state.current) return render();
  if (state.loadingView) {
    state.dirty = true;
    return;
  }
  state.loadingView = true;
  try {
    state.view = await api("GET", personPath());
    render();
  } finally {
    state.loadingView = false;
    if (state.dirty) {
      state.dirty = false;
      void loadView();
    }
  }
}

function selectPerson(userId) {
  state.current = userId;
  state.view = null;
  history.replaceState(null, "", `#${encodeURIComponent(userId)}`);
  $("open-tab").href = `#${encodeURIComponent(userId)}`;
  renderPeople();
  void loadView();
}

// ---------- rendering: panel ----------

const STATE_LABEL = { new: "未追加", friend: "友だち", blocked: "ブロック中" };

function renderPeople() {
  const list = $("people");
  list.replaceChildren(
    ...state.persons.map((p) =>
      el("li", {}, [
        el(
          "button",
          {
            className: p.userId === state.current ? "current" : "",
            attrs: { "data-testid": "person", "data-user-id": p.userId },
            on: { click: () => selectPerson(p.userId) },
          },
          [
            el("span", { text: p.displayName }),
            el("span", { className: `badge ${p.state}`, text: STATE_LABEL[p.state] }),
          ],
        ),
      ]),
    ),
  );
}

function renderEvents(events) {
  const rows = [...events]
    .reverse()
    .slice(0, 30)
    .map((e) => {
      const ok = typeof e.status === "number" && e.status >= 200 && e.status < 300;
      const label = typeof e.status === "number" ? String(e.status) : e.error || e.status;
      return el(
        "tr",
        { attrs: { "data-testid": "event-row", "data-event-id": e.webhookEventId } },
        [
          el("td", { text: time(e.at) }),
          el("td", { text: e.type + (e.isRedelivery ? "（再送）" : "") }),
          el("td", { className: ok ? "status-ok" : "status-bad", text: label }),
          el("td", {}, [
            el("button", {
              text: "再送",
              attrs: { "data-testid": "redeliver", title: "isRedelivery: true で再送" },
              on: {
                click: () =>
                  act("POST", `_sim/events/${encodeURIComponent(e.webhookEventId)}/redeliver`),
              },
            }),
          ]),
        ],
      );
    });
  $("events").replaceChildren(...rows);
}

function renderFaults(faults) {
  $("faults").textContent = faults.length
    ? "待機中: " +
      faults.map((f) => `${f.status}×${f.count}${f.path ? " " + f.path : ""}`).join(", ")
    : "";
}

// ---------- rendering: phone ----------

function render() {
  const view = state.view;
  $("me").textContent = view ? `あなた: ${view.displayName}` : "「＋ 新しい人」で始めます";
  renderFriendBar(view);
  // Bars first: they change the height of the message area, which sets where "bottom" is.
  renderQuickReplies(view);
  renderMessages(view);
  renderEvents(view ? view.events : []);
  $("composer").classList.toggle("disabled", !view || view.state === "blocked");
  $("block").hidden = !view || view.state !== "friend";
}

function renderFriendBar(view) {
  const bar = $("friend-bar");
  bar.hidden = !view || view.state === "friend";
  if (!view) return;
  const blocked = view.state === "blocked";
  $("friend-bar-text").textContent = blocked
    ? "このアカウントをブロック中です"
    : "友だち追加するとメッセージが届きます";
  $("follow").textContent = blocked ? "ブロック解除" : "追加";
}

function renderMessages(view) {
  const box = $("messages");
  const nodes = view ? view.items.map((item) => renderItem(item, view, handlers)) : [];
  if (view && view.loading) nodes.push(renderTyping());
  // Like LINE, jump to the newest message whenever something new appears.
  const signature = `${state.current}:${nodes.length}`;
  const grew = signature !== state.lastSignature;
  state.lastSignature = signature;
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  box.replaceChildren(...nodes);
  if (grew || atBottom) scrollToEnd();
}

/** Quick replies belong to the newest message and vanish once she does anything. */
function renderQuickReplies(view) {
  const bar = $("quick-replies");
  const last = view && view.items.length ? view.items[view.items.length - 1] : null;
  const items =
    last && last.kind === "bot" && last.message.quickReply
      ? last.message.quickReply.items || []
      : [];
  bar.hidden = items.length === 0 || view.state === "blocked";
  bar.replaceChildren(
    ...items.map((item) =>
      el("button", {
        text: (item.action && item.action.label) || item.action.type,
        attrs: { "data-testid": "quick-reply" },
        on: { click: () => tap(item.action) },
      }),
    ),
  );
}

// ---------- actions ----------

async function act(method, path, body) {
  try {
    await api(method, path, body);
  } catch (error) {
    alert(error.message);
  }
}

function tap(action) {
  if (action.type === "uri") {
    window.open(safeUrl(action.uri), "_blank", "noopener");
    return;
  }
  void act("POST", personPath("/actions"), { action });
}

/** What her taps on a message do (see chat-items.js). */
const handlers = {
  tap,
  unsend: (messageId) => act("POST", personPath("/unsend"), { messageId }),
};

function sendText() {
  const box = $("text");
  const text = box.value;
  if (!text.trim() || !state.current) return;
  box.value = "";
  void act("POST", personPath("/messages"), { type: "text", text });
}

function wire() {
  $("composer").addEventListener("submit", (e) => {
    e.preventDefault();
    sendText();
  });
  $("text").addEventListener("keydown", (e) => {
    // Enter sends; Shift+Enter is a new line; Enter while a Japanese IME is composing is not.
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      sendText();
    }
  });
  $("image-input").addEventListener("change", (e) => {
    const file = e.target.files[0];
    e.target.value = "";
    if (!file) return;
    // Sent as its own bytes with its type; a file the browser cannot type is taken for a PNG.
    const image = file.type ? file : new Blob([file], { type: "image/png" });
    void act("POST", personPath("/images"), image);
  });
  $("sticker-button").addEventListener("click", () => {
    $("stickers").hidden = !$("stickers").hidden;
  });
  $("stickers").replaceChildren(
    ...STICKERS.map((s) =>
      el("button", {
        text: s.face,
        attrs: { "data-testid": "sticker" },
        on: {
          click: () => {
            $("stickers").hidden = true;
            void act("POST", personPath("/messages"), { type: "sticker", ...s });
          },
        },
      }),
    ),
  );
  $("follow").addEventListener("click", () => act("POST", personPath("/follow")));
  $("menu-button").addEventListener("click", () => {
    $("menu").hidden = !$("menu").hidden;
  });
  $("block").addEventListener("click", () => {
    $("menu").hidden = true;
    void act("POST", personPath("/unfollow"));
  });
  $("new-person").addEventListener("submit", async (e) => {
    e.preventDefault();
    const displayName = $("new-person-name").value;
    $("new-person-name").value = "";
    const person = await api("POST", "_sim/persons", { displayName });
    await loadPersons();
    selectPerson(person.userId);
  });
  $("fault").addEventListener("submit", async (e) => {
    e.preventDefault();
    const raw = $("fault-status").value;
    const body = {
      status: raw === "timeout" || raw === "lost-response" ? raw : Number(raw),
      count: Number($("fault-count").value) || 1,
      path: $("fault-path").value || undefined,
    };
    const data = await api("POST", "_sim/faults", body);
    renderFaults(data.faults);
  });
}

function listen() {
  const source = new EventSource("_sim/stream");
  source.onmessage = (e) => {
    const data = JSON.parse(e.data);
    if (data.persons) void loadPersons();
    if (data.userId && data.userId === state.current) void loadView();
    if (data.userId) void loadPersons();
  };
}

wire();
listen();
void loadPersons().then(loadView);
