(function () {
  "use strict";
  var errors = window.__tkgErrors;
  var raw = JSON.parse(document.getElementById("tkg-data").textContent);
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function safeUrl(u) { return (typeof u === "string" && /^https?:\/\//i.test(u)) ? u : null; }
  // a hover tooltip shows at most 300 characters of a text; the details panel shows it whole
  function cap(s, full) {
    if (s === null || s === undefined) { return s; }
    s = String(s);
    return (full || s.length <= 300) ? s : s.slice(0, 299) + "\u2026";
  }
  function tip(t, full) {
    var box = el("div", "tkg-tip");
    box.appendChild(el("strong", null, cap(t.heading, full)));
    if (t.info && t.info.length) {
      var table = el("table");
      t.info.forEach(function (row) {
        var tr = el("tr");
        tr.appendChild(el("th", null, cap(row[0], full)));
        tr.appendChild(el("td", null, cap(row[1], full)));
        table.appendChild(tr);
      });
      box.appendChild(table);
    }
    var links = (t.links || []).filter(function (l) { return safeUrl(l[0]); });
    if (links.length) {
      box.appendChild(el("div", null, "Sources:"));
      var ul = el("ul", "tkg-links");
      links.forEach(function (l) {
        var li = el("li"), a = el("a", null, cap(l[1] || l[0], full));
        a.href = safeUrl(l[0]); a.target = "_blank"; a.rel = "noopener noreferrer";
        li.appendChild(a); ul.appendChild(li);
      });
      box.appendChild(ul);
    }
    return box;
  }
  var meta = {};
  function item(x) {
    var o = {};
    Object.keys(x).forEach(function (k) { if (k !== "tkg") { o[k] = x[k]; } });
    o.title = tip(x.tkg);
    meta[x.id] = x.tkg;
    return o;
  }
  var nodes = new vis.DataSet(raw.nodes.map(item));
  var edges = new vis.DataSet(raw.edges.map(item));
  var state = {sender: "", status: "", since: "", until: "", undated: true};
  function active() { return !!(state.sender || state.status || state.since || state.until); }
  function edgeOk(e) {
    var f = (meta[e.id] || {}).f;
    if (!f) { return true; }
    if (state.sender && f.sender.indexOf(state.sender) < 0) { return false; }
    if (state.status && f.status.indexOf(state.status) < 0) { return false; }
    if (state.since || state.until) {
      if (!f.early || !f.late) { return state.undated; }
      if (state.since && f.late < state.since) { return false; }
      if (state.until && f.early > state.until) { return false; }
    }
    return true;
  }
  var shown = null;
  function nodeOk(n) { return shown === null || shown[n.id] === true; }
  var edgeView = new vis.DataView(edges, {filter: edgeOk});
  var nodeView = new vis.DataView(nodes, {filter: nodeOk});
  var container = document.getElementById("tkg-network");
  var network = new vis.Network(container, {nodes: nodeView, edges: edgeView}, raw.options);
  var stabilized = false;
  function report() {
    var info = {
      nodes: network.body.nodeIndices.length,
      edges: network.body.edgeIndices.length,
      dataNodes: nodeView.length,
      dataEdges: edgeView.length,
      stabilized: stabilized,
      errors: errors.slice()
    };
    var status = document.getElementById("tkg-status");
    status.textContent = JSON.stringify(info);
    status.setAttribute("data-nodes", String(info.nodes));
    status.setAttribute("data-edges", String(info.edges));
    document.getElementById("tkg-count").textContent =
      info.nodes + " nodes and " + info.edges + " edges shown";
  }
  network.once("stabilizationIterationsDone", function () {
    network.setOptions({physics: false});
    stabilized = true;
    report();
  });
  function details(id) {
    var box = document.getElementById("tkg-details");
    box.textContent = "";
    if (id !== null && meta[id]) { box.appendChild(tip(meta[id], true)); }
    else { box.appendChild(el("p", null, "Click a node or an edge to see its details and sources here.")); }
  }
  network.on("click", function (p) {
    details(p.nodes.length ? p.nodes[0] : (p.edges.length ? p.edges[0] : null));
  });
  // page.html#id:state-XK (or #Kosovo) opens with that node's details: a link that can be shared
  var wanted = decodeURIComponent(location.hash.slice(1));
  if (wanted) {
    Object.keys(meta).forEach(function (id) {
      if (meta[id].key === wanted || meta[id].heading === wanted) {
        details(id);
        if (network.body.nodes[id]) { network.selectNodes([id]); }
      }
    });
  }
  function apply() {
    var positions = network.getPositions();
    nodes.update(Object.keys(positions).map(function (id) {
      return {id: id, x: positions[id].x, y: positions[id].y};
    }));
    if (active()) {
      shown = {};
      edges.get().forEach(function (e) { if (edgeOk(e)) { shown[e.from] = true; shown[e.to] = true; } });
    } else {
      shown = null;
    }
    edgeView.refresh();
    nodeView.refresh();
    report();
  }
  var form = document.getElementById("tkg-filters");
  if (form) {
    form.addEventListener("change", function () {
      state.sender = form.elements.sender ? form.elements.sender.value : "";
      state.status = form.elements.status ? form.elements.status.value : "";
      state.since = form.elements.since ? form.elements.since.value : "";
      state.until = form.elements.until ? form.elements.until.value : "";
      state.undated = form.elements.undated ? form.elements.undated.checked : true;
      apply();
    });
    form.addEventListener("reset", function () { setTimeout(function () { form.dispatchEvent(new Event("change")); }, 0); });
  }
  window.network = network;
  window.tkg = {nodes: nodes, edges: edges, nodeView: nodeView, edgeView: edgeView, state: state, apply: apply,
                report: report};
  report();
})();
