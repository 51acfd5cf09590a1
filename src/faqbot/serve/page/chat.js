// faqbot's chat page. Untrusted text (questions, answers, corpus text) only ever goes in as textContent.
"use strict";
(() => {
  const log = document.getElementById("log");
  const form = document.getElementById("ask");
  const input = document.getElementById("question");
  const typing = document.getElementById("typing");
  let context = null;

  const el = (tag, props = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (key === "text") node.textContent = value;
      else if (key === "on") node.addEventListener("click", value);
      else node.setAttribute(key, value);
    }
    for (const child of children) if (child) node.appendChild(child);
    return node;
  };
  const scroll = () => { log.scrollTop = log.scrollHeight; };
  const say = (item) => { log.appendChild(item); scroll(); return item; };

  async function post(path, body) {
    const response = await fetch(path, { method: "POST", headers: { "content-type": "application/json" },
                                         body: JSON.stringify(body) });
    let data = null;
    try { data = await response.json(); } catch (e) { data = null; }
    if (!response.ok) {
      const failure = new Error((data && data.error) || `the server answered ${response.status}`);
      failure.code = data && data.code;
      throw failure;
    }
    return data;
  }

  function citations(answer) {
    if (!answer.citations.length || answer.kind !== "answer") return null;
    const list = el("ol", { class: "citations" });
    answer.citations.forEach((c, n) => {
      const lines = c.start_line === c.end_line ? `${c.start_line}` : `${c.start_line}-${c.end_line}`;
      const quote = el("blockquote", { text: c.quote, hidden: "" });
      const toggle = el("button", { type: "button", "aria-expanded": "false",
        text: `[${n + 1}] ${c.section} (${c.source}:${lines})`,
        on: () => {
          const open = quote.hasAttribute("hidden");
          if (open) quote.removeAttribute("hidden"); else quote.setAttribute("hidden", "");
          toggle.setAttribute("aria-expanded", String(open));
        } });
      list.appendChild(el("li", {}, toggle, quote));
    });
    return list;
  }

  function feedback(question, answer) {
    if (answer.kind !== "answer") return null;
    const box = el("div", { class: "feedback" }, el("span", { text: "Did this help? " }));
    const send = (helpful) => async () => {
      box.textContent = "Thanks for saying.";
      try {
        await post("v1/feedback", { question, helpful, entry_id: answer.matched ? answer.matched.id : null });
      } catch (e) { box.textContent = `Could not send that: ${e.message}`; }
    };
    box.appendChild(el("button", { type: "button", text: "Yes", on: send(true) }));
    box.appendChild(el("button", { type: "button", text: "No", on: send(false) }));
    return box;
  }

  // What a reply can pick (answer.options: a clarification's entries, or the one a decline offers) and
  // questions to try next (answer.suggestions, never picked by a reply), rendered from the data alone.
  function choices(answer) {
    const options = answer.options || [];
    const numbered = options.length > 1 || answer.kind === "clarify";
    const offered = new Set(options.map((o) => o.question));
    const picks = el("div", { class: "options" });
    options.forEach((o, n) => {
      const label = numbered ? `${n + 1}. ${o.question}` : `Yes: ${o.question}`;
      picks.appendChild(el("button", { type: "button", class: "option", text: label,
                                       on: () => ask(numbered ? String(n + 1) : "yes", label) }));
    });
    const chips = el("div", { class: "chips" });
    answer.suggestions.filter((text) => !offered.has(text)).forEach((text) => {
      chips.appendChild(el("button", { type: "button", class: "chip", text, on: () => ask(text) }));
    });
    const parts = [picks, chips].filter((box) => box.childNodes.length);
    return parts.length ? el("div", { class: "choices" }, ...parts) : null;
  }

  function showAnswer(question, answer) {
    const text = answer.kind === "clarify" ? answer.text.split("\n")[0] : answer.text;
    say(el("li", { class: "bot" }, el("p", { class: "text", text }), citations(answer), choices(answer),
           feedback(question, answer)));
  }

  async function ask(question, shown) {
    say(el("li", { class: "me" }, el("p", { class: "text", text: shown || question })));
    typing.hidden = false;
    try {
      let answer;
      try {
        answer = await post("v1/ask", { question, context });
      } catch (e) {
        // An expired conversation, or one from before the server restarted: start a new one.
        if (e.code !== "bad_context" || context === null) throw e;
        context = null;
        say(el("li", { class: "bot note" }, el("p", { class: "text", text: "(A new conversation: the last one ended.)" })));
        answer = await post("v1/ask", { question, context });
      }
      context = answer.context;
      showAnswer(question, answer);
    } catch (e) {
      say(el("li", { class: "bot error" }, el("p", { class: "text", text: `Sorry, that failed: ${e.message}` })));
    } finally {
      typing.hidden = true;
      input.focus();
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const question = input.value.trim();
    if (!question) return;
    input.value = "";
    ask(question);
  });
  document.getElementById("new").addEventListener("click", () => {
    context = null;
    log.replaceChildren();
    input.focus();
  });
  fetch("readyz").then((r) => r.json()).then((info) => {
    if (info && info.title) {
      document.getElementById("title").textContent = info.title;
      document.title = `${info.title} · faqbot`;
    }
  }).catch(() => {});
  input.focus();
})();
