/* Kiosk enhancement: one question per screen, answers queued on the device and sent exactly once.
   Without this script the kiosk is the plain server-rendered form, which works on its own. */
(function () {
  "use strict";
  var root = document.querySelector("[data-kiosk]");
  var form = root && root.querySelector("form");
  if (!root || !form) {
    return;
  }
  var data = root.dataset;
  var queueKey = "observatory.kiosk.queue." + data.kiosk;
  var statusBox = document.getElementById("kiosk-status");
  var progress = document.getElementById("kiosk-progress");
  var errorBox = document.getElementById("kiosk-error");
  var formBox = document.getElementById("kiosk-form");
  var thanks = document.getElementById("kiosk-thanks");
  var dialog = document.getElementById("still-there");
  var questions = Array.prototype.slice.call(form.querySelectorAll("[data-question]"));
  var actions = document.getElementById("kiosk-actions");
  var sendButton = actions.querySelector("button[value=send]");
  var step = 0;
  var syncing = false;
  var idleTimer = null;
  var warnTimer = null;

  /* --- The queue: localStorage survives a reload, a crash or a power cut. --- */
  function load() {
    try {
      return JSON.parse(localStorage.getItem(queueKey) || "[]");
    } catch (e) {
      return [];
    }
  }
  function save(queue) {
    localStorage.setItem(queueKey, JSON.stringify(queue));
    showStatus(queue.length);
  }
  function showStatus(pending) {
    var text = pending ? data.pendingText.replace("%(n)s", String(pending)) : data.syncedText;
    if (statusBox.textContent !== text) {
      statusBox.textContent = text; /* only changes are announced */
    }
    statusBox.classList.toggle("pending", pending > 0);
  }
  function newKey() {
    if (window.crypto && crypto.randomUUID) {
      return crypto.randomUUID();
    }
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }
  function localDay() {
    var now = new Date();
    var month = ("0" + (now.getMonth() + 1)).slice(-2);
    var day = ("0" + now.getDate()).slice(-2);
    return now.getFullYear() + "-" + month + "-" + day;
  }

  /* Send the queue in order; an item leaves it only once the server has it (or refuses it for
     good). The idempotency key makes a retry after a lost reply harmless. */
  function sync() {
    if (syncing) {
      return;
    }
    var queue = load();
    if (!queue.length) {
      showStatus(0);
      return;
    }
    syncing = true;
    var item = queue[0];
    fetch(data.api, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: "Bearer " + data.token },
      body: JSON.stringify(item),
      credentials: "omit",
      cache: "no-store"
    })
      .then(function (reply) {
        syncing = false;
        if (reply.status === 201 || reply.status === 200 || reply.status === 422) {
          save(load().filter(function (x) { return x.idempotency_key !== item.idempotency_key; }));
          sync();
        } else {
          showStatus(load().length);
        }
      })
      .catch(function () {
        syncing = false; /* offline: kept, retried on the next tick or when back online */
        showStatus(load().length);
      });
  }

  function collect() {
    var answers = {};
    new FormData(form).forEach(function (value, name) {
      if (!form.querySelector("[data-question='" + name + "']") || !String(value).trim()) {
        return;
      }
      (answers[name] = answers[name] || []).push(String(value));
    });
    return answers;
  }
  function enqueue(answers) {
    var queue = load();
    queue.push({ idempotency_key: newKey(), day: localDay(), language: data.lang, answers: answers });
    save(queue);
    sync();
  }

  /* --- One question per screen. --- */
  var prev = document.createElement("button");
  prev.type = "button";
  prev.className = "button secondary";
  prev.textContent = data.prevText;
  var next = document.createElement("button");
  next.type = "button";
  next.className = "button";
  next.textContent = data.nextText;
  actions.insertBefore(next, sendButton);
  actions.insertBefore(prev, next);

  function firstAnswered() {
    return Boolean(collect()[questions[0].dataset.question]);
  }
  function show(index) {
    step = Math.max(0, Math.min(index, questions.length - 1));
    questions.forEach(function (q, i) { q.hidden = i !== step; });
    prev.hidden = step === 0;
    next.hidden = step === questions.length - 1;
    sendButton.hidden = step === 0 && questions.length > 1;
    sendButton.classList.toggle("secondary", step < questions.length - 1);
    progress.hidden = false;
    progress.textContent = data.progressText
      .replace("%(n)s", String(step + 1))
      .replace("%(total)s", String(questions.length));
    clearRequired();
  }
  function focusStep() {
    var target = questions[step].querySelector("legend, label");
    if (target) {
      target.setAttribute("tabindex", "-1");
      target.focus();
    }
  }
  function showRequired() {
    var first = questions[0];
    var title = first.querySelector("legend, label.legend");
    errorBox.textContent = (title ? title.textContent.trim() + " : " : "") + data.requiredText;
    errorBox.hidden = false;
    first.setAttribute("aria-describedby", "kiosk-error");
    first.querySelectorAll("input").forEach(function (input) {
      input.setAttribute("aria-invalid", "true");
    });
    var firstInput = first.querySelector("input, textarea");
    if (firstInput) {
      firstInput.focus();
    }
  }
  function clearRequired() {
    errorBox.hidden = true;
    questions[0].removeAttribute("aria-describedby");
    questions[0].querySelectorAll("input").forEach(function (input) {
      input.removeAttribute("aria-invalid");
    });
  }
  next.addEventListener("click", function () {
    if (step === 0 && !firstAnswered()) {
      showRequired();
      return;
    }
    show(step + 1);
    focusStep();
  });
  prev.addEventListener("click", function () {
    show(step - 1);
    focusStep();
  });

  function restart() {
    form.reset();
    thanks.hidden = true;
    formBox.hidden = false;
    show(0);
    var heading = formBox.querySelector("h1");
    heading.setAttribute("tabindex", "-1");
    heading.focus();
    armIdle();
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!firstAnswered()) {
      show(0);
      showRequired();
      return;
    }
    enqueue(collect());
    formBox.hidden = true;
    thanks.hidden = false;
    thanks.focus();
    /* The thank-you screen is also the minimum interval between two answers. */
    window.setTimeout(restart, Number(data.pauseSeconds) * 1000);
  });

  /* --- Inactivity: ask first (RGAA 13.1), then keep what was answered and start again. --- */
  function armIdle() {
    window.clearTimeout(idleTimer);
    window.clearTimeout(warnTimer);
    idleTimer = window.setTimeout(askStillThere, Number(data.idleSeconds) * 1000);
  }
  function askStillThere() {
    var answers = collect();
    if (!Object.keys(answers).length && step === 0) {
      armIdle();
      return;
    }
    if (!dialog.open) {
      dialog.showModal();
    }
    warnTimer = window.setTimeout(function () {
      dialog.close();
      if (firstAnswered()) {
        enqueue(collect()); /* the person walked away: their answers are kept, not lost */
      }
      restart();
    }, Number(data.warningSeconds) * 1000);
  }
  document.getElementById("more-time").addEventListener("click", function () {
    dialog.close();
    armIdle();
  });
  /* Escape closes the dialog too: that is also asking for more time (RGAA 13.1). */
  dialog.addEventListener("cancel", function () {
    armIdle();
  });
  ["pointerdown", "keydown", "input", "touchstart"].forEach(function (type) {
    document.addEventListener(type, function () {
      if (!dialog.open) {
        armIdle();
      }
    }, { passive: true });
  });

  var fullscreen = document.getElementById("fullscreen");
  if (document.documentElement.requestFullscreen) {
    fullscreen.hidden = false;
    fullscreen.addEventListener("click", function () {
      document.documentElement.requestFullscreen().catch(function () {});
    });
  }

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/kiosk/sw.js", { scope: "/kiosk/" }).catch(function () {});
  }
  window.addEventListener("online", sync);
  window.setInterval(sync, 5000);
  show(0);
  showStatus(load().length);
  armIdle();
  sync();
})();
