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
  var thanksText = document.getElementById("kiosk-thanks-text");
  var dialog = document.getElementById("still-there");
  var questions = Array.prototype.slice.call(form.querySelectorAll("[data-question]"));
  var actions = document.getElementById("kiosk-actions");
  var sendButton = actions.querySelector("button[value=send]");
  var step = 0;
  var syncing = false;
  var idleTimer = null;
  var warnTimer = null;

  /* --- The queue: localStorage survives a reload, a crash or a power cut. ---
     An item is {idempotency_key, answered_at, day, language, answers} plus, once the server has
     refused it, {refused: <HTTP status>, tried_at: <ms>}. Items queued by older versions of this
     script have no answered_at: they are sent as they are. */
  var REFUSED_RETRY_MS = 5 * 60 * 1000; /* refused items are tried again this often, */
  var retryRefused = true; /* and on start-up and whenever a new answer is queued */
  var REQUEST_TIMEOUT_MS = 30000; /* a request that hangs is given up (the item is kept) */
  var again = false;
  var forcing = false;
  var thanksKey = null; /* the answer the thank-you screen is about */

  function load() {
    try {
      var queue = JSON.parse(localStorage.getItem(queueKey) || "[]");
      return Array.isArray(queue) ? queue : [];
    } catch (e) {
      return [];
    }
  }
  function save(queue) {
    try {
      localStorage.setItem(queueKey, JSON.stringify(queue));
    } catch (e) {
      /* storage full or refused: what was stored before stays; the sync must not stop here */
    }
    showStatus(load());
  }
  function update(key, change) {
    save(load().map(function (item) {
      return item.idempotency_key === key ? change(item) : item;
    }));
  }
  function fill(template, n) {
    return template.replace("%(n)s", String(n));
  }
  /* Never "all sent" while anything is left: what waits, what was refused, and what to do. */
  function showStatus(queue) {
    var waiting = 0;
    var refused = 0;
    var revoked = false;
    queue.forEach(function (item) {
      if (item.refused === 401) {
        revoked = true;
      }
      if (item.refused) {
        refused += 1;
      } else {
        waiting += 1;
      }
    });
    var parts = [];
    if (revoked) {
      parts.push(fill(data.revokedText, queue.length));
    } else {
      if (waiting) {
        parts.push(fill(data.pendingText, waiting));
      }
      if (refused) {
        parts.push(fill(data.refusedText, refused));
      }
    }
    var text = parts.length ? parts.join("\n") : data.syncedText; /* one line each (pre-line) */
    if (statusBox.textContent !== text) {
      statusBox.textContent = text; /* only changes are announced */
    }
    statusBox.classList.toggle("pending", queue.length > 0 && !refused);
    statusBox.classList.toggle("refused", refused > 0);
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
  function localDay(now) {
    var month = ("0" + (now.getMonth() + 1)).slice(-2);
    var day = ("0" + now.getDate()).slice(-2);
    return now.getFullYear() + "-" + month + "-" + day;
  }

  /* Exactly what the server gets, the same on every try (a different body under the same key is
     a 409). answered_at is the moment of the answer: the server derives the day from it, in the
     observatory's time zone, as for every channel; day is for servers that predate answered_at. */
  function body(item) {
    var sent = { idempotency_key: item.idempotency_key, language: item.language, answers: item.answers };
    if (item.answered_at) {
      sent.answered_at = item.answered_at;
    }
    if (item.day) {
      sent.day = item.day;
    }
    return JSON.stringify(sent);
  }
  function due(item, now) {
    var since = now - (item.tried_at || 0); /* negative if the clock was set back: try again */
    return !item.refused || retryRefused || since >= REFUSED_RETRY_MS || since < 0;
  }
  function post(item) {
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller && window.setTimeout(function () { controller.abort(); }, REQUEST_TIMEOUT_MS);
    return fetch(data.api, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: "Bearer " + data.token },
      body: body(item),
      credentials: "omit",
      cache: "no-store",
      redirect: "error", /* a captive portal's redirect is not the server's answer */
      signal: controller ? controller.signal : undefined
    }).then(function (reply) {
      window.clearTimeout(timer);
      return reply.status;
    }, function () {
      window.clearTimeout(timer);
      return 0; /* no answer at all: offline, timed out, or the reply was lost */
    });
  }
  function stored(key) {
    save(load().filter(function (item) {
      return item.idempotency_key !== key;
    }).map(function (item) {
      if (item.refused === 401) {
        delete item.refused; /* the tablet is enrolled after all: send them normally */
      }
      return item;
    }));
    if (key === thanksKey && !thanks.hidden) {
      thanksText.textContent = data.thanksSentText;
    }
  }
  function refuse(key, status) {
    var now = Date.now();
    update(key, function (item) {
      item.refused = status || item.refused;
      item.tried_at = now;
      return item;
    });
  }
  function revokedAll() {
    var now = Date.now();
    save(load().map(function (item) {
      item.refused = item.refused || 401;
      item.tried_at = now;
      return item;
    }));
  }

  /* Send the queue in order. An item leaves it only once the server has it: 201 (stored) or 200
     (already stored: a retry after a lost reply, made harmless by the idempotency key). Any other
     answer keeps it. 408, 429, 502-504 and no answer at all mean "later": the pass stops and the next
     tick (or the network coming back) tries again. Another 4xx is a refusal of that item: it is
     marked, the next items still go, and it is tried again less often (REFUSED_RETRY_MS, on
     start-up, when a new answer is queued). 401 means the tablet is no longer enrolled: every
     item is kept and marked, and the status says so. */
  function sync() {
    if (syncing) {
      return; /* the pass under way carries on; a new answer asks for another (again) */
    }
    var now = Date.now();
    var queue = load();
    var todo = queue.filter(function (item) { return due(item, now); });
    forcing = retryRefused;
    retryRefused = false;
    again = false;
    showStatus(queue);
    if (!todo.length) {
      return;
    }
    syncing = true;
    sendFrom(todo, 0);
  }
  function finish(stopped) {
    syncing = false;
    if (stopped && forcing) {
      retryRefused = true; /* the pass did not get that far: next time */
    }
    showStatus(load());
    if (again && !stopped) {
      sync();
    }
    again = false;
  }
  function sendFrom(todo, index) {
    if (index >= todo.length) {
      finish(false);
      return;
    }
    var item = todo[index];
    post(item).then(function (status) {
      if (status === 201 || status === 200) {
        stored(item.idempotency_key);
      } else if (!status || [408, 429, 502, 503, 504].indexOf(status) >= 0) {
        if (item.refused) {
          refuse(item.idempotency_key, 0); /* still refused, tried again later */
        }
        finish(true);
        return;
      } else if (status === 401) {
        revokedAll();
        finish(true);
        return;
      } else if (status >= 400 && status < 500) {
        refuse(item.idempotency_key, status);
      } else if (item.refused) {
        refuse(item.idempotency_key, 0); /* still refused, tried again later */
      } /* else a 500 or anything unexpected: kept as it is, tried again on the next tick */
      sendFrom(todo, index + 1);
    }).catch(function () {
      syncing = false; /* never wedged: the next tick starts a new pass */
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
    var now = new Date();
    var key = newKey();
    var queue = load();
    queue.push({
      idempotency_key: key,
      answered_at: now.toISOString(),
      day: localDay(now),
      language: data.lang,
      answers: answers
    });
    save(queue);
    retryRefused = true; /* a new answer is also the moment to try the refused ones again */
    again = true; /* if a pass is under way, another one right after it */
    sync();
    return key;
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
    thanksKey = null;
    thanksText.textContent = data.thanksPendingText;
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
    /* Only queued so far: "va être envoyée", until the server confirms (see stored()). */
    thanksText.textContent = data.thanksPendingText;
    thanksKey = enqueue(collect());
    /* No "still there?" over the thank-you screen (that would queue the answer twice): the
       inactivity timer starts again with the next person (restart). */
    window.clearTimeout(idleTimer);
    window.clearTimeout(warnTimer);
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
    if (!thanks.hidden) {
      return; /* the answer is queued already; restart() arms the timer again */
    }
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
  showStatus(load());
  armIdle();
  sync();
})();
