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
  var S = window.TerangSealed; // on the vendor's and the committee's pages only
  var pending = null; // the statement under review
  var pendingRows = []; // rows the review shows before the statement's own fields
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

  /* A price as a person types it, in the page's language: "814.000.000,50" (id) or
   * "814,000,000.50" (en), "Rp"/"IDR" and spaces allowed; sen as a BigInt. The other
   * language's separators are refused, not guessed (814.000.000 is not 814 rupiah). */
  function parsePrice(text) {
    var t = String(text).replace(/^\s*(Rp|IDR)\.?\s*/i, "").replace(/\s+/g, "");
    var group = config.lang === "en" ? "," : ".";
    var decimal = config.lang === "en" ? "." : ",";
    var esc = function (c) { return c === "." ? "\\." : c; };
    var shape = new RegExp("^(\\d{1,3}(?:" + esc(group) + "\\d{3})*|\\d+)(?:" + esc(decimal) + "(\\d{1,2}))?$");
    var match = shape.exec(t);
    if (!match) throw new Error(msg("js.bad_price"));
    var sen = BigInt(match[1].split(group).join("")) * 100n + BigInt((match[2] || "0").padEnd(2, "0"));
    if (sen <= 0n || sen > 9007199254740991n) throw new Error(msg("js.bad_price"));
    return sen;
  }

  /* An amount in words ("terbilang"), as a cheque writes it: what a person reads before
   * signing, so that a slipped zero shows. */
  var WORDS = {
    id: { ones: ["", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan"],
      scales: ["", "ribu", "juta", "miliar", "triliun", "kuadriliun"], currency: "rupiah", sen: "sen", and: "" },
    en: { ones: ["", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"],
      teens: ["ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"],
      tens: ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"],
      scales: ["", "thousand", "million", "billion", "trillion", "quadrillion"], currency: "rupiah", sen: "sen", and: "and" },
  };
  function threeDigits(n, lang) {
    var w = WORDS[lang];
    var h = Math.floor(n / 100), rest = n % 100, out = [];
    if (lang === "id") {
      if (h === 1) out.push("seratus"); else if (h) out.push(w.ones[h] + " ratus");
      if (rest === 10) out.push("sepuluh");
      else if (rest === 11) out.push("sebelas");
      else if (rest > 11 && rest < 20) out.push(w.ones[rest - 10] + " belas");
      else {
        if (rest >= 20) out.push(w.ones[Math.floor(rest / 10)] + " puluh");
        if (rest % 10 && rest >= 20 || rest < 10 && rest) out.push(w.ones[rest % 10]);
      }
    } else {
      if (h) out.push(w.ones[h] + " hundred");
      if (rest >= 10 && rest < 20) out.push(w.teens[rest - 10]);
      else if (rest >= 20) out.push(w.tens[Math.floor(rest / 10)] + (rest % 10 ? "-" + w.ones[rest % 10] : ""));
      else if (rest) out.push(w.ones[rest]);
    }
    return out.join(" ");
  }
  function spellWhole(value, lang) {
    if (value === 0n) return lang === "id" ? "nol" : "zero";
    var groups = [];
    while (value > 0n) { groups.push(Number(value % 1000n)); value /= 1000n; }
    var parts = [];
    for (var i = groups.length - 1; i >= 0; i--) {
      if (!groups[i]) continue;
      if (lang === "id" && i === 1 && groups[i] === 1) { parts.push("seribu"); continue; }
      parts.push(threeDigits(groups[i], lang) + (i ? " " + WORDS[lang].scales[i] : ""));
    }
    return parts.join(" ");
  }
  function spell(sen) {
    var lang = config.lang === "en" ? "en" : "id";
    var w = WORDS[lang];
    var value = BigInt(sen);
    var text = spellWhole(value / 100n, lang) + " " + w.currency;
    var cents = value % 100n;
    if (cents) text += (w.and ? " " + w.and : "") + " " + spellWhole(cents, lang) + " " + w.sen;
    return text;
  }
  window.TerangWorkspace = { rupiah: rupiah, moment: moment, npwp: npwp, msg: msg,
    parsePrice: parsePrice, spell: spell };

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
    } else if (type === "procurement.bid.submitted") {
      return buildBid(form, value("price"));
    } else if (type === "procurement.bid.withdrawn") {
      subject = form.dataset.ocid;
      body = {};
      words = { title: form.dataset.title };
    } else if (type === "procurement.member.box_key_registered") {
      if (!(await K.boxSupported())) throw new Error(msg("js.box.unsupported"));
      var box = await K.generateBox(current.keyId);
      subject = current.keyId;
      body = { x25519_public_key: box.publicKey };
      words = { public: box.publicKey };
    } else if (type === "procurement.tender.shares_released") {
      return buildRelease(form);
    } else {
      throw new Error("unknown form " + type);
    }
    return statementOf(type, subject, body, msg("js.say." + type, Object.assign(words, { subject: shortId(subject) })), []);
  }

  function statementOf(type, subject, body, summary, rows) {
    var statement = { type: type, subject: subject, signer: current.keyId,
      time: new Date().toISOString(), nonce: K.nonce(), body: body };
    return { statement: statement, summary: summary, rows: rows };
  }

  var BIDS = "/api/v1/procurement/tenders/";
  async function tenderDoc(ocid) {
    var found = await getJson(BIDS + encodeURIComponent(ocid));
    if (!found) throw new Error(ocid + ": HTTP 404");
    return found.tender;
  }
  /* This vendor's bid document in a tender, or null: the bids page is keyed by bidder,
   * so the page after the id just below ours starts with ours, if any. */
  async function ownBid(ocid, bidder) {
    var before = (BigInt("0x" + bidder) - 1n).toString(16).padStart(64, "0");
    var page = await getJson(BIDS + encodeURIComponent(ocid) + "/bids?limit=1&after=" + before);
    var item = page && page.items[0];
    return item && item.bidder === bidder ? item : null;
  }
  async function allBids(ocid) {
    var bids = [], after = "";
    for (;;) {
      var page = await getJson(BIDS + encodeURIComponent(ocid) + "/bids?limit=100" + (after ? "&after=" + after : ""));
      bids = bids.concat(page.items);
      if (!page.next_after || page.next_after <= after) return bids;
      after = page.next_after;
    }
  }

  /* A sealed bid: the price typed becomes an envelope sealed here (sealed.js); the
   * statement carries only the ciphertext, its hashes, the commitments and the shares
   * sealed to each committee member's registered box key (read from the tender). */
  async function buildBid(form, typed) {
    var ocid = form.dataset.ocid;
    var sen = parsePrice(typed);
    var tender = await tenderDoc(ocid);
    if (tender.state !== "active") throw new Error(msg("js.tender_not_open", { state: tender.state }));
    var committee = tender.committee.members;
    if (!committee.every(function (m) { return typeof m.x25519_public_key === "string"; })) {
      throw new Error(msg("js.box_missing"));
    }
    var own = await ownBid(ocid, current.keyId);
    var type = own && own.status === "submitted" ? "procurement.bid.replaced" : "procurement.bid.submitted";
    var sealed = S.sealBid({ ocid: ocid, bidder: current.keyId, priceSen: sen, documents: [],
      committee: committee, threshold: tender.committee.threshold, addendum: tender.addenda });
    sealed.key.fill(0); // the vendor's own copy is not kept: the committee's shares open it
    var price = msg("js.price_words", { rupiah: rupiah(sen), words: spell(sen) });
    var summary = msg("js.say." + type, { title: form.dataset.title, subject: ocid, price: price });
    return statementOf(type, ocid, sealed.body, summary,
      [["js.field.price", price + ". " + msg("js.sealed_note")]]);
  }

  /* This member's shares of a closed tender's bids, opened here with its box key and
   * checked against each vendor's commitments before anything is signed. */
  async function buildRelease(form) {
    var ocid = form.dataset.ocid;
    var tender = await tenderDoc(ocid);
    var entry = tender.committee.members.find(function (m) { return m.key_id === current.keyId; });
    if (!entry) throw new Error(msg("js.member.no"));
    var boxes = await K.loadBoxes(current.keyId);
    var box = boxes.find(function (b) { return b.publicKey === entry.x25519_public_key; });
    if (!box) throw new Error(msg("js.release.no_box", { public: entry.x25519_public_key }));
    var found = await S.releaseShares(current.keyId, box.privateKey, K.unb64(box.publicKey), await allBids(ocid));
    var rows = [];
    if (found.bad.length) rows.push(["js.release.bad_title", msg("js.release.bad", { bidders: found.bad.map(shortId).join(", ") })]);
    if (!found.releases.length) throw new Error(found.bad.length ? rows[0][1] : msg("js.release.nothing"));
    var releases = found.releases.slice(0, config.releases_max);
    if (releases.length < found.releases.length) rows.push(["js.release.more_title", msg("js.release.more", { count: releases.length })]);
    var summary = msg("js.say.procurement.tender.shares_released",
      { count: releases.length, title: form.dataset.title, subject: ocid });
    return statementOf("procurement.tender.shares_released", ocid, { shares: releases }, summary, rows);
  }

  function fieldText(name, value) {
    if (name === "roles") return roleNames(value);
    if (name === "role") return msg("role." + value) + " (" + value + ")";
    if (name === "qualification") return msg("qualification." + value);
    if (/_sen$/.test(name)) return rupiah(value);
    if (name === "ciphertext") return msg("js.bytes", { bytes: K.unb64(value).length });
    if (Array.isArray(value) && (name === "commitments" || name === "shares")) {
      return msg("js.items", { count: value.length });
    }
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
    ].concat(built.rows || []);
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
    if (/^procurement\.bid\./.test(statement.type)) await downloadProof(answer);
    showKey();
    showVendor();
    showBids();
    showCommittee();
  }

  /* A bid's receipt: the log's C2SP tlog-proof of the entry, saved at once (the log
   * answers with it when a checkpoint already covers the entry; else it is fetched as
   * soon as one does). */
  async function downloadProof(answer) {
    var body = document.getElementById("result-body");
    var status = el("p", { id: "proof-status" }, [msg("js.proof.waiting")]);
    body.appendChild(status);
    var text = answer.tlog_proof, reason = "";
    for (var attempt = 0; !text && attempt < 60; attempt++) {
      await new Promise(function (resolve) { setTimeout(resolve, 1000); });
      try {
        var response = await fetch("/api/v1/entries/" + answer.seq + "/tlog-proof");
        if (response.ok) text = await response.text();
        else reason = "HTTP " + response.status;
      } catch (e) {
        reason = e.message;
      }
    }
    if (!text) {
      show(status, [el("span", { class: "bad" }, [msg("js.proof.failed", { reason: reason, seq: answer.seq })])]);
      return;
    }
    var file = "entry-" + answer.seq + ".tlog-proof";
    var link = el("a", { href: URL.createObjectURL(new Blob([text], { type: "text/plain" })),
      download: file, id: "proof-link" }, [msg("js.proof.again", { file: file })]);
    status.dataset.ready = "true";
    show(status, [msg("js.proof.ready", { file: file }) + " ", link]);
    link.click();
  }

  /* The vendor's own bid in each open tender: its status, and withdrawal when active. */
  async function showBids() {
    var blocks = document.querySelectorAll(".ws-bid");
    for (var i = 0; i < blocks.length; i++) {
      var block = blocks[i];
      var status = block.querySelector(".ws-bid-status");
      var withdraw = block.querySelector('form[data-statement="procurement.bid.withdrawn"]');
      if (!current) { show(status, [msg("js.need_key")]); continue; }
      try {
        var bid = await ownBid(block.dataset.ocid, current.keyId);
        var active = bid && bid.status === "submitted";
        status.dataset.bid = bid ? bid.status : "none";
        withdraw.hidden = !active;
        show(status, [el("p", {}, [!bid ? msg("js.bid.none") : active
          ? msg("js.bid.active", { seq: bid.seq, version: bid.version })
          : msg("js.bid.withdrawn", { seq: bid.withdrawn_seq || bid.seq })])]);
      } catch (e) {
        show(status, [el("p", { class: "bad" }, [msg("js.network", { reason: e.message })])]);
      }
    }
  }

  /* The committee page: the box keys kept here against the registered one, and which
   * of the listed tenders name this key on their committee. */
  async function showCommittee() {
    var target = document.getElementById("box-status");
    if (!target) return;
    if (!current) { say("box-status", msg("js.need_key")); return; }
    try {
      var boxes = await K.loadBoxes(current.keyId);
      var doc = await registryDoc(current.keyId);
      var registered = doc && doc.x25519_public_key;
      var nodes = [];
      if (!boxes.length) nodes.push(el("p", {}, [msg("js.box.none")]));
      boxes.forEach(function (box) {
        nodes.push(el("p", { class: "ws-box", "data-public": box.publicKey },
          [msg("js.box.kept", { public: box.publicKey })]));
      });
      if (registered) {
        var mine = boxes.some(function (b) { return b.publicKey === registered; });
        nodes.push(el("p", { id: "box-registered", class: mine ? "" : "bad", "data-public": registered },
          [mine ? msg("js.box.registered", { seq: doc.x25519_registered_seq })
            : msg("js.box.not_registered", { registered: registered })]));
      }
      show(target, nodes);
    } catch (e) {
      say("box-status", msg("js.network", { reason: e.message }), "bad");
    }
    var mine = 0;
    document.querySelectorAll(".ws-committee-tender").forEach(function (article) {
      var members = article.dataset.members.split(" ");
      var x = members.indexOf(current.keyId) + 1;
      var released = article.dataset.released.split(" ").indexOf(current.keyId) >= 0;
      article.hidden = x === 0;
      if (x) mine++;
      show(article.querySelector(".ws-member"), x ? [msg("js.member.yes", { x: x }) +
        (released ? " " + msg("js.member.released") : "")] : []);
    });
    var none = document.getElementById("not-on-any");
    if (none) none.hidden = mine > 0 || !document.querySelector(".ws-committee-tender");
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
    await showBids();
    await showCommittee();
  }

  start();
})();
