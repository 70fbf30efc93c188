"""Hostile HTML: every payload calls ``alert(1)`` (or would navigate to script) if it runs.

Written for these tests from the known families of HTML injection: script in
every casing and namespace, event handlers, script URLs behind entities and
whitespace, SVG and MathML, ``<base>``, ``<meta http-equiv=refresh>``,
``srcdoc``, ``formaction``, CSS ``expression()`` and ``url(javascript:)``,
mutation XSS (markup that parses differently the second time), comment and
CDATA tricks.  Hosts are ``.invalid``, so nothing here can reach a real server.
"""

from __future__ import annotations

PAYLOADS: tuple[tuple[str, str], ...] = (
    # script, any casing, namespace or wrapper
    ("script", "<script>alert(1)</script>"),
    ("script-upper", "<SCRIPT>alert(1)</SCRIPT>"),
    ("script-mixed", "<ScRiPt>alert(1)</sCrIpT>"),
    ("script-src-data", '<script src="data:text/javascript,alert(1)"></script>'),
    ("script-unclosed", "<script>alert(1)"),
    ("script-split", "<scr<script>ipt>alert(1)</scr</script>ipt>"),
    ("script-svg", "<svg><script>alert(1)</script></svg>"),
    ("script-svg-href", '<svg><script href="data:,alert(1)"></script></svg>'),
    ("script-math", "<math><mtext><script>alert(1)</script></mtext></math>"),
    ("script-namespaced",
     '<html:script xmlns:html="http://www.w3.org/1999/xhtml">alert(1)</html:script>'),
    ("script-template", "<template><script>alert(1)</script></template>"),
    ("script-slash-attr", "<script/x>alert(1)</script>"),
    # event handlers
    ("onerror", "<img src=x onerror=alert(1)>"),
    ("onerror-casing", "<IMG SRC=x OnErRoR=alert(1)>"),
    ("onerror-slashes", "<img/src=x/onerror=alert(1)>"),
    ("onerror-newline", "<img src=x onerror\n=alert(1)>"),
    ("onerror-quoted-entities", '<img src=x onerror="&#97;lert(1)">'),
    ("onload-body", "<body onload=alert(1)>"),
    ("onload-svg", "<svg onload=alert(1)></svg>"),
    ("onmouseover", "<p onmouseover=alert(1)>悬停</p>"),
    ("onclick-link", '<a href="https://news.invalid/" onclick="alert(1)">链接</a>'),
    ("ontoggle", "<details open ontoggle=alert(1)><summary>x</summary></details>"),
    ("onfocus-autofocus", "<input autofocus onfocus=alert(1)>"),
    ("onerror-source", "<video><source onerror=alert(1)></video>"),
    ("onstart-marquee", "<marquee onstart=alert(1)>x</marquee>"),
    ("onbegin-svg-animate", '<svg><animate onbegin=alert(1) attributeName=x dur=1s />'),
    # script URLs, plain and disguised
    ("href-javascript", '<a href="javascript:alert(1)">点我</a>'),
    ("href-javascript-casing", '<a href="JaVaScRiPt:alert(1)">点我</a>'),
    ("href-javascript-leading-space", '<a href=" \tjavascript:alert(1)">点我</a>'),
    ("href-javascript-tab", '<a href="java\tscript:alert(1)">点我</a>'),
    ("href-javascript-entity-tab", '<a href="java&#x09;script:alert(1)">点我</a>'),
    ("href-javascript-entity-newline", '<a href="jav&#x0A;ascript:alert(1)">点我</a>'),
    ("href-javascript-decimal",
     '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">点我</a>'),
    ("href-javascript-hex",
     '<a href="&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1)">'
     "点我</a>"),
    ("href-javascript-no-semicolons",
     '<a href="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105'
     '&#0000112&#0000116&#0000058alert(1)">点我</a>'),
    ("href-javascript-colon-entity", '<a href="javascript&colon;alert(1)">点我</a>'),
    ("href-javascript-control-char", '<a href="\x01javascript:alert(1)">点我</a>'),
    ("href-vbscript", '<a href="vbscript:msgbox(1)">点我</a>'),
    ("href-data-html", '<a href="data:text/html,<script>alert(1)</script>">点我</a>'),
    ("href-data-base64",
     '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">点我</a>'),
    ("img-src-javascript", '<img src="javascript:alert(1)">'),
    ("img-srcset-javascript",
     '<img src="https://img.invalid/a.jpg" srcset="javascript:alert(1) 1x">'),
    ("img-src-data-svg",
     '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+PC9zdmc+">'),
    ("iframe-javascript", '<iframe src="javascript:alert(1)"></iframe>'),
    ("object-data", '<object data="data:text/html,<script>alert(1)</script>"></object>'),
    ("embed-javascript", '<embed src="javascript:alert(1)">'),
    ("svg-xlink-href",
     '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">点</text></a></svg>'),
    ("svg-animate-href",
     '<svg><a><animate attributeName="href" values="javascript:alert(1)"/>'
     '<text x="20" y="20">点</text></a></svg>'),
    ("math-href", '<math href="javascript:alert(1)"><mi>x</mi></math>'),
    ("blockquote-cite", '<blockquote cite="javascript:alert(1)">引用</blockquote>'),
    # forms
    ("formaction", '<form><button formaction="javascript:alert(1)">提交</button></form>'),
    ("form-action", '<form action="javascript:alert(1)"><input type=submit></form>'),
    ("isindex-formaction", "<isindex type=image src=1 onerror=alert(1)>"),
    # documents inside documents, base and refresh
    ("iframe-srcdoc", '<iframe srcdoc="<script>alert(1)</script>"></iframe>'),
    ("iframe-srcdoc-escaped", '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>'),
    ("base-javascript", '<base href="javascript:alert(1)//"><a href="/x">相对链接</a>'),
    ("base-foreign", '<base href="https://evil.invalid/"><a href="x">相对链接</a>'),
    ("meta-refresh", '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">'),
    ("meta-refresh-data",
     '<meta http-equiv="refresh" content="0;url=data:text/html,<script>alert(1)</script>">'),
    # CSS
    ("css-url-javascript", '<div style="background:url(javascript:alert(1))">样式</div>'),
    ("css-expression", '<p style="width:expression(alert(1))">样式</p>'),
    ("css-style-import", "<style>@import 'javascript:alert(1)';</style>"),
    ("css-style-url", '<style>p{background:url("javascript:alert(1)")}</style>'),
    ("css-link-stylesheet", '<link rel="stylesheet" href="javascript:alert(1)">'),
    ("css-escaped-expression", r'<p style="width:e\x\p\r\e\s\s\i\o\n(alert(1))">样式</p>'),
    # mutation XSS: safe on the first parse, script on the second
    ("mxss-noscript-title",
     '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>'),
    ("mxss-svg-style", "<svg><style><img src=x onerror=alert(1)></style></svg>"),
    ("mxss-math-style", "<math><style><img src=x onerror=alert(1)></style></math>"),
    ("mxss-math-mglyph",
     "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph>"
     "</table></mtext></math>"),
    ("mxss-svg-p-style",
     '<svg></p><style><a id="</style><img src=1 onerror=alert(1)>"></a></style></svg>'),
    ("mxss-form-math",
     "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>"),
    ("mxss-noscript-style", "<noscript><style></noscript><img src=x onerror=alert(1)></style>"),
    ("mxss-textarea", "<textarea></textarea><img src=x onerror=alert(1)></textarea>"),
    ("mxss-xmp", "<xmp><p title=\"</xmp><img src=x onerror=alert(1)>\"></xmp>"),
    # comments and CDATA
    ("comment-short-close", "<!--><img src=x onerror=alert(1)>-->"),
    ("comment-bang-close", "<!-- --!><img src=x onerror=alert(1)> -->"),
    ("comment-conditional", "<!--[if gte IE 4]><script>alert(1)</script><![endif]-->"),
    ("comment-unclosed", "<!-- <img src=x onerror=alert(1)>"),
    ("cdata-html", "<![CDATA[><img src=x onerror=alert(1)>]]>"),
    ("cdata-svg", "<svg><![CDATA[><img src=x onerror=alert(1)>]]></svg>"),
    ("processing-instruction", "<?xml-stylesheet href=\"javascript:alert(1)\"?>"),
)

# Feed titles and authors that would be markup if a list or page printed them raw.
HOSTILE_TITLES: tuple[str, ...] = (
    "<script>alert(1)</script>标题",
    "<img src=x onerror=alert(1)>标题",
    "[点我](javascript:alert(1)) 标题",
    "**粗体** _斜体_ `代码` | 表格 | ~~删除~~ # 标题 ![图](javascript:alert(1))",
    '"><svg onload=alert(1)>标题',
    "&lt;img src=x onerror=alert(1)&gt;转义两次的标题",
)
