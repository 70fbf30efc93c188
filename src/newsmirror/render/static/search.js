// Search over the Pagefind index built with the site.  No other host is contacted.
(function () {
  "use strict";
  var root = new URL(".", document.currentScript.src);
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var query = new URLSearchParams(location.search).get("q") || "";
  var input = document.querySelector("form.search input[name=q]");
  var MAX_RESULTS = 30;

  if (input) { input.value = query; }
  if (!query.trim()) { return; }
  if (location.protocol === "file:") {
    status.textContent = "从本地文件打开时无法搜索，请运行 newsmirror serve 后在浏览器中打开。";
    return;
  }
  status.textContent = "正在搜索…";

  function appendExcerpt(parent, excerpt) {
    // Pagefind marks hits with <mark>; keep only text and those marks.
    var parsed = new DOMParser().parseFromString(excerpt, "text/html");
    parsed.body.childNodes.forEach(function (node) {
      if (node.nodeName === "MARK") {
        var mark = document.createElement("mark");
        mark.textContent = node.textContent;
        parent.appendChild(mark);
      } else {
        parent.appendChild(document.createTextNode(node.textContent));
      }
    });
  }

  function showResult(data) {
    var item = document.createElement("li");
    var link = document.createElement("a");
    link.href = new URL(data.url.replace(/^\//, ""), root).href;
    link.textContent = (data.meta && data.meta.title) || data.url;
    item.appendChild(link);
    var meta = document.createElement("div");
    meta.className = "meta";
    meta.textContent = [data.meta.source, data.meta.date].filter(Boolean).join(" · ");
    item.appendChild(meta);
    var snippet = document.createElement("p");
    appendExcerpt(snippet, data.excerpt || "");
    item.appendChild(snippet);
    list.appendChild(item);
  }

  import(new URL("pagefind/pagefind.js", root).href)
    .then(function (pagefind) {
      return pagefind.search(query).then(function (search) {
        var hits = search.results.slice(0, MAX_RESULTS);
        status.textContent = search.results.length
          ? "找到 " + search.results.length + " 篇文章。"
          : "没有找到含“" + query + "”的文章。";
        return Promise.all(hits.map(function (hit) { return hit.data(); }));
      });
    })
    .then(function (results) { (results || []).forEach(showResult); })
    .catch(function () {
      status.textContent = "搜索索引无法加载。";
    });
})();
