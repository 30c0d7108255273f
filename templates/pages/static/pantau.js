/* Pantau's one small script: no framework, no build step. The pages work
   without it; with it, a form that fails to send keeps what was typed and
   resends with the same idempotency key, and GPS fields get a button.
   A monev visit form that cannot be sent (no signal) is kept on the phone
   in a queue (IndexedDB, photos included) and sent by itself, in order,
   each with its own key, when the connection returns; see queue below.
   The queue and the kept pages belong to the user who was signed in: a
   visit is sent and shown only while that same user is signed in again
   (another user of the phone neither sends nor sees it). */
(function () {
  "use strict";

  // ------------------------------------------------------------ the queue
  var DB = "pantau", STORE = "antrian";

  // Who is signed in on this page (none on the sign-in page), and their form token.
  var bar0 = document.getElementById("antrian");
  var me = bar0 ? bar0.dataset.user : "";
  var token = bar0 ? bar0.dataset.csrf : "";
  // This user's kept pages (sw.js keeps them under the same name).
  var PAGES = me ? "pantau-halaman-" + encodeURIComponent(me) : "";

  function openDb() {
    return new Promise(function (ok, fail) {
      var r = indexedDB.open(DB, 1);
      r.onupgradeneeded = function () { r.result.createObjectStore(STORE, { keyPath: "key" }); };
      r.onsuccess = function () { ok(r.result); };
      r.onerror = function () { fail(r.error); };
    });
  }

  // Runs fn(store) in one transaction; resolves with what fn's request gave.
  function inStore(mode, fn) {
    return openDb().then(function (db) {
      return new Promise(function (ok, fail) {
        var t = db.transaction(STORE, mode);
        var req = fn(t.objectStore(STORE));
        t.oncomplete = function () { ok(req ? req.result : undefined); db.close(); };
        t.onerror = function () { fail(t.error); db.close(); };
      });
    });
  }

  var queue = {
    all: function () {
      return inStore("readonly", function (s) { return s.getAll(); }).then(function (items) {
        return (items || []).sort(function (a, b) { return a.saved - b.saved; });
      });
    },
    // The visits of the user signed in now: anyone else's stay set aside.
    mine: function () {
      return queue.all().then(function (items) {
        return items.filter(function (i) { return me && i.user === me; });
      });
    },
    put: function (item) { return inStore("readwrite", function (s) { return s.put(item); }); },
    drop: function (key) { return inStore("readwrite", function (s) { return s.delete(key); }); }
  };

  // The form's fields as stored: [name, text or File] pairs.
  function entries(form) {
    var out = [];
    new FormData(form).forEach(function (v, k) { out.push([k, v]); });
    return out;
  }

  // Photos larger than one part go first in parts (POST /api/cases/{id}/uploads,
  // then PATCH each part), keyed by the form's key and the field, so a cut
  // connection resumes where it stopped; the form then names the stored file.
  var PART = 512 * 1024;
  function uploadInParts(caseId, key, file) {
    var base = "/api/cases/" + caseId + "/uploads";
    function answer(r) {
      if (r.status >= 500) throw new Error("server " + r.status);
      if (r.status === 400 || r.status === 403 || r.status === 404) return null;
      return r.json();
    }
    function next(up) {
      if (!up) return null;
      if (up.attachment) return up.attachment.id;
      return fetch(base + "/" + up.id, {
        method: "PATCH", credentials: "same-origin",
        headers: { "Upload-Offset": String(up.offset), "X-CSRF-Token": token },
        body: file.slice(up.offset, up.offset + PART)
      }).then(answer).then(next);
    }
    return fetch(base, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": token },
      body: JSON.stringify({ key: key, content_type: file.type || "image/jpeg", size: file.size })
    }).then(answer).then(next);
  }

  // The pairs with each large file replaced by the id it was stored under
  // (a file the server refuses in parts stays, for the form to say why).
  function bigFilesFirst(action, key, pairs) {
    var caseId = (action.match(/\/kasus\/([^/?#]+)\/aksi/) || [])[1];
    return pairs.reduce(function (p, e, i) {
      return p.then(function (out) {
        var big = caseId && e[0].indexOf("file.") === 0 && e[1] instanceof Blob && e[1].size > PART;
        if (!big) { out.push(e); return out; }
        return uploadInParts(caseId, key + ":" + e[0], e[1]).then(function (id) {
          out.push(id ? ["f." + e[0].slice(5), id] : e);
          return out;
        });
      });
    }, Promise.resolve([]));
  }

  function formData(pairs) {
    var data = new FormData();
    pairs.forEach(function (e) { data.append(e[0], e[1]); });
    return data;
  }

  function keep(form) {
    var h1 = document.querySelector("h1");
    var item = {
      user: me,
      key: form.elements._key.value,
      action: form.action,
      page: location.pathname + location.search,
      title: (h1 ? h1.textContent.trim() : document.title),
      label: form.querySelector("button.primary").textContent.trim(),
      entries: entries(form),
      saved: Date.now(),
      status: "waiting",
      reason: ""
    };
    return queue.put(item);
  }

  // The pairs with the form token of this session (the one saved with the
  // visit ended when its user signed out).
  function withToken(pairs) {
    return pairs.map(function (e) { return e[0] === "_csrf" ? ["_csrf", token] : e; });
  }

  function sendItem(item) {
    return bigFilesFirst(item.action, item.key, item.entries)
      .then(function (pairs) {
        item.entries = pairs; // a photo already stored is not sent again
        return queue.put(item);
      })
      .then(function () {
        return fetch(item.action, { method: "POST", body: formData(withToken(item.entries)), credentials: "same-origin" });
      })
      .then(function (r) {
        if (r.status >= 500) throw new Error("server " + r.status);
        // Sent to the sign-in page, or answered for someone else (signed in
        // meanwhile in another tab): nothing was taken; it waits for its user.
        var who = r.headers.get("X-Pantau-User");
        if (!who || decodeURIComponent(who) !== item.user) throw new Error("not signed in as " + item.user);
        if (r.redirected || r.ok) return queue.drop(item.key).then(function () { sentCount(1); });
        return r.text().then(function (html) {
          var doc = new DOMParser().parseFromString(html, "text/html");
          var said = Array.from(doc.querySelectorAll("details.action[open] .alert, .page > .alert"))
            .map(function (p) { return p.textContent.trim(); }).filter(Boolean);
          item.status = "refused";
          item.reason = said.join(" ") || ("HTTP " + r.status);
          return queue.put(item);
        });
      });
  }

  var flushing = false;
  // Sends what waits, oldest first; stops at the first network failure.
  function flush() {
    if (flushing || !window.indexedDB) return Promise.resolve();
    flushing = true;
    return queue.mine()
      .then(function (items) {
        return items.filter(function (i) { return i.status === "waiting"; })
          .reduce(function (p, item) { return p.then(function () { return sendItem(item); }); },
            Promise.resolve());
      })
      .catch(function () { /* offline again: the rest waits */ })
      .then(function () { flushing = false; return showQueue(); });
  }

  function sentCount(add) {
    var n = parseInt(sessionStorage.getItem("pantau.terkirim") || "0", 10) + add;
    sessionStorage.setItem("pantau.terkirim", String(n));
    return n;
  }

  // The bar that says what is online, waiting, sent and refused.
  function showQueue() {
    var bar = document.getElementById("antrian");
    if (!bar || !window.indexedDB) return Promise.resolve();
    return queue.mine().then(function (items) {
      var d = bar.dataset;
      var waiting = items.filter(function (i) { return i.status === "waiting"; });
      var refused = items.filter(function (i) { return i.status === "refused"; });
      var sent = sentCount(0);
      var parts = [navigator.onLine ? d.online : d.offline];
      if (waiting.length) parts.push(d.waiting.replace("{n}", waiting.length));
      if (sent) parts.push(d.sent.replace("{n}", sent));
      if (refused.length) parts.push(d.refused.replace("{n}", refused.length));
      bar.querySelector(".queue-state").textContent = parts.join(" · ");
      bar.classList.toggle("offline", !navigator.onLine);
      var list = bar.querySelector(".queue-items");
      list.textContent = "";
      waiting.concat(refused).forEach(function (i) {
        var li = document.createElement("li");
        li.className = i.status;
        var a = document.createElement("a");
        a.href = i.page.split("#")[0] + (i.page.indexOf("?") < 0 ? "?" : "&") + "antrian=" + encodeURIComponent(i.key);
        a.textContent = i.title + " — " + i.label;
        li.appendChild(a);
        var s = document.createElement("span");
        s.textContent = " " + (i.status === "waiting" ? d.itemWaiting : d.itemRefused + " " + i.reason);
        li.appendChild(s);
        list.appendChild(li);
      });
      bar.hidden = !(waiting.length || refused.length || sent || !navigator.onLine);
      // On the visits list: a visit waiting on the phone is not "to do" any more.
      document.querySelectorAll("a[data-keep]").forEach(function (a) {
        var page = a.getAttribute("href").split("#")[0];
        var mine = items.filter(function (i) { return i.page.split("#")[0] === page; })[0];
        var go = a.querySelector(".visit-go");
        if (!go) return;
        if (!go.dataset.todo) go.dataset.todo = go.textContent;
        go.textContent = mine ? (mine.status === "waiting" ? d.itemWaiting : d.itemRefused + " " + mine.reason) : go.dataset.todo;
        go.classList.toggle("queued", !!mine);
      });
    });
  }

  // A refused visit whose form the case no longer offers (it moved on):
  // its answers, its reason, and a way to let it go, on purpose.
  function showKept(item) {
    var d = document.getElementById("antrian").dataset;
    var box = document.createElement("section");
    box.className = "card kept";
    var h = document.createElement("h2");
    h.textContent = d.keptTitle;
    box.appendChild(h);
    var why = document.createElement("p");
    why.className = "alert";
    why.textContent = item.reason;
    box.appendChild(why);
    var dl = document.createElement("dl");
    dl.className = "facts";
    item.entries.forEach(function (e) {
      if (e[0].charAt(0) === "_") return;
      var label = document.querySelector("label[for=\"" + e[0] + "\"]");
      var dt = document.createElement("dt");
      dt.textContent = label ? label.textContent.trim() : e[0].replace(/^f\./, "");
      var dd = document.createElement("dd");
      dd.textContent = e[1] instanceof File ? e[1].name : e[1];
      dl.appendChild(dt);
      dl.appendChild(dd);
    });
    box.appendChild(dl);
    var drop = document.createElement("button");
    drop.type = "button";
    drop.className = "secondary";
    drop.textContent = d.discard;
    drop.addEventListener("click", function () {
      queue.drop(item.key).then(showQueue).then(function () { box.remove(); });
    });
    box.appendChild(drop);
    document.querySelector(".page").prepend(box);
  }

  // On a case page opened from the queue (`?antrian=KEY`): the kept answers
  // back in their form, to correct and send again under the form's new key.
  function restore() {
    var key = new URLSearchParams(location.search).get("antrian");
    if (!key || !window.indexedDB) return;
    queue.mine().then(function (items) {
      var item = items.filter(function (i) { return i.key === key; })[0];
      if (!item) return;
      var action = item.entries.filter(function (e) { return e[0] === "_action"; })[0];
      var form = action && document.querySelector("form input[name=_action][value=\"" + action[1] + "\"]");
      if (!form) { showKept(item); return; }
      form = form.form;
      var details = form.closest("details");
      if (details) details.open = true;
      var files = {};
      item.entries.forEach(function (e) {
        var name = e[0], v = e[1];
        if (name.charAt(0) === "_") return;
        var el = form.elements[name];
        if (!el) return;
        if (v instanceof File) { (files[name] = files[name] || []).push(v); return; }
        if (el instanceof RadioNodeList || el.type === "radio" || el.type === "checkbox") {
          Array.prototype.forEach.call(el.length ? el : [el], function (r) { if (r.value === v) r.checked = true; });
        } else {
          el.value = v;
        }
      });
      Object.keys(files).forEach(function (name) {
        var dt = new DataTransfer();
        files[name].forEach(function (f) { if (f.size) dt.items.add(f); });
        if (dt.files.length) form.elements[name].files = dt.files;
      });
      form.dataset.replaces = key;
      if (item.reason) say(form, item.reason, false);
      form.scrollIntoView({ block: "start" });
    });
  }

  function say(form, text, withButton) {
    var status = form.querySelector(".status");
    if (!status) return;
    status.hidden = !text;
    status.textContent = text || "";
    if (withButton) {
      var again = document.createElement("button");
      again.type = "button";
      again.className = "secondary";
      again.textContent = form.dataset.again;
      again.addEventListener("click", function () { form.retryNow(); });
      status.appendChild(document.createElement("br"));
      status.appendChild(again);
    }
  }

  // Shows an answer page (a refused form, an error) in place of this one.
  function replacePage(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    document.title = doc.title;
    document.body.replaceWith(document.adoptNode(doc.body));
    init(document.body);
    var open = document.querySelector("details.action[open]");
    if (open) open.scrollIntoView({ block: "start" });
  }

  function sendWithRetry(event) {
    var form = event.target;
    if (!window.fetch || !window.FormData || !window.DOMParser) return;
    event.preventDefault();
    if (form.sending) return;
    form.sending = true;
    // A visit is dated when it was made, here, not when a signal carries it.
    if (form.elements._observed_at && !form.elements._observed_at.value) {
      form.elements._observed_at.value = new Date().toISOString();
    }
    var pairs = entries(form); // taken once: every resend is the same form, same key
    // The button pressed, when it says which (a draft or a proposal).
    if (event.submitter && event.submitter.name) pairs.push([event.submitter.name, event.submitter.value]);
    var key = form.elements._key ? form.elements._key.value : "";
    var button = form.querySelector("button.primary");
    var tries = 0;
    var timer = null;
    function attempt() {
      clearTimeout(timer);
      tries += 1;
      if (button) button.disabled = true;
      say(form, form.dataset.sending, false);
      bigFilesFirst(form.action, key, pairs)
        .then(function (sent) {
          pairs = sent;
          return fetch(form.action, { method: "POST", body: formData(pairs), credentials: "same-origin" });
        })
        .then(function (r) {
          if (r.status === 502 || r.status === 503 || r.status === 504) throw new Error("gateway");
          if (r.redirected) {
            if (form.dataset.replaces) queue.drop(form.dataset.replaces);
            // The kept copy of this page carries the key just used: let it go.
            if (window.caches && PAGES) caches.open(PAGES).then(function (c) { return c.delete(location.pathname + location.search); });
            window.location.assign(r.url);
            return null;
          }
          return r.text().then(replacePage);
        })
        .catch(function () {
          if (button) button.disabled = false;
          if (form.hasAttribute("data-queue") && window.indexedDB) {
            // No signal: the visit waits on the phone and goes by itself.
            form.sending = false;
            var replaced = form.dataset.replaces;
            keep(form)
              .then(function () { return replaced ? queue.drop(replaced) : null; })
              .then(function () { say(form, form.dataset.queued, false); showQueue(); });
            return;
          }
          say(form, form.dataset.offline, true);
          timer = setTimeout(attempt, Math.min(30000, 1000 * Math.pow(2, tries)));
        });
    }
    form.retryNow = attempt;
    window.addEventListener("online", function () { if (form.sending) attempt(); });
    attempt();
  }

  function gps(button) {
    if (!("geolocation" in navigator)) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var input = document.getElementById(button.dataset.gps);
      var label = button.textContent;
      button.disabled = true;
      button.textContent = button.dataset.wait;
      navigator.geolocation.getCurrentPosition(
        function (p) {
          input.value = p.coords.latitude.toFixed(6) + "," + p.coords.longitude.toFixed(6);
          button.disabled = false;
          button.textContent = label;
        },
        function () {
          button.disabled = false;
          button.textContent = label;
          input.placeholder = button.dataset.fail;
          input.focus();
        },
        { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 }
      );
    });
  }

  // 150000000 → Rp 150.000.000 when the field is left.
  function rupiah(input) {
    input.addEventListener("blur", function () {
      var digits = input.value.replace(/^\s*rp\.?\s*/i, "").replace(/,-$|,00$/, "").replace(/\./g, "");
      if (/^\d+$/.test(digits)) {
        input.value = "Rp " + digits.replace(/^0+(?=\d)/, "").replace(/\B(?=(\d{3})+(?!\d))/g, ".");
      }
    });
  }

  // A search form (data-live="ID"): its results (the element ID) follow
  // what is typed, fetched as the same GET page the form would open.
  function live(form) {
    var input = form.querySelector("input[type=search]");
    var target = document.getElementById(form.dataset.live);
    if (!input || !target || !window.fetch || !window.DOMParser) return;
    var timer = null, asked = 0;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var url = form.action + "?" + new URLSearchParams(new FormData(form)).toString();
        var mine = ++asked;
        fetch(url, { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.text() : null; })
          .then(function (html) {
            if (!html || mine !== asked) return;
            var found = new DOMParser().parseFromString(html, "text/html").getElementById(target.id);
            if (!found) return;
            target.replaceChildren.apply(target, Array.from(found.childNodes).map(function (n) { return document.adoptNode(n); }));
            history.replaceState(null, "", url);
          })
          .catch(function () {});
      }, 250);
    });
  }

  function init(root) {
    root.querySelectorAll("form[data-live]").forEach(live);
    root.querySelectorAll("form[data-retry]").forEach(function (f) {
      f.addEventListener("submit", sendWithRetry);
    });
    root.querySelectorAll("button[data-gps]").forEach(gps);
    root.querySelectorAll("input[data-rupiah]").forEach(rupiah);
  }

  init(document);

  // Offline: the service worker keeps the pages, the queue keeps the visits.
  if ("serviceWorker" in navigator && document.getElementById("antrian")) {
    navigator.serviceWorker.register("/sw.js").catch(function () {});
  }
  // The worker learns who is signed in here and until when (nobody, on the
  // sign-in page): it serves kept pages offline to that user until then only.
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.ready.then(function (reg) {
      if (reg.active) reg.active.postMessage({ pantau: "sesi", user: me || null, until: me ? Number(bar0.dataset.until) : 0 });
    });
  }
  // Keep each assigned visit's case page while online, to open it offline.
  if (window.caches && navigator.onLine && PAGES) {
    var pages = Array.from(document.querySelectorAll("a[data-keep]"))
      .map(function (a) { return a.getAttribute("href").split("#")[0]; });
    if (pages.length) {
      caches.open(PAGES).then(function (c) {
        return Promise.all(pages.map(function (p) {
          return fetch(p, { credentials: "same-origin" }).then(function (r) {
            if (r.ok && !r.redirected) return c.put(p, r);
          }).catch(function () {});
        }));
      }).then(function () { document.documentElement.dataset.kept = String(pages.length); });
    }
  }
  // Signing out forgets this user's kept pages; visits still waiting to send
  // stay in the queue, set aside until the same user signs in again.
  document.querySelectorAll("form[action='/keluar']").forEach(function (f) {
    f.addEventListener("submit", function (e) {
      if (!window.caches || !PAGES) return;
      e.preventDefault();
      caches.delete(PAGES).catch(function () {}).then(function () { f.submit(); });
    });
  });
  window.addEventListener("online", function () { flush(); });
  window.addEventListener("offline", function () { showQueue(); });
  setInterval(function () { if (navigator.onLine) flush(); }, 15000);
  restore();
  flush();

  // A table wider than its box fades at the side that has more columns
  // (class more-right / more-left), so no column is hidden without a hint.
  function edges(box) {
    var left = box.scrollLeft, room = box.scrollWidth - box.clientWidth;
    box.classList.toggle("more-right", left < room - 2);
    box.classList.toggle("more-left", left > 2);
  }
  document.querySelectorAll(".scroll").forEach(function (box) {
    edges(box);
    box.addEventListener("scroll", function () { edges(box); }, { passive: true });
  });
  window.addEventListener("resize", function () {
    document.querySelectorAll(".scroll").forEach(edges);
  });
  // A table in a fold is measured when the fold opens (closed, it has no width).
  document.querySelectorAll("details").forEach(function (d) {
    d.addEventListener("toggle", function () { d.querySelectorAll(".scroll").forEach(edges); });
  });

  // A fold that a wide screen has room for (the case list's filters) is
  // open there; on a phone it is as the page said (open when a filter is set).
  var wide = window.matchMedia("(min-width: 48rem)");
  var folds = Array.prototype.map.call(document.querySelectorAll("details[data-open-wide]"), function (d) {
    return { fold: d, open: d.open };
  });
  function unfold() {
    folds.forEach(function (f) { f.fold.open = wide.matches || f.open; });
  }
  unfold();
  wide.addEventListener("change", unfold);
})();
