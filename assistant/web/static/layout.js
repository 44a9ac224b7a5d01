// Article Assistant web chat, layout and reading in place (loaded after web.js):
// - laptop: the library folds to a narrow rail; phone: the library is a drawer, the article a sheet;
// - citation chips show the cited sentence with its neighbours in a popover (the article view
//   does not move); "Open in article" scrolls the article to it;
// - a question is only sent when the server answers; otherwise it is kept and sent on reconnect,
//   or marked "not sent" with "Ask again";
// - a question cut at the length limit says so.
// Everything put in the page here is fixed text or goes through textContent / dataset, never innerHTML.
(() => {
  if (window.articleLayout) return;
  const aa = () => window.articleAssistant;
  const NARROW = "(max-width: 760px)";
  const narrow = () => window.matchMedia(NARROW).matches;
  const body = () => document.body;

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // -- laptop: the library as a rail ------------------------------------------------------------

  const RAIL_KEY = "article-assistant-rail";
  function setRail(on) {
    body().classList.toggle("aa-rail", on);
    const btn = document.getElementById("rail-toggle");
    if (btn) {
      btn.textContent = on ? "»" : "«";
      btn.setAttribute("aria-expanded", on ? "false" : "true");
      btn.title = on ? "Show the library" : "Fold the library to a narrow rail";
    }
    try { localStorage.setItem(RAIL_KEY, on ? "1" : "0"); } catch (e) { /* private mode */ }
  }

  // -- phone: the library as a drawer, the article as a sheet ---------------------------------

  // The state classes go on the main row too: Gradio scopes rules inside @media to the app's
  // container, so "body.aa-drawer …" would never match there.
  function mark(name, on) {
    body().classList.toggle(name, on);
    document.getElementById("main-row")?.classList.toggle(name, on);
    document.getElementById("phone-bar")?.classList.toggle(name, on);
    document.getElementById("aa-shade")?.classList.toggle(name, on);
  }

  function setDrawer(open) {
    mark("aa-drawer", open);
    const btn = document.getElementById("drawer-open");
    if (btn) btn.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) aa()?.settleLayout?.();  // the drawer shows the library, not an open "Add" form
  }

  function setSheet(open) {
    mark("aa-sheet", open);
    const btn = document.getElementById("sheet-open");
    if (btn) btn.setAttribute("aria-expanded", open ? "true" : "false");
  }

  function phoneBar() {
    if (document.getElementById("phone-bar")) return;
    const bar = el("div", "phone-bar");
    bar.id = "phone-bar";
    const lib = el("button", "phone-btn", "☰ Library");
    lib.type = "button";
    lib.id = "drawer-open";
    const art = el("button", "phone-btn", "Article");
    art.type = "button";
    art.id = "sheet-open";
    bar.append(lib, art);
    // Inside the app's container: Gradio scopes the page's styles for narrow screens to it.
    const home = document.querySelector(".gradio-container .contain");
    if (!home) return;
    home.prepend(bar);
    const shade = el("div", "aa-shade");
    shade.id = "aa-shade";
    home.appendChild(shade);
  }

  function sheetHandle() {
    const panel = document.getElementById("article-panel");
    if (!panel || panel.querySelector(".sheet-close")) return;
    const close = el("button", "sheet-close", "Close ✕");
    close.type = "button";
    close.id = "sheet-close";
    panel.prepend(close);
  }

  // -- citations in place --------------------------------------------------------------------

  let pop = null;
  let popFor = null;
  let pinned = false;
  let hideTimer = null;

  function cited(marker) {
    const id = marker.dataset.target;
    const sentence = id && document.getElementById(id);
    const tip = marker.dataset.tip || marker.title || "";
    if (!marker.dataset.tip && marker.title) {
      marker.dataset.tip = marker.title; // the popover replaces the browser's tooltip
      marker.removeAttribute("title");
    }
    if (!sentence) {
      const text = tip.replace(/^s\d+: /, "");
      return { title: "", before: "", text, after: "", id };
    }
    const article = sentence.closest("[data-article-id]");
    const all = article ? Array.from(article.querySelectorAll(".sentence")) : [sentence];
    const i = all.indexOf(sentence);
    const title = article ? article.querySelector(".article-title")?.textContent || "" : "";
    return {
      title,
      before: i > 0 ? all[i - 1].textContent : "",
      text: sentence.textContent,
      after: i >= 0 && i < all.length - 1 ? all[i + 1].textContent : "",
      id,
    };
  }

  function hidePopover() {
    if (pop) pop.hidden = true;
    popFor = null;
    pinned = false;
  }

  function showPopover(marker, pin) {
    clearTimeout(hideTimer);
    const c = cited(marker);
    if (!pop) {
      pop = el("div", "cite-pop");
      pop.id = "cite-pop";
      pop.setAttribute("role", "dialog");
      pop.addEventListener("mouseenter", () => clearTimeout(hideTimer));
      pop.addEventListener("mouseleave", () => { if (!pinned) hideTimer = setTimeout(hidePopover, 250); });
      document.body.appendChild(pop);
    }
    pop.replaceChildren();
    if (c.title) pop.append(el("div", "cite-pop-title", c.title));
    const text = el("p", "cite-pop-text");
    if (c.before) text.append(el("span", "cite-pop-near", c.before + " "));
    text.append(el("mark", "cite-pop-cited", c.text));
    if (c.after) text.append(el("span", "cite-pop-near", " " + c.after));
    pop.append(text);
    if (c.id && document.getElementById(c.id)) {
      const open = el("button", "cite-pop-open", "Open in article");
      open.type = "button";
      open.dataset.open = c.id;
      pop.append(open);
    }
    pop.hidden = false;
    popFor = marker;
    pinned = Boolean(pin);
    place(marker);
  }

  function place(marker) {
    const r = marker.getBoundingClientRect();
    const w = Math.min(420, window.innerWidth - 16);
    pop.style.width = `${w}px`;
    const left = Math.max(8, Math.min(r.left + r.width / 2 - w / 2, window.innerWidth - w - 8));
    pop.style.left = `${left}px`;
    const h = pop.offsetHeight;
    const below = r.bottom + 8;
    const top = below + h <= window.innerHeight - 8 ? below : Math.max(8, r.top - h - 8);
    pop.style.top = `${top}px`;
  }

  function openInArticle(id) {
    hidePopover();
    const go = () => { if (aa()) aa().focusSentence(id); };
    if (narrow() && !body().classList.contains("aa-sheet")) {
      setSheet(true);
      setTimeout(go, 260); // once the sheet has slid in (0.2 s)
    } else {
      requestAnimationFrame(go);
    }
  }

  // -- questions: kept when the server is away ------------------------------------------------

  const UNSENT_KEY = "article-assistant-unsent";
  let resending = false;
  let held = null;
  let waiting = false; // a question waits for the Ask button to be enabled

  function noticeBox() {
    return document.querySelector("#question-limit .question-limit");
  }

  function showNotice(message, withRetry) {
    const box = noticeBox();
    if (!box) return;
    box.replaceChildren(el("span", "", message));
    if (withRetry) {
      const retry = el("button", "retry unsent-retry", "Ask again");
      retry.type = "button";
      box.append(" ", retry);
    }
    box.classList.toggle("shown", Boolean(message));
    box.classList.toggle("unsent", Boolean(withRetry) || Boolean(held));
  }

  function restarted() {
    const banner = document.getElementById("connection-banner");
    return Boolean(banner && !banner.hidden && banner.dataset.kind === "restarted");
  }

  function questionBox() { return document.querySelector("#question textarea"); }

  function send(question) {
    const box = questionBox();
    if (!box) return;
    if (question !== undefined && box.value !== question) {
      box.value = question;
      box.dispatchEvent(new Event("input", { bubbles: true }));
    }
    held = null; // no more retries; kept in localStorage until it is sent, in case the page goes
    if (waiting) return;
    waiting = true;
    const fire = () => {
      const ask = document.querySelector("#ask-btn");
      if (ask && ask.disabled) {
        // A restarted server loads its model first ("Getting ready…"): a click now would be lost.
        showNotice("Your question is sent as soon as the model is ready.", false);
        setTimeout(fire, 250);
        return;
      }
      waiting = false;
      try { localStorage.removeItem(UNSENT_KEY); } catch (e) { /* private mode */ }
      showNotice("", false);
      resending = true;
      try { ask?.click(); } finally { resending = false; }
    };
    setTimeout(fire, 50); // let Gradio see the new value before the click
  }

  function hold(question) {
    held = question;
    try { localStorage.setItem(UNSENT_KEY, question); } catch (e) { /* private mode */ }
    if (restarted()) {
      showNotice("Not sent: the server restarted. Reload the page; your question is kept.", false);
    } else {
      showNotice("Not sent yet: no connection to the server. It is sent when the connection is back.", true);
    }
    const again = () => {
      if (held !== question) return;
      aa().checkServer().then((ok) => {
        if (held !== question) return;
        if (ok && !restarted()) send(question);
        else setTimeout(again, 2000);
      });
    };
    setTimeout(again, 2000);
  }

  function gate(event) {
    if (resending || event.defaultPrevented) return;
    const box = questionBox();
    const ask = document.querySelector("#ask-btn");
    if (!box || !ask || ask.disabled || !box.value.trim()) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    const question = box.value;
    aa().checkServer().then((ok) => {
      if (ok && !restarted()) send(undefined);
      else hold(question);
    });
  }

  function restoreUnsent() {
    let question = null;
    try { question = localStorage.getItem(UNSENT_KEY); } catch (e) { question = null; }
    const box = questionBox();
    if (!question || !box) return;
    box.value = question;
    box.dispatchEvent(new Event("input", { bubbles: true }));
    held = question;
    showNotice("This question was not sent (the server was away).", true);
  }

  // -- the library re-rendered -----------------------------------------------------------------

  let shownKey = null;
  // A new search or page starts at its top; otherwise the selected card is kept in view.
  function libraryShown() {
    const box = document.getElementById("library");
    const list = box && box.querySelector(".library");
    if (!list) return;
    const key = `${list.dataset.query || ""}\u0000${list.dataset.currentPage || "0"}`;
    if (key !== shownKey) {
      shownKey = key;
      box.scrollTop = 0;
      return;
    }
    const selected = list.querySelector(".lib-card.selected");
    if (selected) {
      const r = selected.getBoundingClientRect();
      const b = box.getBoundingClientRect();
      if (r.top < b.top || r.bottom > b.bottom) selected.scrollIntoView({ block: "nearest" });
    }
  }

  // -- events ---------------------------------------------------------------------------------

  document.addEventListener("click", (event) => {
    const t = event.target;
    if (t.closest("#ask-btn")) { gate(event); return; }
    const marker = t.closest(".cite-marker");
    if (marker) {
      event.preventDefault();
      event.stopPropagation();
      if (popFor === marker && pinned) hidePopover();
      else showPopover(marker, true);
      return;
    }
    const open = t.closest("[data-open]");
    if (open) { event.preventDefault(); event.stopPropagation(); openInArticle(open.dataset.open); return; }
    if (t.closest(".unsent-retry")) {
      event.preventDefault();
      send(held || questionBox()?.value || "");
      return;
    }
    if (t.closest("#rail-toggle")) { setRail(!body().classList.contains("aa-rail")); return; }
    if (t.closest("#drawer-open")) { setDrawer(!body().classList.contains("aa-drawer")); return; }
    if (t.closest("#sheet-open")) { setSheet(!body().classList.contains("aa-sheet")); return; }
    if (t.closest("#sheet-close")) { setSheet(false); return; }
    if (t.closest("#aa-shade")) { setDrawer(false); setSheet(false); return; }
    if (pop && !pop.hidden && !t.closest("#cite-pop")) hidePopover();
    // Phone: choosing an article closes the drawer and shows its chat.
    if (narrow() && t.closest("#library .lib-card")) {
      setDrawer(false);
      window.scrollTo({ top: 0 });
    }
    // Phone: a sentence shown from the citation list opens the sheet first.
    const target = t.closest("li.citation[data-target]");
    if (target && narrow()) setSheet(true);
  }, true);

  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") { hidePopover(); setDrawer(false); setSheet(false); return; }
    if (event.key !== "Enter" || event.shiftKey || event.isComposing) return;
    if (event.target.closest("#question")) gate(event);
  }, true);

  document.addEventListener("mouseover", (event) => {
    if (!window.matchMedia("(hover: hover)").matches) return;
    const marker = event.target.closest(".cite-marker");
    if (marker && marker !== popFor) showPopover(marker, false);
  });
  document.addEventListener("mouseout", (event) => {
    const marker = event.target.closest(".cite-marker");
    if (marker && !pinned && !(event.relatedTarget && event.relatedTarget.closest("#cite-pop"))) {
      hideTimer = setTimeout(hidePopover, 250);
    }
  });
  window.addEventListener("resize", hidePopover);
  document.addEventListener("scroll", () => { if (pop && !pop.hidden && popFor) place(popFor); }, true);

  // The length limit: the box takes no more, and says that the rest was cut.
  document.addEventListener("input", (event) => {
    const box = event.target.closest("#question textarea");
    if (!box) return;
    const limit = Number(noticeBox()?.dataset.limit || 0);
    if (limit && box.value.length >= limit) {
      showNotice(`Questions stop at ${limit.toLocaleString("en")} characters: the rest was cut.`, false);
    }
  });

  function start() {
    let rail = false;
    try { rail = localStorage.getItem(RAIL_KEY) === "1"; } catch (e) { rail = false; }
    const ready = () => {
      const toggle = document.getElementById("rail-toggle");
      const panel = document.getElementById("article-panel");
      if (!toggle || !panel || !questionBox()) { setTimeout(ready, 100); return; }
      phoneBar();
      setRail(rail && !narrow());
      sheetHandle();
      restoreUnsent();
    };
    ready();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();

  window.articleLayout = { setRail, setDrawer, setSheet, showPopover, hidePopover, libraryShown };
})();
