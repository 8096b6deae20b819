"""The tracker site's pages: plain HTML, one stylesheet and two small scripts, all inline.

:mod:`transferkg.app.site` gathers the rows from the query library and calls these
functions; this module only turns text into markup. Every text from the data goes
through :func:`esc` (or :func:`cell`, which escapes everything that is not already
:class:`Html`); links are relative (``../agreements/x.html``), and only a source's own
address is an absolute ``<a href>`` — nothing is ever loaded from the network. Each
page carries a Content-Security-Policy that allows its inline style and scripts by
their hashes and nothing else (no fetch, no image, no frame, no form target).
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = ["Html", "cell", "esc", "json_for_script", "link", "outside_link", "page", "table", "SORT_JS",
           "SEARCH_JS"]


class Html(str):
    """Markup made here (never from the data): :func:`cell` passes it through unescaped."""


def esc(value: Any) -> str:
    """Text from the data as HTML text (``& < > " '`` escaped); ``None`` as empty."""
    return html.escape("" if value is None else str(value), quote=True)


def cell(value: Any) -> str:
    return value if isinstance(value, Html) else esc(value)


def link(href: str, text: Any) -> Html:
    """A relative link made here; ``href`` is one of the site's own file names."""
    return Html(f'<a href="{esc(href)}">{cell(text)}</a>')


_WEB = re.compile(r"https?://[^\s\"'<>`]+\Z", re.IGNORECASE)


def outside_link(url: Any, text: Any = None) -> Html:
    """A source's address as a link that opens it (http and https only; anything else stays text)."""
    address = "" if url is None else str(url)
    if not _WEB.match(address):
        return Html(esc(text if text is not None else address))
    return Html(f'<a class="out" href="{esc(address)}" rel="noopener noreferrer external">'
                f"{esc(text if text is not None else address)}</a>")


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]], *, sortable: bool = False,
          table_id: str | None = None, empty: str = "none recorded") -> Html:
    rows = list(rows)
    if not rows:
        return Html(f'<p class="none">{esc(empty)}</p>')
    head = "".join(f'<th scope="col">{esc(h)}</th>' for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell(v)}</td>" for v in row) + "</tr>" for row in rows)
    attrs = (f' id="{esc(table_id)}"' if table_id else "") + (' class="data sortable"' if sortable else ' class="data"')
    return Html(f'<div class="scroll" tabindex="0"><table{attrs}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
                "</div>")


