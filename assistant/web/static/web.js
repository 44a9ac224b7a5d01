// Article Assistant web chat: citations scroll the article to their sentence, answers and sentence
// links can be copied, a lost server connection is shown, and questions are checked before sending.
// Loaded once in <head>; works by event delegation, so re-rendered HTML needs no re-binding.
// Everything put in the page here is fixed text or goes through textContent / dataset, never innerHTML.
(() => {
  if (window.articleAssistant) return;

  const NARROW = "(max-width: 760px)";
  const narrow = () => window.matchMedia(NARROW).matches;
  let asked = false; // a question was just sent from this page: keep its answer in view

  function scrollBox(el) {
    for (let p = el.parentElement; p; p = p.parentElement) {
      const style = getComputedStyle(p);
      if (/(auto|scroll)/.test(style.overflowY) && p.scrollHeight > p.clientHeight) return p;
    }
    return null;
  }

  function reveal(el, smooth) {
    const box = scrollBox(el);
    const behavior = smooth ? "smooth" : "auto";
    if (box) {
      const r = el.getBoundingClientRect();
      const b = box.getBoundingClientRect();
      box.scrollTo({ top: box.scrollTop + r.top - b.top - b.height / 3, behavior });
      const br = box.getBoundingClientRect();
      if (br.top < 0 || br.bottom > window.innerHeight) box.scrollIntoView({ block: "nearest", behavior });
    } else {
      el.scrollIntoView({ block: "center", behavior });
    }
  }

  // -- small floating controls (fixed text only) -----------------------------------------------

  function floating(id, label, onClick) {
    let el = document.getElementById(id);
    if (!el) {
      el = document.createElement("button");
      el.type = "button";
      el.id = id;
      el.className = "aa-floating";
      el.addEventListener("click", (event) => {
        event.preventDefault();
        event.stopPropagation();
        onClick(el);
      });
      document.body.appendChild(el);
    }
    el.textContent = label;
    el.hidden = false;
    return el;
  }

  // -- citations -------------------------------------------------------------------------------

  let backTo = null; // the marker a citation tap came from (phone layout)

  // Highlight one sentence strongly (the clicked citation) and bring it into view.
  function focusSentence(id, from) {
    const el = document.getElementById(id);
    if (!el) return false;
    document.querySelectorAll(".sentence.focus").forEach((s) => s.classList.remove("focus"));
    el.classList.remove("flash");
    void el.offsetWidth; // restart the flash animation
    el.classList.add("focus", "flash");
    reveal(el, true);
    if (from && !scrollBox(el)) {
      // The article is further down the same page: offer the way back to the answer.
      backTo = from;
      floating("back-to-answer", "↩ Back to the answer", (btn) => {
        btn.hidden = true;
        if (backTo && backTo.isConnected) backTo.scrollIntoView({ block: "center", behavior: "smooth" });
        backTo = null;
      });
    }
    offerLink(el);
    return true;
  }

  // After an answer, the article view re-renders: scroll to its first cited (or linked) sentence.
  // On a phone the article is below the chat on the same page: the answer stays in view instead.
  function showCited(root) {
    const view = (root || document).querySelector(".article-view[data-focus]");
    const id = view && view.dataset.focus;
    if (!id) return;
    const el = document.getElementById(id);
    if (el && scrollBox(el)) requestAnimationFrame(() => reveal(el, true));
  }

  // The chat re-rendered: newest message in view (its own box on a wide screen, the page on a phone).
  function chatUpdated(element) {
    const box = document.getElementById("chat") || element;
    box.scrollTop = box.scrollHeight;
    if (asked && narrow()) {
      const questions = box.querySelectorAll(".msg.user");
      const last = questions[questions.length - 1];
      if (last) last.scrollIntoView({ block: "start" });
    }
    if (asked && !box.querySelector(".msg.streaming")) setTimeout(() => { asked = false; }, 0);
  }

  // -- copying ---------------------------------------------------------------------------------

  async function copyText(text) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch (e) {
      const area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      let ok = false;
      try { ok = document.execCommand("copy"); } catch (e2) { ok = false; }
      area.remove();
      return ok;
    }
  }

  async function copyFrom(btn, text, done) {
    const ok = await copyText(text);
    btn.dataset.copied = text;
    btn.textContent = ok ? done : "Copy failed: select and copy by hand";
  }

  function sentenceLink(articleId, sentenceId) {
    const base = location.href.split("#")[0];
    return `${base}#a=${encodeURIComponent(articleId)}&s=${encodeURIComponent(sentenceId)}`;
  }

  // A "copy link" button right after the sentence the reader chose.
  function offerLink(sentence) {
    const article = sentence.closest("[data-article-id]");
    if (!article) return;
    const link = sentenceLink(article.dataset.articleId, sentence.dataset.sid);
    let btn = document.getElementById("sentence-link");
    if (!btn) {
      btn = document.createElement("button");
      btn.type = "button";
      btn.id = "sentence-link";
      btn.className = "sentence-link";
    }
    btn.textContent = "Copy link";
    btn.title = "Copy a link that opens this article with this sentence highlighted";
    btn.dataset.link = link;
    delete btn.dataset.copied;
    sentence.after(btn);
  }

  // -- opening a sentence link (#a=<article>&s=<sentence>) -----------------------------------

  function linkTarget() {
    const params = new URLSearchParams(location.hash.replace(/^#/, ""));
    const a = params.get("a");
    const s = params.get("s");
    return a && s ? { a, s } : null;
  }

  let following = 0;
  function followLink() {
    const target = linkTarget();
    if (!target) return;
    const run = ++following;
    const id = `sent-${target.a}-${target.s}`;
    const deadline = Date.now() + 60000;
    let picked = false;
    const step = () => {
      if (run !== following) return;
      const el = document.getElementById(id);
      if (el) {
        el.classList.add("linked");
        focusSentence(id);
        return;
      }
      // Not on the first screen (in the page's HTML): the load event's answer could undo a pick.
      const cards = document.querySelectorAll("#library .library:not([data-first-screen]) .lib-card");
      if (cards.length) {
        const card = document.querySelector(`#library .lib-card[data-scope="${CSS.escape(target.a)}"]`);
        if (!card) {
          notice("The linked article is not in this library.");
          return;
        }
        if (!picked) {
          picked = true;
          card.click();
        } else if (document.querySelector(`.article-view [data-article-id="${CSS.escape(target.a)}"]`)) {
          notice("The linked sentence is not in this article.");
          return;
        }
      }
      if (Date.now() < deadline) setTimeout(step, 200);
    };
    step();
  }

  // -- server connection ------------------------------------------------------------------------

  let appId = null;
  let lost = false;
  let checking = null;

  function banner(kind) {
    let el = document.getElementById("connection-banner");
    if (!kind) {
      if (el) el.hidden = true;
      return;
    }
    if (!el) {
      el = document.createElement("div");
      el.id = "connection-banner";
      el.setAttribute("role", "alert");
      const text = document.createElement("span");
      text.className = "connection-text";
      const retry = document.createElement("button");
      retry.type = "button";
      retry.className = "connection-retry";
      retry.addEventListener("click", () => {
        if (el.dataset.kind === "restarted") location.reload();
        else checkServer().then((ok) => { if (ok && el.dataset.kind === "restarted") location.reload(); });
      });
      el.append(text, retry);
      document.body.appendChild(el);
    }
    el.dataset.kind = kind;
    el.hidden = false;
    el.querySelector(".connection-text").textContent =
      kind === "lost"
        ? "Lost the connection to the server. Your conversation is kept in this browser."
        : "The server restarted. Reload the page to carry on (your conversation is kept).";
    el.querySelector(".connection-retry").textContent = kind === "lost" ? "Retry" : "Reload";
  }

  // The app's own URL (it may sit under a path behind a proxy), ending in "/".
  function appRoot() {
    const root = (window.gradio_config && window.gradio_config.root) || location.href.split(/[?#]/)[0];
    return root.endsWith("/") ? root : `${root}/`;
  }

  function checkServer() {
    if (checking) return checking;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 5000);
    // Gradio's smallest route: {"app_id": …}, a new one each time the server starts.
    checking = fetch(new URL("gradio_api/app_id", appRoot()), {
      cache: "no-store", credentials: "same-origin", signal: controller.signal,
    })
      .then((r) => (r.ok ? r.json() : Promise.reject(new Error(`HTTP ${r.status}`))))
      .then((body) => {
        const id = body && body.app_id;
        if (appId === null) appId = id;
        lost = false;
        banner(id !== appId ? "restarted" : null);
        return true;
      })
      .catch(() => {
        lost = true;
        banner("lost");
        return false;
      })
      .finally(() => {
        clearTimeout(timer);
        checking = null;
      });
    return checking;
  }

  function watchServer() {
    if (window.gradio_config && window.gradio_config.app_id) appId = window.gradio_config.app_id;
    checkServer();
    const again = () => { setTimeout(() => checkServer().finally(again), lost ? 2000 : 5000); };
    again();
    document.addEventListener("visibilitychange", () => { if (!document.hidden) checkServer(); });
  }

  // -- questions and actions ------------------------------------------------------------------

  function notice(message) {
    const el = document.querySelector("#question-limit .question-limit");
    if (el) {
      el.textContent = message;
      el.classList.toggle("shown", Boolean(message));
    }
  }

  function dismissToasts() {
    document.querySelectorAll('[data-testid="toast-close"]').forEach((b) => b.click());
  }

  function staleStatus() {
    document.querySelectorAll("#add-status .add-status").forEach((s) => s.classList.add("stale"));
  }

  // An empty or over-long question never leaves the page.
  function questionRefused() {
    const box = document.querySelector("#question textarea");
    if (!box) return false;
    const limit = Number(document.querySelector("#question-limit .question-limit")?.dataset.limit || 0);
    const length = box.value.trim().length;
    if (!length) {
      notice("Type a question about the article first.");
      return true;
    }
    if (limit && box.value.length > limit) {
      notice(`That question is ${box.value.length.toLocaleString("en")} characters long; keep it under ${limit.toLocaleString("en")}.`);
      return true;
    }
    return false;
  }

  function beforeAsk(event) {
    const ask = document.querySelector("#ask-btn");
    if (ask && ask.disabled) {
      // Enter in the box while the model loads: say so rather than wait in silence.
      notice("The model is still loading: Ask is ready in a moment.");
      event.preventDefault();
      event.stopImmediatePropagation();
      return;
    }
    if (questionRefused()) {
      event.preventDefault();
      event.stopImmediatePropagation();
      return;
    }
    notice("");
    dismissToasts();
    asked = true;
    checkServer();
  }

  // Capture phase: these run before Gradio's own listeners, so a refused question is never sent.
  document.addEventListener("click", (event) => {
    const t = event.target;
    if (t.closest("#ask-btn")) beforeAsk(event);
    else if (t.closest("#add-url-btn, #add-text-btn")) { dismissToasts(); staleStatus(); checkServer(); }
    else if (t.closest("[data-question]")) { dismissToasts(); notice(""); asked = true; }
  }, true);
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || event.shiftKey || event.isComposing) return;
    if (event.target.closest("#question")) beforeAsk(event);
    else if (event.target.closest("#add-url")) { dismissToasts(); staleStatus(); }
  }, true);
  document.addEventListener("change", (event) => {
    if (event.target.closest("#add-file")) { dismissToasts(); staleStatus(); }
  }, true);
  document.addEventListener("input", (event) => {
    const box = event.target.closest("#question textarea");
    if (!box) return;
    const el = document.querySelector("#question-limit .question-limit");
    const limit = Number(el?.dataset.limit || 0);
    if (limit && box.value.length > limit * 0.9) {
      notice(`${box.value.length.toLocaleString("en")} / ${limit.toLocaleString("en")} characters`);
    } else if (el && el.classList.contains("shown")) {
      notice("");
    }
  }, true);

  document.addEventListener("click", (event) => {
    const copy = event.target.closest(".copy-answer");
    if (copy) {
      event.preventDefault();
      copyFrom(copy, copy.dataset.copy || "", "Copied ✓");
      return;
    }
    const link = event.target.closest("#sentence-link");
    if (link) {
      event.preventDefault();
      copyFrom(link, link.dataset.link || "", "Link copied ✓");
      return;
    }
    const trigger = event.target.closest("[data-target]");
    if (trigger) {
      event.preventDefault();
      if (!focusSentence(trigger.dataset.target, trigger)) {
        trigger.classList.add("missing");
        trigger.title = "This sentence's article is not in the article view (it may have been removed).";
      }
      return;
    }
    const sentence = event.target.closest(".article-view .sentence");
    if (sentence && !window.getSelection().toString()) focusSentence(sentence.id);
  });

  // On a phone, fold "Add an article" while the library has articles and the reader has not
  // toggled it: more of the drawer's library shows. Settled whenever the layout may have changed
  // (drawn, library updated, drawer opened) rather than once: under load Gradio can draw the panel,
  // open, after the cards, and a fold marked done too early left it open for good.
  const ADD_LABEL = "#add-panel > .label-wrap, #add-panel > button";
  let addToggledByReader = false;
  document.addEventListener("click", (event) => {
    if (event.isTrusted && event.target.closest(ADD_LABEL)) addToggledByReader = true;
  }, true);
  function settleLayout() {
    if (narrow() && !addToggledByReader && document.querySelectorAll("#library .lib-card").length > 1) {
      const label = document.querySelector(ADD_LABEL);
      if (label && label.classList.contains("open")) label.click();
    }
    if (!narrow() && !settleLayout.focused) {
      const box = document.querySelector("#question textarea");
      if (box && document.activeElement === document.body) box.focus({ preventScroll: true });
      settleLayout.focused = Boolean(box);
    }
  }

  function libraryUpdated() {
    settleLayout();
  }

  window.addEventListener("hashchange", followLink);
  // The library's first page comes in the page's HTML, so no change of its value may follow: settle
  // the layout once it is drawn (a change later settles it again, as before).
  const settleWhenDrawn = () => {
    const drawn = document.querySelector("#library .lib-card") && document.querySelector("#question textarea")
      && document.querySelector(ADD_LABEL);
    if (drawn) settleLayout();
    else setTimeout(settleWhenDrawn, 100);
  };
  const start = () => {
    watchServer();
    followLink();
    settleWhenDrawn();
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();

  window.articleAssistant = { focusSentence, showCited, chatUpdated, libraryUpdated, settleLayout, checkServer };
})();
