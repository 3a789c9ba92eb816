// dxplan offline entry: figures typed where the phone has no signal are kept on the
// device (IndexedDB), marked "not yet sent", and sent through the API once the network is
// back — each with its own Idempotency-Key, so a retry never makes a second copy. Every
// page still works without this script while online.
(function () {
  "use strict";
  if (!window.indexedDB || !window.fetch || !window.Promise) { return; }
  var en = document.documentElement.lang === "en";
  var T = en ? {
    pending: function (n) { return n === 1 ? "1 entry not yet sent, kept on this device." : n + " entries not yet sent, kept on this device."; },
    sendNow: "Send now",
    sending: "Sending…",
    noNetwork: "No network: what you save is kept on this device and sent once the network is back.",
    login: "Your session ended: log in again to send what is kept (nothing is lost).",
    loginLink: "Log in",
    toFix: function (n) { return n === 1 ? "1 entry needs your attention:" : n + " entries need your attention:"; },
    open: "open it",
    sent: function (n) { return n === 1 ? "1 entry sent." : n + " entries sent."; },
    notSent: "Not yet sent",
    refused: "Not accepted:",
    conflict: "Changed by someone else meanwhile.",
    theirs: "In the system",
    mine: "Yours",
    keepMine: "Keep mine",
    keepTheirs: "Use the system's",
    logoutPending: function (n) { return n + " entries are not yet sent. Logging out deletes them from this device. Log out anyway?"; },
    fileWaiting: function (name) { return "Not yet sent: " + name; },
    fileTooBig: function (mb) { return "The file is larger than " + mb + " MB: choose a smaller one."; }
  } : {
    pending: function (n) { return n + " mục chưa gửi, đang lưu trên máy này."; },
    sendNow: "Gửi ngay",
    sending: "Đang gửi…",
    noNetwork: "Không có mạng: số liệu bạn lưu được giữ trên máy này và tự gửi khi có mạng trở lại.",
    login: "Phiên đăng nhập đã hết: đăng nhập lại để gửi các mục đang lưu (không mất gì).",
    loginLink: "Đăng nhập",
    toFix: function (n) { return n + " mục cần bạn xem lại:"; },
    open: "mở",
    sent: function (n) { return "Đã gửi " + n + " mục."; },
    notSent: "Chưa gửi",
    refused: "Chưa được chấp nhận:",
    conflict: "Đã có người khác sửa trong lúc bạn mất sóng.",
    theirs: "Trên hệ thống",
    mine: "Của bạn",
    keepMine: "Giữ số của tôi",
    keepTheirs: "Dùng số trên hệ thống",
    logoutPending: function (n) { return "Còn " + n + " mục chưa gửi. Đăng xuất sẽ xóa chúng khỏi máy này. Vẫn đăng xuất?"; },
    fileWaiting: function (name) { return "Chưa gửi: " + name; },
    fileTooBig: function (mb) { return "Tệp lớn hơn " + mb + " MB: chọn tệp nhỏ hơn."; }
  };
  var meta = document.querySelector("meta[name=dxplan-user]");
  var userId = meta ? meta.getAttribute("content") : "";
  var statusBox = document.getElementById("offline-status");
  var sending = false;
  // The service worker's store of pages (sw.js names it the same).
  var PAGES = "dxplan-offline-v1";

  if (navigator.serviceWorker) {
    navigator.serviceWorker.register("/sw.js").catch(function () { /* plain HTTP: online only */ });
  }

  // ------------------------------------------------------------------ the device's queue
  function open() {
    return new Promise(function (resolve, reject) {
      var r = indexedDB.open("dxplan-offline", 1);
      r.onupgradeneeded = function () { r.result.createObjectStore("queue", { keyPath: "id" }); };
      r.onsuccess = function () { resolve(r.result); };
      r.onerror = function () { reject(r.error); };
    });
  }
  function store(mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction("queue", mode);
        var request = work(t.objectStore("queue"));
        t.oncomplete = function () { db.close(); resolve(request ? request.result : undefined); };
        t.onerror = function () { db.close(); reject(t.error); };
      });
    });
  }
  function all() {
    return store("readonly", function (s) { return s.getAll(); }).then(function (items) {
      return (items || []).filter(function (i) { return i.user === userId; })
        .sort(function (a, b) { return a.typed_at < b.typed_at ? -1 : 1; });
    });
  }
  function put(item) { return store("readwrite", function (s) { s.put(item); }); }
  function remove(id) { return store("readwrite", function (s) { s.delete(id); }); }
  function clearAll() { return store("readwrite", function (s) { s.clear(); }); }

  function newKey() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }

  // ------------------------------------------------------------------ sending
  // The account and its token as the server sees them now (after a new login, the page
  // kept offline holds an old token).
  function whoAmI() {
    return fetch("/api/v1/me", { credentials: "same-origin", headers: { accept: "application/json" } })
      .then(function (r) {
        if (r.status === 401) { return { login: true }; }
        if (!r.ok) { throw new Error("me " + r.status); }
        return r.json();
      });
  }

  // What each kind of entry is sent as: its endpoint and its JSON body.
  var kinds = {
    figures: {
      endpoint: function () { return "/api/v1/data-values"; },
      body: function (item) {
        return {
          unit: item.unit,
          period: item.period,
          submit: item.submit,
          rows: item.rows.map(function (row) {
            var out = { indicator: row.indicator };
            ["value", "numerator", "denominator", "comment"].forEach(function (k) {
              if (row[k] !== undefined && row[k] !== null && row[k] !== "") { out[k] = row[k]; }
            });
            if (typeof row.version === "number") { out.version = row.version; }
            if (item.offline) { out.entered_offline_at = item.typed_at; }
            return out;
          })
        };
      },
      // A refusal, by indicator.
      errors: function (details) {
        var out = {};
        details.forEach(function (d) {
          if (d.indicator && d.errors && d.errors.length) { out[d.indicator] = d.errors.map(function (e) { return e.message; }); }
        });
        return out;
      }
    },
    file: {
      endpoint: function (item) { return "/api/v1/data-values/" + encodeURIComponent(item.value) + "/files"; },
      // Sent as the form would: the file in the part named "file".
      payload: function (item) {
        var data = new FormData();
        data.append("file", item.blob, item.name);
        return data;
      },
      errors: function () { return {}; }
    },
    report: {
      endpoint: function (item) { return "/api/v1/tasks/" + encodeURIComponent(item.task) + "/reports"; },
      body: function (item) {
        var out = {};
        Object.keys(item.fields).forEach(function (k) { if (item.fields[k] !== "") { out[k] = item.fields[k]; } });
        if (item.offline) { out.entered_offline_at = item.typed_at; }
        return out;
      },
      // A refusal, by field.
      errors: function (details) {
        var out = {};
        details.forEach(function (d) { if (d.field) { (out[d.field] = out[d.field] || []).push(d.message); } });
        return out;
      }
    }
  };

  // One item: "saved", "refused", "conflict", "login" or "offline".
  function sendOne(item, token) {
    var kind = kinds[item.kind];
    var headers = { "x-csrf-token": token, "idempotency-key": item.id };
    var body;
    if (kind.payload) {
      body = kind.payload(item);
    } else {
      headers["content-type"] = "application/json";
      body = JSON.stringify(kind.body(item));
    }
    return fetch(kind.endpoint(item), {
      method: "POST",
      credentials: "same-origin",
      headers: headers,
      body: body
    }).then(function (r) {
      if (r.ok) { return remove(item.id).then(function () { return "saved"; }); }
      if (r.status === 401) { return "login"; }
      return r.json().catch(function () { return {}; }).then(function (answer) {
        var error = answer.error || {};
        if (r.status === 409 && error.code === "version_conflict") { return markConflict(item); }
        // The same entry is being received from another page (one left mid-send): ask
        // again in a moment for its answer.
        if (error.code === "idempotency_key_running") { return "busy"; }
        if (r.status >= 500 || r.status === 429) { return "offline"; }
        item.state = "refused";
        item.message = error.message || "";
        item.errors = kind.errors(error.details || []);
        return put(item).then(function () { return "refused"; });
      });
    }, function () {
      item.offline = true;
      return put(item).then(function () { return "offline"; });
    });
  }

  // Someone changed a figure while this one waited: keep both, for the officer to choose.
  function markConflict(item) {
    var url = "/api/v1/data-values?unit=" + encodeURIComponent(item.unit) + "&period=" + encodeURIComponent(item.period) + "&limit=500";
    return fetch(url, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.json() : { items: [] }; })
      .then(function (list) {
        item.state = "conflict";
        item.server = {};
        var byId = {};
        (list.items || []).forEach(function (v) { byId[v.indicator_id] = v; });
        item.rows.forEach(function (row) {
          var v = row.indicator_id ? byId[row.indicator_id] : null;
          if (v && String(v.version) !== String(row.version)) {
            item.server[row.indicator] = { value: v.value, numerator: v.numerator, denominator: v.denominator, version: v.version, by: v.updated_by };
          }
        });
        return put(item).then(function () { return "conflict"; });
      });
  }

  function sendAll() {
    if (sending) { return Promise.resolve(); }
    sending = true;
    var sent = 0;
    return all().then(function (items) {
      var waiting = items.filter(function (i) { return i.state === "pending"; });
      if (!waiting.length) { return null; }
      showStatus(T.sending);
      return whoAmI().then(function (me) {
        if (me.login) { return "login"; }
        if (String(me.id) !== userId) { return null; }
        var chain = Promise.resolve();
        var stop = false;
        waiting.forEach(function (item) {
          chain = chain.then(function () {
            if (stop) { return; }
            return sendOne(item, me.csrf_token).then(function (outcome) {
              if (outcome === "saved") { sent += 1; }
              if (outcome === "login" || outcome === "offline" || outcome === "busy") { stop = outcome; }
            });
          });
        });
        return chain.then(function () { return stop || null; });
      }, function () { return "offline"; });
    }).then(function (stopped) {
      sending = false;
      if (stopped === "busy") { window.setTimeout(sendAll, 2000); stopped = null; }
      if (sent > 0) {
        try { sessionStorage.setItem("dxplan-sent", String(sent)); } catch (e) { /* private mode */ }
        // The page shows what the server now holds.
        if (document.querySelector("form[data-offline-form], form[data-offline-file]")) { location.reload(); return; }
      }
      return refresh(stopped);
    }, function () { sending = false; return refresh("offline"); });
  }

  // ------------------------------------------------------------------ what the page shows
  function showStatus(text, extra) {
    if (!statusBox) { return; }
    statusBox.textContent = "";
    var inner = document.createElement("div");
    inner.className = "container";
    var p = document.createElement("p");
    p.textContent = text;
    inner.appendChild(p);
    if (extra) { inner.appendChild(extra); }
    statusBox.appendChild(inner);
    statusBox.hidden = false;
  }

  function refresh(stopped) {
    return all().then(function (items) {
      var pending = items.filter(function (i) { return i.state === "pending"; });
      var problems = items.filter(function (i) { return i.state !== "pending"; });
      var justSent = 0;
      try { justSent = parseInt(sessionStorage.getItem("dxplan-sent") || "0", 10) || 0; sessionStorage.removeItem("dxplan-sent"); } catch (e) { justSent = 0; }
      document.documentElement.setAttribute("data-offline-pending", String(items.length));
      if (!items.length) {
        if (justSent) { showStatus(T.sent(justSent)); } else if (statusBox) { statusBox.hidden = true; }
        markForm([]);
        markFiles([]);
        return;
      }
      var extra = document.createElement("div");
      if (pending.length) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "button secondary";
        button.textContent = T.sendNow;
        button.addEventListener("click", sendAll);
        extra.appendChild(button);
      }
      if (problems.length) {
        var list = document.createElement("p");
        list.textContent = T.toFix(problems.length) + " ";
        problems.forEach(function (i, k) {
          var a = document.createElement("a");
          a.href = i.page;
          a.textContent = i.label;
          list.appendChild(a);
          if (k < problems.length - 1) { list.appendChild(document.createTextNode("; ")); }
        });
        extra.appendChild(list);
      }
      if (stopped === "login") {
        var login = document.createElement("a");
        login.href = "/login?next=" + encodeURIComponent(location.pathname + location.search);
        login.textContent = T.loginLink;
        extra.appendChild(login);
      }
      var text = stopped === "login" ? T.login : (stopped === "offline" ? T.noNetwork + " " : "") + T.pending(items.length);
      showStatus(text, extra);
      markForm(items);
      markFiles(items);
    });
  }

  // ------------------------------------------------------------------ the entry forms
  var form = document.querySelector("form[data-offline-form]");
  var formKind = form ? form.getAttribute("data-offline-form") : "";

  function cellOf(code) { return form.querySelector("[data-indicator=\"" + code.replace(/"/g, "") + "\"]"); }
  function input(prefix, code) { return form.querySelector("[name=\"" + prefix + code.replace(/"/g, "") + "\"]"); }

  function base(label) {
    return {
      id: newKey(),
      user: userId,
      label: label,
      page: location.pathname + location.search,
      typed_at: new Date().toISOString(),
      state: "pending",
      offline: false
    };
  }

  // A progress report as typed: its fields by name.
  function collectReport() {
    var item = base(form.getAttribute("data-task-title") || "");
    item.kind = "report";
    item.task = form.getAttribute("data-task");
    item.fields = {};
    ["period", "progress", "done", "obstacles", "proposals", "disbursed"].forEach(function (name) {
      var el = form.querySelector("[name=" + name + "]");
      if (el) { item.fields[name] = el.value; }
    });
    var period = form.querySelector("[name=period]");
    if (period && period.selectedOptions && period.selectedOptions[0]) {
      item.label += " — " + period.selectedOptions[0].textContent;
    }
    item.rows = [item.fields];
    return item;
  }

  function collect(submit) {
    if (formKind === "report") { return collectReport(); }
    var rows = [];
    Array.prototype.forEach.call(form.querySelectorAll("[data-indicator]"), function (cell) {
      var code = cell.getAttribute("data-indicator");
      var row = { indicator: code };
      var any = false;
      [["v_", "value"], ["n_", "numerator"], ["d_", "denominator"]].forEach(function (pair) {
        var el = input(pair[0], code);
        if (el && el.value.trim() !== "") { row[pair[1]] = el.value.trim(); any = true; }
      });
      var comment = input("c_", code);
      if (comment && comment.value.trim() !== "") { row.comment = comment.value.trim(); }
      // The version it was typed over; 0 for a figure not saved yet, so that one saved by
      // someone else meanwhile is found as a conflict too.
      row.version = parseInt(cell.getAttribute("data-version") || "0", 10) || 0;
      var id = cell.getAttribute("data-indicator-id");
      if (id) { row.indicator_id = parseInt(id, 10); }
      if (any) { rows.push(row); }
    });
    var item = base((form.getAttribute("data-unit-name") || "") + " — " + (form.getAttribute("data-period-label") || ""));
    item.kind = "figures";
    item.unit = form.getAttribute("data-unit");
    item.period = form.getAttribute("data-period");
    item.submit = submit;
    item.rows = rows;
    return item;
  }

  // Whether an entry is the one this form edits (the same unit and period, or task).
  function sameEntry(item) {
    if (item.kind !== formKind) { return false; }
    if (formKind === "report") { return item.task === form.getAttribute("data-task"); }
    return item.unit === form.getAttribute("data-unit") && item.period === form.getAttribute("data-period");
  }

  // Shows a kept report in its form: its fields, what waits, the server's refusals.
  function markReport(item) {
    var first = form.querySelector(".field");
    Object.keys(item.fields).forEach(function (name) {
      var el = form.querySelector("[name=" + name + "]");
      if (el) { el.value = item.fields[name]; }
      var messages = item.state === "refused" && item.errors ? item.errors[name] : null;
      if (el && messages) { note(el.closest(".field") || form, "field-error", T.refused + " " + messages.join(" ")); }
    });
    if (first) {
      var p = document.createElement("p");
      p.className = "hint offline-note";
      p.textContent = T.notSent;
      form.insertBefore(p, first);
    }
  }

  function note(cell, className, text) {
    var p = document.createElement("p");
    p.className = className + " offline-note";
    p.textContent = text;
    cell.appendChild(p);
    return p;
  }

  // Shows this unit and period's kept entry in the form: its figures, and what waits.
  function markForm(items) {
    if (!form) { return; }
    Array.prototype.forEach.call(form.querySelectorAll(".offline-note"), function (n) { n.remove(); });
    var mine = items.filter(sameEntry);
    var item = mine[mine.length - 1];
    if (!item) { return; }
    if (item.kind === "report") { markReport(item); return; }
    item.rows.forEach(function (row) {
      var cell = cellOf(row.indicator);
      if (!cell) { return; }
      [["v_", "value"], ["n_", "numerator"], ["d_", "denominator"], ["c_", "comment"]].forEach(function (pair) {
        var el = input(pair[0], row.indicator);
        if (el && row[pair[1]] !== undefined) { el.value = row[pair[1]]; }
      });
      if (item.state === "refused" && item.errors && item.errors[row.indicator]) {
        note(cell, "field-error", T.refused + " " + item.errors[row.indicator].join(" "));
      } else if (item.state === "conflict" && item.server && item.server[row.indicator]) {
        var theirs = item.server[row.indicator];
        var shown = theirs.numerator !== null && theirs.numerator !== undefined ? theirs.numerator + "/" + theirs.denominator : theirs.value;
        var box = note(cell, "field-error", T.conflict + " " + T.theirs + ": " + shown + (theirs.by ? " (" + theirs.by + ")" : "") + ". " + T.mine + ": " + (row.value || (row.numerator + "/" + row.denominator)) + ".");
        var keep = document.createElement("button");
        keep.type = "button";
        keep.className = "button secondary";
        keep.textContent = T.keepMine;
        keep.addEventListener("click", function () { resolve(item, row.indicator, true); });
        var drop = document.createElement("button");
        drop.type = "button";
        drop.className = "button secondary";
        drop.textContent = T.keepTheirs;
        drop.addEventListener("click", function () { resolve(item, row.indicator, false); });
        box.appendChild(document.createElement("br"));
        box.appendChild(keep);
        box.appendChild(drop);
      } else {
        note(cell, "hint", T.notSent);
      }
    });
    if (item.state === "refused" && item.message && !Object.keys(item.errors || {}).length) {
      showStatus(T.refused + " " + item.message);
    }
  }

  // The officer chose for one conflicting figure: theirs drops it from the entry; mine
  // sends it again over their version, as a new request with its own key.
  function resolve(item, code, keepMine) {
    var theirs = item.server[code];
    delete item.server[code];
    if (keepMine) {
      item.rows.forEach(function (row) { if (row.indicator === code) { row.version = theirs.version; } });
    } else {
      item.rows = item.rows.filter(function (row) { return row.indicator !== code; });
    }
    var settled = !Object.keys(item.server).length;
    var next = Object.assign({}, item, { id: newKey(), state: settled ? "pending" : "conflict" });
    return remove(item.id).then(function () {
      return next.rows.length ? put(next) : null;
    }).then(function () {
      if (!keepMine) { location.reload(); return; }
      return settled ? sendAll() : refresh();
    });
  }

  if (form) {
    var offlineHint = document.querySelector(".offline-hint");
    if (offlineHint) { offlineHint.hidden = false; }
    var bypass = false;
    form.addEventListener("submit", function (event) {
      if (bypass) { return; }
      var submitter = event.submitter;
      var submit = !!(submitter && submitter.name === "submit" && submitter.value === "1");
      var item = collect(submit);
      if (!item.rows.length) { return; }
      event.preventDefault();
      // The newest typing of this entry replaces what waited for it.
      all().then(function (items) {
        var older = items.filter(sameEntry);
        return Promise.all(older.map(function (i) { return remove(i.id); }));
      }).then(function () { return put(item); }).then(function () {
        return sendOne(item, (form.querySelector("[name=_csrf]") || {}).value || "");
      }).then(function (outcome) {
        if (outcome === "saved") {
          try { sessionStorage.setItem("dxplan-sent", "1"); } catch (e) { /* private mode */ }
          location.reload();
          return;
        }
        if (outcome === "refused") {
          // Online and refused: the server's own page says what is wrong, field by field
          // (the same form sent as the browser would have, which changes nothing either).
          return remove(item.id).then(function () {
            bypass = true;
            if (form.requestSubmit) { form.requestSubmit(submitter || undefined); } else { form.submit(); }
          });
        }
        return refresh(outcome);
      });
    });
  }

  // ------------------------------------------------------------------ evidence files
  // A file chosen where there is no signal waits on the device with its figure's id.
  function markFiles(items) {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-offline-file]"), function (upload) {
      Array.prototype.forEach.call(upload.querySelectorAll(".offline-note"), function (n) { n.remove(); });
      items.filter(function (i) { return i.kind === "file" && String(i.value) === upload.getAttribute("data-offline-file"); })
        .forEach(function (i) {
          var text = i.state === "refused" ? T.refused + " " + i.name + ": " + (i.message || "") : T.fileWaiting(i.name);
          note(upload, i.state === "refused" ? "field-error" : "hint", text);
        });
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("form[data-offline-file]"), function (upload) {
    var pass = false;
    upload.addEventListener("submit", function (event) {
      if (pass) { return; }
      var chosen = upload.querySelector("input[type=file]");
      var file = chosen && chosen.files && chosen.files[0];
      if (!file) { return; }
      event.preventDefault();
      var max = parseInt(upload.getAttribute("data-max-bytes") || "0", 10);
      if (max && file.size > max) {
        Array.prototype.forEach.call(upload.querySelectorAll(".offline-note"), function (n) { n.remove(); });
        note(upload, "field-error", T.fileTooBig(Math.floor(max / 1048576)));
        return;
      }
      var item = base(upload.getAttribute("data-label") || file.name);
      item.kind = "file";
      item.value = upload.getAttribute("data-offline-file");
      item.name = file.name;
      item.blob = file;
      item.rows = [];
      put(item).then(function () {
        return sendOne(item, (document.querySelector("[name=_csrf]") || {}).value || "");
      }).then(function (outcome) {
        if (outcome === "saved") { location.reload(); return; }
        if (outcome === "refused") {
          // Online and refused: the server's page says why.
          return remove(item.id).then(function () { pass = true; upload.submit(); });
        }
        return refresh(outcome);
      });
    });
  });

  // ------------------------------------------------------------------ logging out
  var logout = document.querySelector("form[data-offline-logout]");
  if (logout) {
    logout.addEventListener("submit", function (event) {
      event.preventDefault();
      all().then(function (items) {
        if (items.length && !window.confirm(T.logoutPending(items.length))) { return; }
        // What this account kept on the device goes with it.
        var keys = window.caches ? caches.keys().then(function (ks) { return Promise.all(ks.map(function (k) { return caches.delete(k); })); }) : Promise.resolve();
        try { localStorage.removeItem("dxplan-kept-at:" + userId); } catch (e) { /* private mode */ }
        return Promise.all([keys, clearAll()]).then(function () { logout.submit(); }, function () { logout.submit(); });
      }, function () { logout.submit(); });
    });
  }

  // ------------------------------------------------------------------ keeping pages
  // An entry page opened online is kept for offline use.
  if (form && window.caches) {
    caches.open(PAGES).then(function (cache) { return cache.add(location.href); }).catch(function () { /* no room: online only */ });
  }

  // And, ahead of need, the entry pages of what waits on this account — the figures its
  // units owe, the tasks it reports on — refreshed at most twice a day while online, so
  // the officer who opened only the home page before leaving still finds them.
  function keepAhead() {
    if (!window.caches || !window.localStorage) { return; }
    var key = "dxplan-kept-at:" + userId;
    var last = 0;
    try { last = parseInt(localStorage.getItem(key) || "0", 10) || 0; } catch (e) { return; }
    if (Date.now() - last < 12 * 3600 * 1000) { return; }
    fetch("/api/v1/me/work", { credentials: "same-origin", headers: { accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (work) {
        if (!work) { return; }
        var pages = [];
        (work.items || []).forEach(function (i) {
          if ((i.kind === "figures_to_enter" || i.kind === "figures_to_correct") && i.href) { pages.push(i.href); }
        });
        (work.to_report || []).forEach(function (t) { if (t.id) { pages.push("/tasks/" + t.id); } });
        return caches.open(PAGES).then(function (cache) {
          return pages.slice(0, 30).reduce(function (done, url) {
            return done.then(function () { return cache.add(url).catch(function () { /* gone: skip */ }); });
          }, Promise.resolve());
        }).then(function () { try { localStorage.setItem(key, String(Date.now())); } catch (e) { /* full */ } });
      })
      .catch(function () { /* offline: next time */ });
  }
  keepAhead();

  window.addEventListener("online", sendAll);
  // A weak signal comes back without telling the browser: while something waits, try
  // again every half minute (each try is one small request when there is still no answer).
  window.setInterval(function () {
    if (document.documentElement.getAttribute("data-offline-pending") !== "0") { sendAll(); }
  }, 30000);
  refresh().then(function () { if (navigator.onLine) { sendAll(); } });
})();
