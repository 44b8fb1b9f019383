/* Optional read-aloud of the questions with the browser's own speech synthesis.
   Off by default; nothing happens (and nothing is shown) where the browser cannot speak. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-read-aloud]");
  if (!form || !("speechSynthesis" in window)) {
    return;
  }
  var lang = document.documentElement.lang || "fr";
  var toggle = document.createElement("button");
  toggle.type = "button";
  toggle.className = "button secondary read-aloud-toggle";
  toggle.textContent = form.dataset.readAloud;
  toggle.setAttribute("aria-pressed", "false");
  form.parentNode.insertBefore(toggle, form);
  var memory = document.createElement("input");
  memory.type = "hidden";
  memory.name = "voice";
  memory.value = "0";
  form.appendChild(memory);

  function textOf(question) {
    var parts = [];
    var title = question.querySelector("legend, label.legend");
    if (title) {
      parts.push(title.textContent.trim());
    }
    question.querySelectorAll(".option label").forEach(function (label) {
      parts.push(label.textContent.trim());
    });
    return parts.join(". ");
  }
  function speak(text) {
    window.speechSynthesis.cancel();
    var utterance = new SpeechSynthesisUtterance(text);
    utterance.lang = lang;
    utterance.rate = 0.9; /* a little slower than usual: easier to follow */
    window.speechSynthesis.speak(utterance);
  }
  function setOn(on) {
    toggle.setAttribute("aria-pressed", on ? "true" : "false");
    memory.value = on ? "1" : "0";
    form.querySelectorAll("[data-question]").forEach(function (question) {
      var existing = question.querySelector(".listen");
      if (on && !existing) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "listen button secondary";
        button.textContent = form.dataset.listen;
        button.addEventListener("click", function () { speak(textOf(question)); });
        var title = question.querySelector("legend, label.legend");
        (title ? title.parentNode : question).insertBefore(button, title ? title.nextSibling : question.firstChild);
      } else if (!on && existing) {
        existing.remove();
      }
    });
    if (!on) {
      window.speechSynthesis.cancel();
    }
  }
  toggle.addEventListener("click", function () {
    setOn(toggle.getAttribute("aria-pressed") !== "true");
  });
  setOn(form.dataset.voice === "1");
})();
