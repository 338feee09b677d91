/* kg serve's SPARQL editor: CodeMirror 5 (npm "codemirror", SPARQL mode) over a textarea,
   examples and prefixes, results as a table; queries go to this server's /sparql only. */
(function () {
  "use strict";
  const area = document.getElementById("sparql-query");
  if (!area) return;
  const config = JSON.parse(document.getElementById("sparql-config").dataset.config);
  const status = document.getElementById("sparql-status");
  const out = document.getElementById("sparql-results");
  let editor = null;
  if (window.CodeMirror) {
    editor = window.CodeMirror.fromTextArea(area, { mode: "application/sparql-query", lineNumbers: true,
      extraKeys: { "Ctrl-Enter": () => run(), "Cmd-Enter": () => run() } });
  } else {
    area.addEventListener("keydown", (e) => { if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) run(); });
  }
  const get = () => (editor ? editor.getValue() : area.value);
  const set = (text) => (editor ? editor.setValue(text) : (area.value = text));

  function cell(term) {
    const td = document.createElement("td");
    if (!term) return td;
    td.textContent = term.value;
    if (term.type === "uri") td.className = "iri";
    return td;
  }
  async function run() {
    status.textContent = "running…";
    out.textContent = "";
    const started = performance.now();
    let response;
    try {
      response = await fetch("sparql", { method: "POST", headers: { Accept: "application/sparql-results+json",
        "Content-Type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ query: get() }) });
    } catch (err) {
      status.textContent = "";
      out.append(Object.assign(document.createElement("p"), { className: "error", textContent: String(err) }));
      return;
    }
    const text = await response.text();
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    if (!response.ok) {
      status.textContent = `HTTP ${response.status} in ${seconds} s`;
      out.append(Object.assign(document.createElement("p"), { className: "error", textContent: text }));
      return;
    }
    if (!(response.headers.get("Content-Type") || "").includes("json")) {
      status.textContent = `graph result in ${seconds} s`;
      out.append(Object.assign(document.createElement("pre"), { textContent: text }));
      return;
    }
    const doc = JSON.parse(text);
    if ("boolean" in doc) {
      status.textContent = `answered in ${seconds} s`;
      out.append(Object.assign(document.createElement("p"), { textContent: String(doc.boolean) }));
      return;
    }
    const vars = doc.head.vars;
    const rows = doc.results.bindings;
    status.textContent = `${rows.length} rows in ${seconds} s`;
    const table = document.createElement("table");
    table.id = "results";
    const head = table.insertRow();
    for (const v of vars) head.append(Object.assign(document.createElement("th"), { textContent: v }));
    for (const row of rows.slice(0, 5000)) {
      const tr = table.insertRow();
      for (const v of vars) tr.append(cell(row[v]));
    }
    out.append(table);
  }
  function download(format) { // a plain form post: the browser saves what /sparql answers
    const form = document.createElement("form");
    form.method = "post";
    form.action = "sparql";
    for (const [k, v] of Object.entries({ query: get(), format })) {
      const input = document.createElement("input");
      input.type = "hidden"; input.name = k; input.value = v;
      form.append(input);
    }
    document.body.append(form);
    form.submit();
    form.remove();
  }
  document.getElementById("sparql-run").addEventListener("click", run);
  for (const b of document.querySelectorAll(".sparql-download")) b.addEventListener("click", () => download(b.dataset.format));
  document.getElementById("sparql-examples").addEventListener("change", (e) => {
    const text = config.examples[e.target.value];
    if (text) set(text);
  });
  document.getElementById("sparql-prefixes").addEventListener("click", () => {
    const have = get();
    const missing = Object.entries(config.prefixes).filter(([k]) => !new RegExp(`PREFIX\\s+${k}:`, "i").test(have));
    set(missing.map(([k, v]) => `PREFIX ${k}: <${v}>`).join("\n") + (missing.length ? "\n" : "") + have);
  });
})();
