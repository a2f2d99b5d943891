// The person's phone in the LINE simulator. Plain browser JavaScript, no build step.
// Every text shown comes from the network and is put in the page with textContent only.
// URLs are relative so the page works under any mount prefix (e.g. /simulator/).
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const state = { current: null, persons: [], view: null, loadingView: false, dirty: false };

  const STICKERS = [
    { packageId: "446", stickerId: "1988", face: "😊" },
    { packageId: "446", stickerId: "1989", face: "🙏" },
    { packageId: "446", stickerId: "1990", face: "😢" },
    { packageId: "446", stickerId: "1991", face: "👍" },
  ];

  /** Builds an element; `text` goes through textContent, never HTML. */
  function el(tag, opts = {}, children = []) {
    const node = document.createElement(tag);
    if (opts.className) node.className = opts.className;
    if (opts.text !== undefined) node.textContent = String(opts.text);
    for (const [name, value] of Object.entries(opts.attrs || {})) node.setAttribute(name, value);
    if (opts.onClick) node.addEventListener("click", opts.onClick);
    for (const child of children) if (child) node.appendChild(child);
    return node;
  }

  async function api(method, path, body, contentType) {
    const init = { method, headers: {} };
    if (body !== undefined) {
      init.body = contentType ? body : JSON.stringify(body);
      init.headers["content-type"] = contentType || "application/json";
    }
    const response = await fetch(path, init);
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(data.message || `HTTP ${response.status}`);
    return data;
  }

  const personPath = (suffix = "") => `_sim/persons/${encodeURIComponent(state.current)}${suffix}`;

  function time(ms) {
    const d = new Date(ms);
    return `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
  }

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
              onClick: () => selectPerson(p.userId),
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
                onClick: () =>
                  act("POST", `_sim/events/${encodeURIComponent(e.webhookEventId)}/redeliver`),
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
    const nodes = view ? view.items.map((item) => renderItem(item, view)) : [];
    if (view && view.loading) nodes.push(renderTyping());
    // Like LINE, jump to the newest message whenever something new appears.
    const signature = `${state.current}:${nodes.length}`;
    const grew = signature !== state.lastSignature;
    state.lastSignature = signature;
    const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
    box.replaceChildren(...nodes);
    if (grew || atBottom) scrollToEnd();
  }

  function scrollToEnd() {
    const box = $("messages");
    box.scrollTop = box.scrollHeight;
  }

  function renderItem(item, view) {
    if (item.kind === "system") return el("div", { className: "system", text: item.text });
    if (item.kind === "person") return renderMine(item);
    return renderTheirs(item, view);
  }

  function renderMine(item) {
    if (item.unsent) {
      return el("div", { className: "system", text: "メッセージの送信を取り消しました" });
    }
    const meta = el("div", { className: "meta" }, [
      item.fromPostback
        ? null
        : el("button", {
            className: "unsend",
            text: "送信取消",
            attrs: { "data-testid": "unsend" },
            onClick: () => act("POST", personPath("/unsend"), { messageId: item.id }),
          }),
      item.read
        ? el("span", { className: "read", text: "既読", attrs: { "data-testid": "read" } })
        : null,
      el("span", { text: time(item.at) }),
    ]);
    const attrs = { "data-testid": "mine", "data-message-id": item.id };
    return el("div", { className: "msg mine", attrs }, [meta, renderMyContent(item)]);
  }

  function renderMyContent(item) {
    const c = item.content;
    if (c.type === "sticker") return el("div", { className: "sticker", text: stickerFace(c) });
    if (c.type === "image") {
      const src = `_sim/content/${encodeURIComponent(item.id)}`;
      return photo(src, "送った画像");
    }
    return el("div", { className: "bubble", text: c.text });
  }

  function renderTheirs(item, view) {
    const message = item.message;
    const sender = message.sender && message.sender.name ? message.sender.name : view.botName;
    const column = el("div", { className: "theirs-column" }, [
      el("span", { className: "sender", text: sender }),
      renderBotContent(message),
    ]);
    const attrs = { "data-testid": "theirs", "data-message-id": item.id, "data-via": item.via };
    return el("div", { className: "msg theirs", attrs }, [
      el("div", { className: "avatar", text: Array.from(sender)[0] || "?" }),
      column,
      el("div", { className: "meta" }, [el("span", { text: time(item.at) })]),
    ]);
  }

  function renderBotContent(message) {
    switch (message.type) {
      case "text":
      case "textV2":
        return el("div", { className: "bubble", text: message.text });
      case "sticker":
        return el("div", { className: "sticker", text: stickerFace(message) });
      case "image":
        return photo(safeUrl(message.previewImageUrl), "画像");
      case "template":
        return renderTemplate(message);
      default:
        return renderOther(message);
    }
  }

  /** Images change height when they load; keep the newest message in view. */
  function photo(src, alt) {
    const img = el("img", { className: "photo", attrs: { src, alt } });
    img.addEventListener("load", scrollToEnd);
    return img;
  }

  function renderTemplate(message) {
    const t = message.template || {};
    if (t.type === "carousel" || t.type === "image_carousel") {
      return el(
        "div",
        { className: "carousel" },
        (t.columns || []).map((c) => card(c, c.actions || [c.action])),
      );
    }
    const node = card(t, t.actions || []);
    if (t.type === "confirm") node.lastChild.classList.add("confirm");
    return node;
  }

  function card(part, actions) {
    return el("div", { className: "card" }, [
      el("div", { className: "card-body" }, [
        part.title ? el("div", { className: "card-title", text: part.title }) : null,
        part.text ? el("div", { text: part.text }) : null,
      ]),
      el("div", { className: "card-actions" }, actions.filter(Boolean).map(actionButton)),
    ]);
  }

  /** Flex and other rich messages: the alt text plus any buttons found inside. */
  function renderOther(message) {
    const actions = [];
    collectActions(message.contents, actions);
    return el("div", { className: "card" }, [
      el("div", { className: "card-body" }, [
        el("div", { className: "card-kind", text: message.type }),
        el("div", { text: message.altText || `[${message.type}]` }),
      ]),
      el("div", { className: "card-actions" }, actions.map(actionButton)),
    ]);
  }

  function collectActions(node, out) {
    if (!node || typeof node !== "object") return;
    if (node.type === "button" && node.action) out.push(node.action);
    for (const value of Object.values(node)) collectActions(value, out);
  }

  function actionButton(action) {
    return el("button", {
      text: action.label || action.type,
      attrs: { "data-testid": "action-button" },
      onClick: () => tap(action),
    });
  }

  function renderTyping() {
    const bubble = el("div", { className: "bubble" }, [
      el("span", { className: "dot" }),
      el("span", { className: "dot" }),
      el("span", { className: "dot" }),
    ]);
    return el("div", { className: "msg theirs typing", attrs: { "data-testid": "loading" } }, [
      el("div", { className: "avatar", text: "…" }),
      bubble,
    ]);
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
          onClick: () => tap(item.action),
        }),
      ),
    );
  }

  function stickerFace(sticker) {
    const known = STICKERS.find(
      (s) => s.packageId === sticker.packageId && s.stickerId === sticker.stickerId,
    );
    return known ? known.face : "🧸";
  }

  /** Only http(s) images from the bot are shown; anything else becomes a blank image. */
  function safeUrl(url) {
    return typeof url === "string" && /^https?:\/\//i.test(url) ? url : "";
  }

  // ---------- actions ----------

  async function act(method, path, body, contentType) {
    try {
      await api(method, path, body, contentType);
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
      if (file) void act("POST", personPath("/images"), file, file.type || "image/png");
    });
    $("sticker-button").addEventListener("click", () => {
      $("stickers").hidden = !$("stickers").hidden;
    });
    $("stickers").replaceChildren(
      ...STICKERS.map((s) =>
        el("button", {
          text: s.face,
          attrs: { "data-testid": "sticker" },
          onClick: () => {
            $("stickers").hidden = true;
            void act("POST", personPath("/messages"), { type: "sticker", ...s });
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
})();
