// The report's stylesheet, inlined into every document (no external fonts or files).
// Colours keep at least 4.5:1 contrast for text; layout is fluid down to phone width.
#pragma once

#include <string_view>

namespace cyberalarm::report::internal {

inline constexpr std::string_view kStyle = R"css(
:root{color-scheme:light;--ink:#1f2937;--muted:#4b5563;--line:#e2e8f0;--bg:#f4f6f9;
--card:#fff;--accent:#1e3a8a}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);
font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
.wrap{max-width:62rem;margin:0 auto;padding:0 1rem}
header.top{background:#1e293b;color:#f8fafc;padding:1.5rem 0 1.25rem}
header.top .brand{margin:0;font-size:.85rem;letter-spacing:.08em;text-transform:uppercase;
color:#cbd5e1}
header.top h1{margin:.2rem 0 .4rem;font-size:1.7rem;line-height:1.25}
header.top p.meta{margin:0;color:#e2e8f0}
nav.toc{display:flex;flex-wrap:wrap;gap:.2rem 1rem;margin:.9rem 0 0;font-size:.9rem}
nav.toc a{color:#bfdbfe;white-space:nowrap}
main{padding:1rem 0 2rem}
section{background:var(--card);border:1px solid var(--line);border-radius:10px;
padding:1.1rem 1.25rem;margin:0 0 1rem}
h2{font-size:1.25rem;margin:0 0 .6rem;color:var(--accent)}
h3{font-size:1.05rem;margin:0 0 .35rem}
p{margin:.4rem 0 .8rem}
.lead{font-size:1.06rem}
.note{color:var(--muted);font-size:.92rem}
.tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(7.5rem,1fr));gap:.75rem;
margin:.9rem 0 .3rem}
.tile{border:1px solid var(--line);border-radius:8px;padding:.6rem .8rem;background:#f8fafc}
.tile .n{display:block;font-size:1.55rem;font-weight:650;font-variant-numeric:tabular-nums}
.tile .l{color:var(--muted);font-size:.9rem}
ol.steps{padding-left:1.4rem;margin:.3rem 0}
ol.steps li{margin:.45rem 0}
.chart{overflow-x:auto;margin:.4rem 0 .6rem}
.chart svg{display:block;width:100%;min-width:36rem;height:auto}
.table-wrap{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.95rem}
th,td{text-align:left;padding:.4rem .55rem;border-bottom:1px solid var(--line);
vertical-align:top}
th{background:#f1f5f9;font-weight:600}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em;
overflow-wrap:anywhere}
.sev{display:inline-block;min-width:4.6rem;text-align:center;padding:.08rem .5rem;
border-radius:999px;color:#fff;font-size:.78rem;font-weight:650;letter-spacing:.03em;
text-transform:uppercase;vertical-align:.12em;margin-right:.4rem}
.sev-critical{background:#7f1d1d}.sev-high{background:#b91c1c}.sev-medium{background:#a16207}
.sev-low{background:#1d4ed8}.sev-info,.sev-unrated{background:#475569}
article.finding{border:1px solid var(--line);border-left:5px solid #475569;border-radius:8px;
padding:.8rem 1rem;margin:.8rem 0}
article.finding.b-critical{border-left-color:#7f1d1d}
article.finding.b-high{border-left-color:#b91c1c}
article.finding.b-medium{border-left-color:#a16207}
article.finding.b-low{border-left-color:#1d4ed8}
.finding .kind{color:var(--muted);font-size:.92rem;margin:.1rem 0 .5rem}
.finding .advice{background:#f8fafc;border-radius:6px;padding:.5rem .7rem}
dl.facts{display:grid;grid-template-columns:repeat(auto-fit,minmax(13rem,1fr));gap:.35rem 1rem;
margin:.6rem 0 0}
dl.facts div{min-width:0}
dt{color:var(--muted);font-size:.85rem}
dd{margin:0;overflow-wrap:anywhere}
footer{color:var(--muted);font-size:.88rem;padding:0 0 2rem}
@media (max-width:40rem){header.top h1{font-size:1.35rem}section{padding:.9rem}}
@media print{body{background:#fff}section{break-inside:avoid;border-color:#cbd5e1}
nav.toc{display:none}header.top{background:#fff;color:#000}
header.top .brand,header.top p.meta{color:#333}}
)css";

}  // namespace cyberalarm::report::internal
