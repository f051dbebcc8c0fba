/* The workspace's pages: a form becomes a statement, shown in plain words, signed in
 * this browser (keys.js) and sent to POST /api/v1/statements. What is sent is the
 * signed statement only: {"statement": ..., "signature": ...}. Reads go to the public
 * API (/api/v1/projections, /api/v1/procurement/vendors/{id}).
 */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("workspace-config").textContent);
  var K = window.TerangKeys;
  var C = window.TerangCanonical;
  var pending = null; // the statement under review
  var pendingForm = null; // the form it came from
  var current = null; // the kept key, if any

  function msg(key, params) {
    var text = config.messages[key] || key;
    return text.replace(/\{(\w+)\}/g, function (_, name) {
      return params && name in params ? String(params[name]) : "{" + name + "}";
    });
  }
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) {
      node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }
  function show(target, nodes) {
    target.replaceChildren.apply(target, nodes);
  }
  function say(id, text, cls) {
    var target = document.getElementById(id);
    if (target) show(target, [el("p", cls ? { class: cls } : {}, [text])]);
  }
  function shortId(id) { return id.slice(0, 16) + "…"; }

  /* Money and time as the portal writes them (portal/formatting.py). */
  function groupDigits(digits, sep) {
    var head = digits.length % 3 || 3;
    var parts = [digits.slice(0, head)];
    for (var i = head; i < digits.length; i += 3) parts.push(digits.slice(i, i + 3));
    return parts.join(sep);
  }
  function rupiah(sen) {
    var value = BigInt(sen);
    var negative = value < 0n;
    if (negative) value = -value;
    var whole = (value / 100n).toString();
    var cents = (value % 100n).toString().padStart(2, "0");
    var style = config.lang === "en" ? [",", ".", "IDR"] : [".", ",", "Rp"];
    return (negative ? "-" : "") + style[2] + " " + groupDigits(whole, style[0]) + style[1] + cents;
  }
  function moment(iso) {
    var local = new Date(Date.parse(iso) + config.zone_offset_minutes * 60000);
    var hh = String(local.getUTCHours()).padStart(2, "0");
    var mm = String(local.getUTCMinutes()).padStart(2, "0");
    var clock = config.lang === "en" ? hh + ":" + mm : hh + "." + mm;
    return local.getUTCDate() + " " + config.months[local.getUTCMonth()] + " " +
      local.getUTCFullYear() + " " + clock + " " + config.zone;
  }
  /* An NPWP as usually written (procurement/npwp.py display): 15 digits punctuated. */
  function npwp(digits) {
    var d = String(digits);
    if (d.length !== 15) return d;
    return d.slice(0, 2) + "." + d.slice(2, 5) + "." + d.slice(5, 8) + "." + d[8] + "-" +
      d.slice(9, 12) + "." + d.slice(12, 15);
  }
  window.TerangWorkspace = { rupiah: rupiah, moment: moment, npwp: npwp, msg: msg };

  async function getJson(path) {
    var response = await fetch(path, { headers: { Accept: "application/json" } });
    if (response.status === 404) return null;
    if (!response.ok) throw new Error(path + ": HTTP " + response.status);
    return response.json();
  }

  /* The registry's document of one key (public projections, no endpoint of our own):
   * rows come in key order after (namespace, key); every key sharing the id's first 63
   * hex digits comes right after that prefix. */
  async function registryDoc(id) {
    var page = await getJson("/api/v1/projections?namespace=registry.key" +
      "&after_namespace=registry.key&after_key=" + id.slice(0, 63) + "&limit=16");
    var row = page && page.items.find(function (item) { return item.key === id; });
    return row ? row.value : null;
  }

  function roleNames(roles) {
    return roles.length ? roles.map(function (r) { return msg("role." + r); }).join(", ") : msg("js.none");
  }

  async function showKey() {
    var target = document.getElementById("key-status");
    if (!target) return;
    if (!current) { say("key-status", msg("js.key.none")); return; }
    var nodes = [
      el("p", {}, [msg("js.key.active", { name: current.name || shortId(current.keyId) })]),
      el("dl", { class: "ws-fields" }, [
        el("dt", {}, [msg("js.key.id")]), el("dd", {}, [el("code", { id: "my-key-id" }, [current.keyId])]),
        el("dt", {}, [msg("js.key.public")]), el("dd", {}, [el("code", { id: "my-public-key" }, [current.publicKey])]),
      ]),
    ];
    show(target, nodes);
    try {
      var doc = await registryDoc(current.keyId);
      var line;
      if (!doc) line = el("p", { id: "my-key-registry" }, [msg("js.key.unregistered")]);
      else if (doc.revoked_seq !== null) {
        line = el("p", { id: "my-key-registry", class: "bad" }, [msg("js.key.revoked", { seq: doc.revoked_seq })]);
      } else {
        line = el("p", { id: "my-key-registry", "data-roles": doc.roles.join(" ") },
          [msg("js.key.registered", { seq: doc.registered_seq, roles: roleNames(doc.roles) })]);
      }
      target.appendChild(line);
    } catch (e) {
      target.appendChild(el("p", { class: "bad" }, [msg("js.network", { reason: e.message })]));
    }
  }

  async function showVendor() {
    var target = document.getElementById("vendor-status");
    if (!target) return;
    if (!current) { say("vendor-status", msg("js.need_key")); return; }
    try {
      var found = await getJson("/api/v1/procurement/vendors/" + current.keyId);
      if (!found) { say("vendor-status", msg("js.vendor.none")); target.dataset.status = "none"; return; }
      var v = found.vendor;
      target.dataset.status = v.status;
      show(target, [
        el("p", { class: v.status === "active" ? "state state-active" : "state" }, [
          v.status === "active"
            ? msg("js.vendor.active", { seq: v.activated_seq })
            : msg("js.vendor.registered", { time: moment(v.registered_at) }),
        ]),
        el("p", {}, [msg("js.vendor.name", { name: v.name, npwp: npwp(v.npwp) })]),
      ]);
    } catch (e) {
      say("vendor-status", msg("js.network", { reason: e.message }), "bad");
    }
  }

  function nameOf(id) {
    var row = document.querySelector('#holders tr[data-key-id="' + id + '"]');
    if (row) return row.cells[0].textContent;
    if (current && current.keyId === id) return current.name;
    return msg("js.unknown_name");
  }

  function checkedKeyId(text) {
    if (!/^[0-9a-f]{64}$/.test(text)) throw new Error(msg("js.bad_key_id"));
    return text;
  }

  /* What each form signs: its type, subject and body, and the words that say it. */
  async function build(form) {
    var type = form.dataset.statement;
    var data = new FormData(form);
    var value = function (name) { return String(data.get(name) || "").trim(); };
    var subject, body, words = {};
    if (type === "registry.key.registered") {
      var publicKey = value("public_key");
      try {
        subject = await K.keyId(K.unb64(publicKey));
      } catch (e) {
        throw new Error(msg("js.bad_public_key"));
      }
      body = { public_key: publicKey, name: value("name"), roles: data.getAll("roles").map(String) };
      words = { name: body.name, roles: roleNames(body.roles) };
    } else if (type === "registry.role.granted" || type === "registry.role.revoked") {
      subject = checkedKeyId(value("subject"));
      body = { role: value("role") };
      words = { name: nameOf(subject), role: msg("role." + body.role) };
    } else if (type === "registry.key.revoked") {
      subject = checkedKeyId(value("subject"));
      body = { reason: value("reason") };
      words = { name: nameOf(subject), reason: body.reason };
    } else if (type === "procurement.vendor.activated") {
      subject = value("subject");
      body = value("note") ? { note: value("note") } : {};
      words = { name: form.dataset.name || nameOf(subject) };
    } else if (type === "procurement.vendor.registered") {
      subject = current.keyId;
      body = { public_key: current.publicKey, name: value("name"), npwp: value("npwp"),
        address: value("address"), qualification: value("qualification") };
      words = { name: body.name, npwp: body.npwp, qualification: msg("qualification." + body.qualification) };
    } else {
      throw new Error("unknown form " + type);
    }
    var statement = { type: type, subject: subject, signer: current.keyId,
      time: new Date().toISOString(), nonce: K.nonce(), body: body };
    words.subject = shortId(subject);
    return { statement: statement, summary: msg("js.say." + type, words) };
  }

  function fieldText(name, value) {
    if (name === "roles") return roleNames(value);
    if (name === "role") return msg("role." + value) + " (" + value + ")";
    if (name === "qualification") return msg("qualification." + value);
    if (/_sen$/.test(name)) return rupiah(value);
    return typeof value === "string" ? value : C.canonicalString(value);
  }

  /* The review and the result follow the form they are about, so a person on a phone
   * reads them where they just typed. */
  function placeAfter(form) {
    var review = document.getElementById("review");
    var outcome = document.getElementById("result");
    form.after(review);
    review.after(outcome);
  }

  function review(built) {
    var s = built.statement;
    pending = s;
    var rows = [
      ["js.field.type", s.type],
      ["js.field.subject", s.subject],
      ["js.field.signer", (current.name ? current.name + " " : "") + "(" + s.signer + ")"],
      ["js.field.time", moment(s.time)],
      ["js.field.log", config.origin],
    ];
    Object.keys(s.body).sort().forEach(function (name) {
      var label = config.messages["js.field." + name] ? "js.field." + name : null;
      rows.push([label || name, fieldText(name, s.body[name])]);
    });
    var nodes = [];
    rows.forEach(function (row) {
      nodes.push(el("dt", {}, [config.messages[row[0]] ? msg(row[0]) : row[0]]));
      nodes.push(el("dd", {}, [row[1]]));
    });
    document.getElementById("review-summary").textContent = built.summary;
    show(document.getElementById("review-fields"), nodes);
    document.getElementById("review-raw").textContent = C.canonicalString(s);
    var section = document.getElementById("review");
    section.hidden = false;
    document.getElementById("result").hidden = true;
    document.getElementById("review-heading").focus();
  }

  function result(nodes, cls) {
    var section = document.getElementById("result");
    section.hidden = false;
    section.className = cls || "";
    show(document.getElementById("result-body"), nodes);
  }

  async function signAndSend() {
    var statement = pending;
    if (!statement) return;
    pending = null;
    document.getElementById("review").hidden = true;
    result([el("p", {}, [msg("js.signing")])]);
    var signed;
    try {
      signed = await K.sign(current.privateKey, config.origin, statement);
    } catch (e) {
      result([el("p", { class: "bad" }, [e.message])], "bad");
      return;
    }
    var response;
    try {
      response = await fetch("/api/v1/statements", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(signed),
      });
    } catch (e) {
      result([el("p", { class: "bad" }, [msg("js.network", { reason: e.message })])], "bad");
      return;
    }
    var answer = await response.json().catch(function () { return {}; });
    if (!response.ok) {
      result([el("p", { class: "bad", id: "result-refused", "data-code": answer.code || "" },
        [msg("js.refused", { code: answer.code || response.status, message: answer.detail || "" })])], "bad");
      return;
    }
    var receipt = new Blob([JSON.stringify(answer, null, 2) + "\n"], { type: "application/json" });
    var link = el("a", { href: URL.createObjectURL(receipt), download: "terang-receipt-" + answer.seq + ".json" },
      [msg("js.receipt")]);
    result([
      el("p", { id: "result-accepted", "data-seq": String(answer.seq) },
        [msg(response.status === 200 ? "js.duplicate" : "js.accepted", { seq: answer.seq })]),
      el("p", {}, [msg("js.leaf") + ": ", el("code", {}, [answer.leaf_hash || ""])]),
      el("p", {}, [link]),
      el("p", {}, [el("a", { href: location.pathname + location.search }, [msg("js.reload")])]),
    ]);
    if (pendingForm) pendingForm.reset();
    showKey();
    showVendor();
  }

  function downloadJson(value, filename) {
    var blob = new Blob([JSON.stringify(value, null, 2) + "\n"], { type: "application/json" });
    var link = el("a", { href: URL.createObjectURL(blob), download: filename, id: "backup-link" },
      [msg("js.download_again")]);
    return link;
  }

  async function onGenerate(event) {
    event.preventDefault();
    var form = event.target;
    var data = new FormData(form);
    var passphrase = String(data.get("passphrase"));
    if (passphrase.length < config.backup.passphrase_chars_min) {
      say("generate-status", msg("js.passphrase_short", { chars_min: config.backup.passphrase_chars_min }), "bad");
      return;
    }
    if (passphrase !== String(data.get("passphrase_again"))) {
      say("generate-status", msg("js.passphrase_mismatch"), "bad");
      return;
    }
    say("generate-status", msg("js.generating"));
    var name = String(data.get("name")).trim();
    var made = await K.generate(name, passphrase, config.backup.iterations);
    await K.store(made.kept);
    current = made.kept;
    form.reset();
    var filename = "terang-key-" + made.kept.keyId.slice(0, 12) + ".terang-key.json";
    var link = downloadJson(made.backup, filename);
    show(document.getElementById("generate-status"), [
      el("p", { id: "generated" }, [msg("js.generated", { file: filename })]), el("p", {}, [link]),
    ]);
    link.click();
    showKey();
  }

  async function onRestore(event) {
    event.preventDefault();
    var form = event.target;
    var data = new FormData(form);
    var file = data.get("file");
    say("restore-status", msg("js.restoring"));
    try {
      var text = await file.text();
      var kept = text.indexOf("terang-ed25519-seed:") === 0
        ? await K.readKeyFile(text)
        : await K.readBackup(JSON.parse(text), String(data.get("passphrase")), config.backup);
      await K.store(kept);
      current = kept;
      form.reset();
      say("restore-status", msg("js.restored", { key: shortId(kept.keyId) }));
      document.getElementById("restore-status").firstChild.id = "restored";
      showKey();
    } catch (e) {
      var reason = e.code === "bad_passphrase" ? msg("js.bad_passphrase")
        : e.code === "bad_backup" ? msg("js.bad_backup", { format: e.message }) : e.message;
      say("restore-status", msg("js.restore_failed", { reason: reason }), "bad");
    }
  }

  async function onStatementForm(event) {
    event.preventDefault();
    placeAfter(event.target);
    pendingForm = event.target;
    if (!current) { result([el("p", { class: "bad" }, [msg("js.need_key")])], "bad"); return; }
    try {
      review(await build(event.target));
    } catch (e) {
      pending = null;
      document.getElementById("review").hidden = true;
      result([el("p", { class: "bad", id: "result-invalid" }, [e.message])], "bad");
    }
  }

  /* A tender document, checked against the hash the log holds before it is saved. */
  async function checkDocument(button) {
    var expected = button.dataset.document;
    var status = document.getElementById(button.getAttribute("aria-describedby"));
    status.dataset.check = "running";
    show(status, [msg("js.doc.checking")]);
    try {
      var response = await fetch("/api/v1/procurement/documents/" + expected);
      if (!response.ok) throw new Error("HTTP " + response.status);
      var bytes = new Uint8Array(await response.arrayBuffer());
      var digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
      var got = Array.from(digest, function (b) { return b.toString(16).padStart(2, "0"); }).join("");
      if (got !== expected) {
        status.dataset.check = "mismatch";
        show(status, [el("strong", { class: "bad" }, [msg("js.doc.bad")])]);
        return;
      }
      var blob = new Blob([bytes], { type: "application/octet-stream" });
      status.dataset.check = "ok";
      show(status, [msg("js.doc.ok", { size: bytes.length }) + " ",
        el("a", { href: URL.createObjectURL(blob), download: button.dataset.name },
          [msg("js.doc.save", { name: button.dataset.name })])]);
    } catch (e) {
      status.dataset.check = "failed";
      show(status, [el("span", { class: "bad" }, [msg("js.doc.failed", { reason: e.message })])]);
    }
  }

  async function start() {
    document.querySelectorAll("button[data-document]").forEach(function (button) {
      button.addEventListener("click", function () { checkDocument(button); });
    });
    if (!(await K.supported())) {
      document.querySelectorAll("form").forEach(function (f) { f.hidden = true; });
      say("key-status", msg("js.no_webcrypto"), "bad");
      return;
    }
    current = (await K.load()) || null;
    var on = function (id, type, handler) {
      var node = document.getElementById(id);
      if (node) node.addEventListener(type, handler);
    };
    on("generate-form", "submit", onGenerate);
    on("restore-form", "submit", onRestore);
    on("forget-button", "click", async function () {
      await K.forget();
      current = null;
      showKey();
    });
    document.querySelectorAll("form[data-statement]").forEach(function (form) {
      form.addEventListener("submit", onStatementForm);
    });
    on("review-sign", "click", signAndSend);
    on("review-cancel", "click", function () {
      pending = null;
      document.getElementById("review").hidden = true;
      result([el("p", {}, [msg("js.cancelled")])]);
    });
    // Forms arrive with their buttons disabled: without this script, a form would be sent
    // to the server as a query string, passphrase and all. Enabled only once handled here.
    document.querySelectorAll("button[data-needs-script]").forEach(function (button) {
      button.disabled = false;
    });
    document.body.dataset.ready = "true";
    await showKey();
    await showVendor();
  }

  start();
})();
