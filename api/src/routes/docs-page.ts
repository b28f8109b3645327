export const DOCS_HTML = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>Tuike API</title></head>
<body><h1>Tuike API</h1><div id="ops">Loading /openapi.json…</div>
<script>fetch('/openapi.json').then(r=>r.json()).then(d=>{document.getElementById('ops').textContent=Object.keys(d.paths).join('\\n')})</script>
</body></html>`;
