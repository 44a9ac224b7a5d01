// Article Assistant: while an answer is being written, Stop takes Ask's place (the server ends the
// model's stream and keeps what was shown). Watches the chat for its streaming message; no HTML made.
(() => {
  if (window.articleAssistantStop) return;
  const update = () => {
    const busy = !!document.querySelector("#chat .msg.bot.streaming");
    // On the row holding Ask and Stop, not <body>: Gradio scopes the page's CSS inside its app.
    const stop = document.getElementById("stop-btn");
    const row = stop && stop.parentElement;
    if (row && row.classList.contains("aa-answering") !== busy) row.classList.toggle("aa-answering", busy);
  };
  const start = () => new MutationObserver(update).observe(document.body, { childList: true, subtree: true });
  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start);
  window.articleAssistantStop = { update };
})();
