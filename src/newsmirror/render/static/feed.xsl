<?xml version="1.0" encoding="utf-8"?>
<!-- newsmirror: shows an Atom feed opened in a browser as a readable page.
     Feed readers ignore it; nothing here loads from another host. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:atom="http://www.w3.org/2005/Atom" exclude-result-prefixes="atom">
<xsl:output method="html" encoding="utf-8" doctype-system="about:legacy-compat"/>
<xsl:template match="/atom:feed">
<html lang="zh-CN">
<head>
<meta charset="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1"/>
<meta name="color-scheme" content="light dark"/>
<meta name="referrer" content="no-referrer"/>
<title><xsl:value-of select="atom:title"/>（Atom 订阅）</title>
<style>
body { font: 17px/1.7 system-ui, "PingFang SC", "Noto Sans CJK SC", sans-serif; max-width: 46em;
       margin: 0 auto; padding: 1em; }
.about { padding: .8em 1em; border: 1px solid #8884; border-radius: 6px; }
ol { padding-left: 1.2em; } li { margin: .6em 0; }
.meta { color: #888; font-size: .85em; } a { color: #1a5fb4; }
@media (prefers-color-scheme: dark) { a { color: #8ab4f8; } }
</style>
</head>
<body>
<h1><xsl:value-of select="atom:title"/></h1>
<p class="about">这是一个 Atom 订阅源：把本页的地址复制到 RSS 阅读器里即可订阅。下面是其中最新的
<xsl:value-of select="count(atom:entry)"/> 篇文章。
<a href="{atom:link[@rel='alternate']/@href}">回到网站</a></p>
<ol class="entries">
<xsl:for-each select="atom:entry">
<li><a class="title" href="{atom:link[@rel='alternate']/@href}"><xsl:value-of select="atom:title"/></a>
<br/><span class="meta"><time datetime="{atom:published}"><xsl:value-of select="substring(atom:published, 1, 10)"/></time>
<xsl:if test="atom:category/@label"> · <xsl:value-of select="atom:category/@label"/></xsl:if>
<xsl:if test="atom:link[@rel='via']"> · <a href="{atom:link[@rel='via']/@href}" rel="noopener noreferrer nofollow">原文</a></xsl:if>
</span></li>
</xsl:for-each>
</ol>
</body>
</html>
</xsl:template>
</xsl:stylesheet>