def json_for_script(value: Any) -> str:
    """JSON that cannot end its ``<script>`` block: ``< > &`` and the line separators escaped."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    for char, escape in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"), ("\u2028", "\\u2028"),
                         ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return text


STYLE = """
:root{--ink:#1b1b1b;--muted:#555;--line:#d9d9d9;--band:#f4f4f1;--accent:#0b5394}
*{box-sizing:border-box}
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--ink);margin:0;background:#fff}
header.site{background:#12263a;color:#fff;padding:.6rem 1rem}
header.site nav{max-width:76rem;margin:0 auto;display:flex;flex-wrap:wrap;gap:.3rem 1.2rem;align-items:baseline}
header.site a{color:#fff;text-decoration:none} header.site a:hover,header.site a:focus{text-decoration:underline}
header.site .brand{font-weight:700;margin-right:1rem}
main{max-width:76rem;margin:0 auto;padding:1rem}
h1{font-size:1.7rem;line-height:1.25;margin:.6rem 0 .3rem;overflow-wrap:anywhere}
h2{font-size:1.25rem;margin:2rem 0 .4rem;border-bottom:2px solid var(--line);padding-bottom:.2rem}
p.lead{color:var(--muted);margin-top:0}
a{color:var(--accent)} a:focus{outline:3px solid #f1c232;outline-offset:1px}
.figures{display:grid;grid-template-columns:repeat(auto-fit,minmax(15rem,1fr));gap:1rem}
.figure{background:var(--band);border-radius:6px;padding:.8rem 1rem}
.figure h3{margin:0 0 .3rem;font-size:1rem}
.figure .def{color:var(--muted);font-size:.85rem;margin:.4rem 0 0}
.figure ul{margin:0;padding-left:1.1rem}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1.2rem;margin:.8rem 0}
dl.facts dt{font-weight:600} dl.facts dd{margin:0;overflow-wrap:anywhere}
.scroll{overflow-x:auto}
table.data{border-collapse:collapse;width:100%;margin:.4rem 0 1rem;font-size:.92rem}
table.data th,table.data td{border-bottom:1px solid var(--line);padding:.35rem .5rem;text-align:left;vertical-align:top;
 overflow-wrap:break-word}
.nw{white-space:nowrap}
table.data th{background:var(--band);white-space:nowrap}
table.sortable th{cursor:pointer} table.sortable th[aria-sort=ascending]::after{content:" \\25B2"}
table.sortable th[aria-sort=descending]::after{content:" \\25BC"}
.none{color:var(--muted);font-style:italic}
.status{display:inline-block;border-radius:3px;padding:0 .35rem;font-size:.85rem;border:1px solid #888}
.status.op{background:#e6f0fa;border-color:#0b5394}
.pair{display:grid;grid-template-columns:repeat(auto-fit,minmax(16rem,1fr));gap:.8rem;margin:.6rem 0;
 padding:.6rem;border:1px solid var(--line);border-radius:6px}
.pair h3{grid-column:1/-1;margin:0;font-size:1rem}
.pair .side ul{margin:.3rem 0 0;padding-left:1.1rem;font-size:.92rem}
.pair .side{background:var(--band);padding:.5rem;border-radius:4px;overflow-wrap:anywhere}
blockquote{margin:.2rem 0;padding:.1rem .8rem;border-left:4px solid var(--line);color:#333}
.claim{border-bottom:1px solid var(--line);padding:.5rem 0}
.claim .meta{color:var(--muted);font-size:.88rem}
.filter{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;margin:.5rem 0}
.filter input,.filter select{font:inherit;padding:.25rem .4rem}
#results li{margin:.2rem 0}
footer{max-width:76rem;margin:2rem auto;padding:1rem;color:var(--muted);font-size:.85rem;border-top:1px solid var(--line)}
section.term{margin:1rem 0;padding:.5rem .8rem;border-left:4px solid var(--line);background:var(--band)}
section.term dt{font-weight:600}
figure.map{margin:1rem 0}figure.map>svg{width:100%;height:auto;display:block;border:1px solid var(--line)}
figure.partners{margin:.5rem 0;max-width:44rem}figure.partners>svg{width:100%;height:auto;display:block}
ul.legend{list-style:none;padding:0;margin:.4rem 0;display:flex;flex-wrap:wrap;gap:.3rem 1.2rem;font-size:.88rem}
pre.sparql{background:var(--band);padding:.6rem .8rem;overflow:auto;max-width:100%;font-size:.85rem;line-height:1.35}
@media (max-width:40rem){table.data{min-width:48rem} table.data td:last-child{min-width:12rem}
 .pair{grid-template-columns:1fr} dl.facts{grid-template-columns:1fr} dl.facts dd{margin-bottom:.4rem}}
"""

SORT_JS = """
(function(){
function key(td){var t=td.textContent.trim();var n=t.replace(/,/g,'');
 return /^-?\\d+(\\.\\d+)?$/.test(n)?[0,parseFloat(n)]:[1,t.toLowerCase()];}
function cmp(a,b){if(a[0]!==b[0])return a[0]-b[0];return a[1]<b[1]?-1:a[1]>b[1]?1:0;}
document.querySelectorAll('table.sortable').forEach(function(table){
 var ths=table.querySelectorAll('thead th');
 ths.forEach(function(th,i){
  th.tabIndex=0;
  function sort(){
   var asc=th.getAttribute('aria-sort')!=='ascending';
   ths.forEach(function(o){o.removeAttribute('aria-sort');});
   th.setAttribute('aria-sort',asc?'ascending':'descending');
   var body=table.tBodies[0];var rows=Array.prototype.slice.call(body.rows);
   rows.sort(function(r,s){var c=cmp(key(r.cells[i]),key(s.cells[i]));return asc?c:-c;});
   rows.forEach(function(r){body.appendChild(r);});
  }
  th.addEventListener('click',sort);
  th.addEventListener('keydown',function(ev){if(ev.key==='Enter'||ev.key===' '){ev.preventDefault();sort();}});
 });
});
var box=document.getElementById('filter-text'),status=document.getElementById('filter-status'),
    count=document.getElementById('filter-count');
if(!box)return;
function apply(){
 var words=box.value.toLowerCase().split(/\\s+/).filter(Boolean),want=status.value,shown=0;
 var rows=document.querySelectorAll('#agreements tbody tr');
 rows.forEach(function(r){
  var text=r.textContent.toLowerCase();
  var ok=words.every(function(w){return text.indexOf(w)>=0;})&&(!want||r.getAttribute('data-status')===want);
  r.hidden=!ok;if(ok)shown++;
 });
 count.textContent=shown+' of '+rows.length+' agreements shown';
}
box.addEventListener('input',apply);status.addEventListener('change',apply);apply();
})();
"""

SEARCH_JS = """
(function(){
var items=JSON.parse(document.getElementById('search-index').textContent);
var box=document.getElementById('q'),list=document.getElementById('results'),count=document.getElementById('count');
function run(){
 var words=box.value.toLowerCase().split(/\\s+/).filter(Boolean);
 while(list.firstChild)list.removeChild(list.firstChild);
 var hits=items.filter(function(it){var t=(it.title+' '+it.kind+' '+it.text).toLowerCase();
  return words.every(function(w){return t.indexOf(w)>=0;});});
 hits.slice(0,200).forEach(function(it){
  var li=document.createElement('li'),a=document.createElement('a');
  a.setAttribute('href',it.href);a.textContent=it.title;li.appendChild(a);
  li.appendChild(document.createTextNode(' \\u2014 '+it.kind));list.appendChild(li);
 });
 count.textContent=words.length?hits.length+' found':items.length+' pages: type to search';
}
box.addEventListener('input',run);
var m=/[?&]q=([^&]*)/.exec(location.search);if(m){box.value=decodeURIComponent(m[1].replace(/\\+/g,' '));}
run();
})();
"""


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


NAV = (("index.html", "Agreements"), ("states.html", "States"), ("sources.html", "Sources"),
       ("queries.html", "Queries"), ("downloads.html", "Downloads"), ("search.html", "Search"))


def page(title: str, body: str, *, depth: int, scripts: Sequence[str] = (), data: str | None = None,
         generated: str = "") -> str:
    """A whole page: ``body`` is markup made here, ``title`` is text; ``depth`` is how many folders down it is."""
    up = "../" * depth
    csp = ("default-src 'none'; style-src " + _hash(STYLE)
           + ("; script-src " + " ".join(_hash(s) for s in scripts) if scripts else "")
           + "; img-src 'none'; connect-src 'none'; form-action 'none'; base-uri 'none'")
    nav = "".join(f'<a href="{up}{href}">{esc(text)}</a>' for href, text in NAV)
    block = (f'<script type="application/json" id="search-index">{data}</script>' if data is not None else "")
    script_tags = "".join(f"<script>{s}</script>" for s in scripts)
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
            f'<meta http-equiv="Content-Security-Policy" content="{csp}">\n'
            '<meta name="referrer" content="no-referrer">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{esc(title)} — Third-country transfer tracker</title>\n<style>{STYLE}</style></head>\n"
            f'<body><header class="site"><nav aria-label="site"><a class="brand" href="{up}index.html">'
            f"Third-country transfer tracker</a>{nav}</nav></header>\n<main>\n{body}\n</main>\n"
            f"<footer>Built by transferkg from the curated knowledge graph{esc(generated)}. Every figure comes "
            "from a named query of the library; every claim links to its source.</footer>\n"
            f"{block}{script_tags}</body></html>\n")
