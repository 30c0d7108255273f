/* Pantau's one small script: no framework, no build step. The pages work
   without it; with it, a form that fails to send keeps what was typed and
   resends with the same idempotency key, and GPS fields get a button. */
(function () {
  "use strict";

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
    var data = new FormData(form); // taken once: every resend is the same form, same key
    var button = form.querySelector("button.primary");
    var tries = 0;
    var timer = null;
    function attempt() {
      clearTimeout(timer);
      tries += 1;
      if (button) button.disabled = true;
      say(form, form.dataset.sending, false);
      fetch(form.action, { method: "POST", body: data, credentials: "same-origin" })
        .then(function (r) {
          if (r.status === 502 || r.status === 503 || r.status === 504) throw new Error("gateway");
          if (r.redirected) { window.location.assign(r.url); return null; }
          return r.text().then(replacePage);
        })
        .catch(function () {
          if (button) button.disabled = false;
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

  function init(root) {
    root.querySelectorAll("form[data-retry]").forEach(function (f) {
      f.addEventListener("submit", sendWithRetry);
    });
    root.querySelectorAll("button[data-gps]").forEach(gps);
    root.querySelectorAll("input[data-rupiah]").forEach(rupiah);
  }

  init(document);
})();
