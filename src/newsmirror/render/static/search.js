// Search over the index that newsmirror writes into search/ (newsmirror.search.static_index).
// The query is folded with the same character map and cut into the same terms as the
// indexed text (newsmirror.search.terms); an article matches when it has every term.
// Only files of this site are fetched; nothing is contacted elsewhere.
(function () {
  "use strict";
  var PAGE_SIZE = 20;
  var MAX_TERM_CHARS = 40;
  var MAX_QUERY_TERMS = 8;
  var HAN = "\\u3400-\\u4DBF\\u4E00-\\u9FFF\\uF900-\\uFAFF\\u{20000}-\\u{3134F}";
  var PIECE = new RegExp("([" + HAN + "]+)|([0-9]+)|((?:(?![" + HAN + "])[\\p{L}\\p{Nl}\\p{No}])+)", "gu");
  var HAN_CHAR = new RegExp("^[" + HAN + "]$", "u");
  var LETTER_CHAR = /^[\p{L}\p{Nl}\p{No}]$/u;
  var script = document.currentScript;
  var root = new URL(".", script ? script.src : location.href);
  var base = new URL("search/", root);
  var fetched = new Map();

  function fetchOnce(url, kind) {
    if (!fetched.has(url)) {
      fetched.set(url, fetch(url).then(function (response) {
        if (!response.ok) { throw new Error(url + ": " + response.status); }
        return kind === "json" ? response.json() : response.arrayBuffer();
      }));
    }
    return fetched.get(url);
  }

  // -- the query -----------------------------------------------------------------------

  function makeFolder(chars) {
    var from = Array.from(chars.from), to = Array.from(chars.to), map = new Map();
    from.forEach(function (ch, i) { map.set(ch, to[i]); });
    return function (text) { return Array.from(text, function (ch) { return map.get(ch) || ch; }); };
  }

  // Runs and terms of a query, as newsmirror.search.terms.parse_query makes them.
  function parseQuery(folded) {
    var text = folded.join(""), runs = [], single = [], match;
    PIECE.lastIndex = 0;
    while ((match = PIECE.exec(text)) !== null) {
      if (match[1] && Array.from(match[0]).length === 1) { single.push(match[0]); } else { runs.push(match[0]); }
    }
    var terms = queryTerms(runs, false);
    if (terms.length > MAX_QUERY_TERMS) { terms = queryTerms(runs, true); }
    return { runs: runs, terms: terms, single: single };
  }

  function queryTerms(runs, covering) {
    var terms = [];
    runs.forEach(function (run) {
      var chars = Array.from(run), own = [];
      if (HAN_CHAR.test(chars[0])) {
        for (var i = 0; i + 1 < chars.length; i++) { own.push(chars[i] + chars[i + 1]); }
        if (covering) {
          own = own.filter(function (term, k) { return k % 2 === 0 || k === own.length - 1; });
        }
      } else {
        own.push(chars.slice(0, MAX_TERM_CHARS).join(""));
      }
      own.forEach(function (term) { if (terms.indexOf(term) < 0) { terms.push(term); } });
    });
    return terms;
  }

  // -- the index -----------------------------------------------------------------------

  function fnv1a(bytes) {
    var hash = 0x811c9dc5;
    for (var i = 0; i < bytes.length; i++) {
      hash = Math.imul(hash ^ bytes[i], 0x01000193) >>> 0;
    }
    return hash;
  }

  function readVarint(bytes, state) {
    var value = 0, scale = 1, byte;
    do {
      byte = bytes[state.at++];
      value += (byte & 0x7f) * scale;
      scale *= 128;
    } while (byte & 0x80);
    return value;
  }

  function sameBytes(bytes, start, term) {
    for (var i = 0; i < term.length; i++) {
      if (bytes[start + i] !== term[i]) { return false; }
    }
    return true;
  }

  // The docids of one term in one bucket file (ascending), or [] when absent; the
  // format is newsmirror.search.postings' (low: the segment's lowest docid).
  function postingsIn(buffer, term, low) {
    var bytes = new Uint8Array(buffer), state = { at: 0 };
    while (state.at < bytes.length) {
      var head = readVarint(bytes, state), length = Math.floor(head / 2), start = state.at;
      state.at += length;
      var first = low + readVarint(bytes, state), gapsEnd = state.at;
      if (head % 2) {
        readVarint(bytes, state);  // how many docids, less two
        gapsEnd = readVarint(bytes, state);
        gapsEnd += state.at;
      }
      if (length === term.length && sameBytes(bytes, start, term)) {
        var docids = [first];
        while (state.at < gapsEnd) { docids.push(docids[docids.length - 1] + readVarint(bytes, state)); }
        return docids;
      }
      state.at = gapsEnd;
    }
    return [];
  }

  function intersect(a, b) {
    var out = [], i = 0, j = 0;
    while (i < a.length && j < b.length) {
      if (a[i] === b[j]) { out.push(a[i]); i++; j++; } else if (a[i] < b[j]) { i++; } else { j++; }
    }
    return out;
  }

  function bucketUrl(segment, termBytes) {
    var bucket = segment.bits ? fnv1a(termBytes) >>> (32 - segment.bits) : 0;
    return new URL(segment.name + "/" + bucket + ".bin", base).href;
  }

  // The live docids of one segment that have every term: terms are read one after
  // the other, and a segment where one term is missing is not asked for the rest.
  async function matchesIn(segment, terms, dead) {
    var found = null;
    for (var i = 0; i < terms.length && (found === null || found.length); i++) {
      var buffer = await fetchOnce(bucketUrl(segment, terms[i]), "bin");
      var docids = postingsIn(buffer, terms[i], segment.low);
      found = found === null ? docids : intersect(found, docids);
    }
    return (found || []).filter(function (docid) {
      return !(dead.get(docid) > segment.generation);
    });
  }

  async function findDocids(manifest, terms) {
    var encoder = new TextEncoder(), dead = new Map(manifest.dead);
    var termBytes = terms.map(function (term) { return encoder.encode(term); });
    var parts = await Promise.all(manifest.segments.map(function (segment) {
      return matchesIn(segment, termBytes, dead);
    }));
    var all = [].concat.apply([], parts).sort(function (a, b) { return b - a; });
    return all.filter(function (docid, i) { return i === 0 || all[i - 1] !== docid; });
  }

  async function entriesFor(manifest, docids) {
    var size = manifest.docs_per_chunk;
    var chunks = await Promise.all(docids.map(function (docid) {
      return fetchOnce(new URL("docs/" + Math.floor(docid / size) + ".json", base).href, "json");
    }));
    return docids.map(function (docid, i) { return chunks[i][docid % size] || null; });
  }

  // -- the page ------------------------------------------------------------------------

  function kindOf(ch) {
    if (!ch) { return ""; }
    if (HAN_CHAR.test(ch)) { return "han"; }
    if (ch >= "0" && ch <= "9") { return "digit"; }
    return LETTER_CHAR.test(ch) ? "letter" : "";
  }

  // Marks where a run of the query occurs; a run of letters or digits only as a whole word.
  function appendMarked(parent, text, fold, runs) {
    var original = Array.from(text), folded = fold(text), marked = new Array(original.length);
    runs.forEach(function (run) {
      var needle = Array.from(run), kind = kindOf(needle[0]), whole = kind !== "han";
      for (var i = 0; i + needle.length <= folded.length; i++) {
        var hit = needle.every(function (ch, k) { return folded[i + k] === ch; }) &&
          !(whole && (kindOf(folded[i - 1]) === kind || kindOf(folded[i + needle.length]) === kind));
        for (var k = 0; hit && k < needle.length; k++) { marked[i + k] = true; }
      }
    });
    var i = 0;
    while (i < original.length) {
      var j = i;
      while (j < original.length && !!marked[j] === !!marked[i]) { j++; }
      var piece = original.slice(i, j).join("");
      if (marked[i]) {
        var mark = document.createElement("mark");
        mark.textContent = piece;
        parent.appendChild(mark);
      } else {
        parent.appendChild(document.createTextNode(piece));
      }
      i = j;
    }
  }

  function showResult(list, entry, manifest, fold, runs) {
    var item = document.createElement("li"), link = document.createElement("a");
    link.href = new URL(entry[0], root).href;
    appendMarked(link, entry[1], fold, runs);
    item.appendChild(link);
    var meta = document.createElement("div");
    meta.className = "meta";
    meta.textContent = [manifest.sources[entry[2]] || entry[2], entry[3]].join(" · ");
    item.appendChild(meta);
    var summary = document.createElement("p");
    appendMarked(summary, entry[4], fold, runs);
    item.appendChild(summary);
    list.appendChild(item);
  }

  function pageLink(query, page, label, rel) {
    var link = document.createElement("a");
    link.href = "?q=" + encodeURIComponent(query) + "&p=" + page;
    link.rel = rel;
    link.textContent = label;
    return link;
  }

  function showPaging(nav, query, page, pages) {
    if (pages < 2) { return; }
    if (page > 1) { nav.appendChild(pageLink(query, page - 1, "上一页", "prev")); }
    var where = document.createElement("span");
    where.textContent = "第 " + page + " / " + pages + " 页";
    nav.appendChild(where);
    if (page < pages) { nav.appendChild(pageLink(query, page + 1, "下一页", "next")); }
  }

  async function search(query, page, elements) {
    var loaded = await Promise.all([fetchOnce(new URL("manifest.json", base).href, "json"),
                                    fetchOnce(new URL("chars.json", base).href, "json")]);
    var manifest = loaded[0], fold = makeFolder(loaded[1]);
    var parsed = parseQuery(fold(query));
    if (!parsed.terms.length) {
      elements.status.textContent = parsed.single.length
        ? "请输入两个或更多汉字：单个汉字无法搜索。"
        : "请输入要搜索的词。";
      return;
    }
    var docids = await findDocids(manifest, parsed.terms);
    var pages = Math.max(1, Math.ceil(docids.length / PAGE_SIZE));
    page = Math.min(Math.max(page, 1), pages);
    var shown = docids.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
    var entries = await entriesFor(manifest, shown);
    var note = parsed.single.length ? "（单个汉字无法搜索，已忽略：" + parsed.single.join("、") + "）" : "";
    elements.status.textContent = docids.length
      ? "找到 " + docids.length + " 篇文章，按时间从新到旧排列。" + note
      : "没有找到含“" + query.trim() + "”的文章。" + note;
    entries.forEach(function (entry) {
      if (entry) { showResult(elements.list, entry, manifest, fold, parsed.runs); }
    });
    showPaging(elements.nav, query, page, pages);
  }

  function start() {
    var params = new URLSearchParams(location.search);
    var query = params.get("q") || "", page = parseInt(params.get("p") || "1", 10) || 1;
    var input = document.querySelector("form.search input[name=q]");
    var elements = { status: document.getElementById("search-status"),
                     list: document.getElementById("search-results"),
                     nav: document.getElementById("search-pages") };
    if (input) { input.value = query; }
    if (!query.trim() || !elements.status) { return; }
    if (location.protocol === "file:") {
      elements.status.textContent = "从本地文件打开时无法搜索：请在镜像的文件夹中运行 newsmirror serve，再在浏览器中打开它给出的地址。";
      return;
    }
    elements.status.textContent = "正在搜索…";
    search(query, page, elements).catch(function () {
      elements.status.textContent = "搜索索引无法加载。";
    });
  }

  window.newsmirrorSearch = { parseQuery: parseQuery, makeFolder: makeFolder };
  start();
})();
