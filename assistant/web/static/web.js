// Article Assistant web chat: citation markers scroll the article view to their sentence.
// Loaded once in <head>; works by event delegation, so re-rendered HTML needs no re-binding.
(() => {
  if (window.articleAssistant) return;

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

  // Highlight one sentence strongly (the clicked citation) and bring it into view.
  function focusSentence(id) {
    const el = document.getElementById(id);
    if (!el) return false;
    document.querySelectorAll(".sentence.focus").forEach((s) => s.classList.remove("focus"));
    el.classList.remove("flash");
    void el.offsetWidth; // restart the flash animation
    el.classList.add("focus", "flash");
    reveal(el, true);
    return true;
  }

  // After an answer, the article view re-renders: scroll to its first cited sentence.
  function showCited(root) {
    const view = (root || document).querySelector(".article-view[data-focus]");
    const id = view && view.dataset.focus;
    if (!id) return;
    const el = document.getElementById(id);
    if (el) requestAnimationFrame(() => reveal(el, true));
  }

  document.addEventListener("click", (event) => {
    const trigger = event.target.closest("[data-target]");
    if (!trigger) return;
    event.preventDefault();
    if (!focusSentence(trigger.dataset.target)) {
      trigger.classList.add("missing");
      trigger.title = "This sentence's article is not in the article view (it may have been removed).";
    }
  });

  window.articleAssistant = { focusSentence, showCited };
})();
