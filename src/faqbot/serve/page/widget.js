// Embed faqbot on any page: <script src="https://your-faqbot/widget.js" defer></script>
// A floating button opens the chat page (served by the same faqbot) in an iframe.
"use strict";
(() => {
  const script = document.currentScript;
  const origin = new URL(script ? script.src : "/", window.location.href);
  const base = new URL(".", origin).href;
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = "Ask a question";
  button.setAttribute("aria-expanded", "false");
  button.style.cssText = "position:fixed;right:1rem;bottom:1rem;z-index:2147483646;padding:.7rem 1rem;" +
    "border-radius:2rem;border:none;background:#1a5fd0;color:#fff;font:inherit;cursor:pointer";
  const frame = document.createElement("iframe");
  frame.title = "faqbot chat";
  frame.src = base;
  frame.hidden = true;
  frame.style.cssText = "position:fixed;right:1rem;bottom:4.5rem;z-index:2147483647;width:min(26rem,92vw);" +
    "height:min(36rem,75vh);border:1px solid #ccc;border-radius:.75rem;background:#fff";
  button.addEventListener("click", () => {
    frame.hidden = !frame.hidden;
    button.setAttribute("aria-expanded", String(!frame.hidden));
  });
  document.body.appendChild(frame);
  document.body.appendChild(button);
})();
