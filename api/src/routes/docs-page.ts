import { API_KEY_SCOPES, BUILT_IN_ROLE_KEYS, BUILT_IN_ROLES, PERMISSIONS } from '@tuike/core';
import { ERROR_CODES, type ErrorCode } from '../lib/errors';

/**
 * The /docs page: one self-contained HTML string (inline CSS and script, nothing fetched from
 * elsewhere, so it works offline and under a strict CSP). The error codes, permissions and
 * built-in roles are rendered here on the server from the code that defines them; the
 * operations are rendered in the browser from /openapi.json, inserting text with textContent.
 */

/** When each error code is answered: zh-CN, then English. A new code must be described here. */
const ERROR_NOTES = {
  bad_request: [
    '请求格式错误：请求体不是合法的 JSON，或带请求体却未声明 Content-Type: application/json。',
    'The request is malformed: the body is not valid JSON, or a body came without Content-Type: application/json.',
  ],
  validation_failed: [
    '参数未通过校验；errors 数组按路径列出每个字段及原因。请求体中的未知字段会被拒绝。',
    'A parameter fails validation; the errors array names each field by path. Unknown fields in a body are refused.',
  ],
  unauthorized: [
    '缺少凭证，或凭证无效、过期、已撤销；登录时邮箱或密码错误。',
    'The credential is missing, invalid, expired or revoked, or the e-mail address or password is wrong.',
  ],
  forbidden: [
    '已认证，但缺少该接口要求的权限（见各接口的权限标记）；未开放注册时创建商户也会得到此错误。',
    'Authenticated, but the principal lacks the permission the operation needs (see its badge); also answered when sign-up is closed.',
  ],
  not_found: [
    '路径不存在，或对象在你的商户中不存在。其他商户的对象同样返回 404。',
    'No such route, or no such object in your tenant. Objects of other tenants answer 404 too.',
  ],
  method_not_allowed: ['该路径不支持此 HTTP 方法。', 'The path does not accept this HTTP method.'],
  conflict: [
    '与现有数据或对象当前状态冲突：唯一值已被占用、记录仍被引用，或规则此时不允许该操作。',
    'The change clashes with existing data or the current state: a unique value is taken, a record is still referenced, or a rule forbids it now.',
  ],
  payload_too_large: [
    '请求体超过上限（BODY_LIMIT_BYTES，默认 1 MiB）。',
    'The body exceeds the limit (BODY_LIMIT_BYTES, 1 MiB by default).',
  ],
  unprocessable: [
    '请求格式正确，但在当前状态下无法执行。',
    'The request is well-formed but cannot be carried out in the current state.',
  ],
  rate_limited: [
    '请求过于频繁。等待 Retry-After 秒后重试；RateLimit 与 RateLimit-Policy 头给出配额。',
    'Too many requests. Wait Retry-After seconds; the RateLimit and RateLimit-Policy headers describe the quota.',
  ],
  internal: [
    '服务器内部错误。响应不含内部细节；反馈问题时请提供 requestId。',
    'Something failed on our side. The body carries no internals; quote the requestId.',
  ],
  unavailable: [
    '暂时无法处理（例如依赖服务无响应），请稍后重试。',
    'The request cannot be handled right now (for example a dependency does not answer); retry later.',
  ],
} satisfies Record<ErrorCode, [zh: string, en: string]>;

const esc = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** 'English / 中文' → both halves; a text without ' / ' is English only. */
function splitTitle(title: string): { en: string; zh: string } {
  const at = title.lastIndexOf(' / ');
  return at < 0 ? { en: title, zh: '' } : { en: title.slice(0, at), zh: title.slice(at + 3) };
}

function bilingual(title: string): string {
  const { en, zh } = splitTitle(title);
  return zh ? `${esc(zh)}<span class="en">${esc(en)}</span>` : esc(en);
}

const PROBLEM_EXAMPLE = JSON.stringify(
  {
    type: '/docs#error-validation_failed',
    title: ERROR_CODES.validation_failed.title,
    status: ERROR_CODES.validation_failed.status,
    detail: 'owner.password: must be at least 10 characters',
    code: 'validation_failed',
    requestId: 'req_01jd7s5m3q8x0f4k2v9w6tbz3c',
    errors: [{ path: 'owner.password', message: 'must be at least 10 characters' }],
  },
  null,
  2,
);

function errorRows(): string {
  return (Object.keys(ERROR_CODES) as ErrorCode[])
    .map((code) => {
      const { status, title } = ERROR_CODES[code];
      const [zh, en] = ERROR_NOTES[code];
      const cls = status >= 500 ? 's5' : 's4';
      return `<tr id="error-${esc(code)}" data-status="${status}" data-code="${esc(code)}">
<td><a class="anchor" href="#error-${esc(code)}"><code>${esc(code)}</code></a></td>
<td><span class="status ${cls}">${status}</span></td>
<td class="err-title">${bilingual(title)}</td>
<td>${esc(zh)}<span class="en">${esc(en)}</span></td></tr>`;
    })
    .join('\n');
}

const permissionAnchor = (name: string) => `perm-${name.replace(/[^a-z0-9_]/g, '-')}`;

function permissionRows(): string {
  const scopes = new Set<string>(API_KEY_SCOPES);
  const mark = (on: boolean) => (on ? '<td class="yes">✓</td>' : '<td class="no">·</td>');
  return Object.entries(PERMISSIONS)
    .map(([name, title]) => {
      const roles = BUILT_IN_ROLE_KEYS.map((key) =>
        mark((BUILT_IN_ROLES[key].permissions as readonly string[]).includes(name)),
      );
      return `<tr id="${permissionAnchor(name)}" data-permission="${esc(name)}">
<td><code>${esc(name)}</code></td><td class="perm-title">${bilingual(title)}</td>
${roles.join('')}${mark(scopes.has(name))}</tr>`;
    })
    .join('\n');
}

function roleHeaders(): string {
  return BUILT_IN_ROLE_KEYS.map((key) => `<th>${bilingual(BUILT_IN_ROLES[key].name)}</th>`).join(
    '',
  );
}

const STYLE = `
:root{--bg:#fff;--fg:#1d2433;--muted:#5f6b7a;--faint:#8a94a3;--line:#e6e8ec;--side:#f7f8fa;
--chip:#f1f3f6;--accent:#d9480f;--accent-soft:#fff2ea;--link:#1864ab;--code-bg:#101828;
--code-fg:#e4e7ec;--ok:#2b8a3e;--warn:#c76a00;--bad:#c92a2a;
--sans:-apple-system,BlinkMacSystemFont,"Segoe UI","PingFang SC","Hiragino Sans GB",
"Microsoft YaHei","Noto Sans CJK SC","Noto Sans SC",Roboto,"Helvetica Neue",Arial,sans-serif;
--mono:ui-monospace,SFMono-Regular,"SF Mono",Menlo,Consolas,"Liberation Mono",
"Noto Sans Mono CJK SC",monospace}
@media (prefers-color-scheme:dark){:root{--bg:#0f1419;--fg:#e6e9ee;--muted:#a3acb9;
--faint:#7d8794;--line:#27303b;--side:#131a21;--chip:#1c2530;--accent:#ff8a4c;
--accent-soft:#2a1d16;--link:#74b4f5;--code-bg:#0a0e13;--ok:#51cf66;--warn:#fcc419;
--bad:#ff8787}}
*{box-sizing:border-box}

body{margin:0;font:15px/1.65 var(--sans);color:var(--fg);background:var(--bg);
-webkit-font-smoothing:antialiased}
a{color:var(--link);text-decoration:none}a:hover{text-decoration:underline}
code{font:0.86em var(--mono);background:var(--chip);padding:1px 5px;border-radius:4px}
.en{display:block;color:var(--muted);font-size:0.9em}
.layout{display:flex;min-height:100vh}
aside{width:292px;flex:none;position:sticky;top:0;height:100vh;overflow-y:auto;
background:var(--side);border-right:1px solid var(--line);padding:22px 14px 40px}
.brand{display:flex;align-items:center;gap:10px;padding:0 8px 16px}
.logo{width:34px;height:34px;border-radius:8px;background:var(--accent);color:#fff;
display:grid;place-items:center;font-weight:700;font-size:17px}
.brand b{display:block;font-size:15.5px;line-height:1.2}
.brand small{color:var(--muted);font:12px var(--mono)}
.search{width:100%;padding:8px 11px;border:1px solid var(--line);border-radius:7px;
background:var(--bg);color:var(--fg);font:13.5px var(--sans);margin:0 0 14px}
.search:focus{outline:2px solid var(--accent-soft);border-color:var(--accent)}
nav .group{font-size:11.5px;font-weight:600;letter-spacing:.06em;text-transform:uppercase;
color:var(--faint);margin:18px 8px 6px}
nav .group span{text-transform:none;letter-spacing:0;font-weight:500;margin-left:6px}
nav .tag{font-size:13.5px;font-weight:600;margin:12px 8px 4px;color:var(--fg)}
nav .tag span{color:var(--faint);font-weight:400;margin-left:6px;font-size:12.5px}
nav a{display:flex;align-items:center;gap:8px;padding:4px 8px;border-radius:6px;
color:var(--fg);font-size:13.5px;line-height:1.35}
nav a:hover{background:var(--chip);text-decoration:none}
nav a.active{background:var(--accent-soft);color:var(--accent)}
nav a .label{min-width:0;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
nav a .m{flex:none;width:46px;text-align:center;font:600 10px/1.7 var(--mono);
border-radius:4px;color:#fff}
main{flex:1;min-width:0}
.content{max-width:1240px;margin:0 auto;padding:44px 48px 120px}
.hero{padding-bottom:28px;border-bottom:1px solid var(--line)}
.eyebrow{color:var(--accent);font-weight:600;font-size:13px;letter-spacing:.04em}
h1{font-size:34px;line-height:1.2;margin:6px 0 12px;letter-spacing:-.01em}
h2{font-size:24px;line-height:1.3;margin:0 0 6px}
h2 .en,h3 .en{display:inline;margin-left:10px;font-weight:500}
.lead{font-size:16.5px;max-width:820px;margin:0}
.hero .en{max-width:820px;margin-top:4px}
.meta{display:flex;flex-wrap:wrap;gap:10px 22px;margin-top:18px;font-size:13.5px;color:var(--muted)}
.meta b{color:var(--fg);font-family:var(--mono);font-weight:600}
section.block{padding:40px 0 8px;scroll-margin-top:12px}
.cards{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:18px;margin-top:18px}
.card{border:1px solid var(--line);border-radius:10px;padding:18px 20px;scroll-margin-top:12px;
display:flex;flex-direction:column}
.card h3{font-size:16.5px;margin:0 0 6px}
.card p{margin:0 0 6px;font-size:14px}.card p.en{font-size:13px;margin-bottom:12px}
.card pre,.problem pre{margin-top:auto;white-space:pre-wrap;overflow-wrap:anywhere}
ul.conv{margin:14px 0 0;padding-left:20px;font-size:14px}ul.conv li{margin:4px 0}
ul.conv .en{display:inline;margin-left:6px;font-size:13px}
pre.code{background:var(--code-bg);color:var(--code-fg);border-radius:8px;padding:13px 15px;
margin:0;font:12.5px/1.6 var(--mono);overflow:auto;white-space:pre}
pre.code .k{color:#8cc8ff}pre.code .s{color:#a8e6a3}pre.code .n{color:#ffc78a}
pre.code .b{color:#f29fcb}pre.code .c{color:#8b96a8}
.tag-head{padding:52px 0 4px;border-bottom:1px solid var(--line);scroll-margin-top:12px}
.tag-head p{margin:2px 0 14px;color:var(--muted);font-size:14px}
.op{padding:34px 0 30px;border-bottom:1px solid var(--line);scroll-margin-top:8px}
.op-line{display:flex;align-items:center;gap:10px;flex-wrap:wrap}
.method{font:700 11.5px/1 var(--mono);letter-spacing:.04em;text-transform:uppercase;
padding:6px 9px;border-radius:5px;color:#fff}
.m-get{background:#1971c2}.m-post{background:#2f9e44}.m-put{background:#7048e8}
.m-patch{background:#e8590c}.m-delete{background:#e03131}.m-other{background:#495057}
.path{font:600 15px var(--mono);word-break:break-all}.path .p{color:var(--accent)}
.perm{margin-left:auto;display:inline-flex;align-items:center;gap:6px;font-size:12.5px;
padding:3px 10px;border-radius:999px;border:1px solid var(--line);color:var(--muted);
white-space:nowrap}
.perm b{font:600 12px var(--mono);color:var(--fg)}
.perm.public{color:var(--ok);border-color:currentColor}
.perm.signed{color:var(--link);border-color:currentColor}
.perm .dot{width:7px;height:7px;border-radius:50%;background:currentColor}
.op h3{font-size:20px;margin:12px 0 0;line-height:1.35}
.op-grid{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,390px);gap:30px;
margin-top:14px}
.side{position:sticky;top:16px;align-self:start;display:flex;flex-direction:column;gap:14px}
.panel{border-radius:9px;overflow:hidden;background:var(--code-bg)}
.panel .bar{display:flex;justify-content:space-between;align-items:center;padding:7px 14px;
font:600 11.5px var(--sans);color:#aab4c3;background:rgba(255,255,255,.06);
letter-spacing:.03em}
.panel pre.code{border-radius:0;max-height:460px}
pre.code.wrap{white-space:pre-wrap;overflow-wrap:anywhere}
.copy{font:11.5px var(--sans);color:#cdd5e0;background:transparent;border:1px solid #3b4658;
border-radius:5px;padding:2px 8px;cursor:pointer}
.copy:hover{border-color:#7d8aa0}
h4{font-size:12px;font-weight:700;letter-spacing:.07em;text-transform:uppercase;
color:var(--muted);margin:22px 0 8px;display:flex;align-items:center;gap:8px;flex-wrap:wrap}
h4 span{text-transform:none;letter-spacing:0;font-weight:500}
h4 .ct{font:500 11.5px var(--mono);color:var(--faint)}
table{width:100%;border-collapse:collapse;font-size:13.5px}
th{text-align:left;font-size:12px;font-weight:600;color:var(--muted);padding:7px 10px;
border-bottom:1px solid var(--line);white-space:nowrap}
td{padding:9px 10px;border-top:1px solid var(--line);vertical-align:top}
tbody tr:first-child td{border-top:0}
table.fields{border:1px solid var(--line);border-radius:8px;border-collapse:separate;
border-spacing:0;overflow:hidden}
table.fields td{line-height:1.5}
td.fn{white-space:nowrap;width:1%}
.fname{font:600 13px var(--mono)}
.nest{color:var(--faint);font-family:var(--mono);margin-right:4px}
.req{display:block;font:600 10.5px/1.4 var(--sans);color:var(--bad)}
.fn .req{padding-left:0}td.fn.deep .req{padding-left:14px}
td.ty{font:12.5px var(--mono);color:var(--muted);white-space:nowrap;width:1%}
.desc{color:var(--fg);font-size:13.5px}
.cons{display:flex;flex-wrap:wrap;gap:4px 6px;margin-top:3px}
.cons span{font-size:12px;color:var(--muted)}
.cons code,.enum code{font-size:11.5px}
.enum{display:flex;flex-wrap:wrap;gap:4px;margin-top:4px;align-items:center}
.enum>span{font-size:12px;color:var(--muted);margin-right:2px}
.in{font:600 11px var(--mono);color:var(--muted);background:var(--chip);border-radius:4px;
padding:1px 6px}
.resp{border:1px solid var(--line);border-radius:8px;margin-top:10px;overflow:hidden}
.resp-head{display:flex;gap:10px;align-items:center;padding:9px 12px;background:var(--side);
flex-wrap:wrap;font-size:13.5px}
.resp-head .ct{margin-left:auto;font:12px var(--mono);color:var(--faint)}
.resp table.fields{border:0;border-radius:0;border-top:1px solid var(--line)}
.resp .empty{padding:8px 12px;color:var(--muted);font-size:13px;border-top:1px solid var(--line)}
.status{display:inline-block;font:700 12px/1 var(--mono);padding:4px 7px;border-radius:5px;
color:#fff}
.s2{background:var(--ok)}.s3{background:#1971c2}.s4{background:var(--warn)}
.s5{background:var(--bad)}
@media (prefers-color-scheme:dark){.status{color:#10161d}}
.errs{display:flex;flex-wrap:wrap;gap:8px;margin-top:10px}
.errs .chip{display:inline-flex;align-items:center;gap:6px;border:1px solid var(--line);
border-radius:7px;padding:4px 9px 4px 5px;font-size:12.5px;color:var(--fg)}
.errs .chip a{font:12px var(--mono)}
.loading,.failed{padding:40px 0;color:var(--muted)}
.failed{color:var(--bad)}
table.ref td,table.ref th{padding:8px 12px}
table.ref td .en{font-size:12.5px}
table.ref tr:target td,table.fields tr:target td{background:var(--accent-soft)}
.err-title{white-space:nowrap}
table.perms td.yes,table.perms td.no,table.perms th:not(:first-child):not(:nth-child(2)){
text-align:center;width:64px}
table.perms td.yes{color:var(--ok);font-weight:700}table.perms td.no{color:var(--faint)}
table.perms th .en{font-size:11px}
.problem{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,460px);gap:28px;
margin:18px 0 22px;align-items:start}
.problem p{margin:0 0 8px;font-size:14px}
.anchor{color:inherit}
[hidden]{display:none!important}
footer{margin-top:60px;color:var(--faint);font-size:13px}
@media (max-width:1180px){.op-grid,.problem{grid-template-columns:minmax(0,1fr)}
.side{position:static}}
@media (max-width:900px){.layout{display:block}aside{position:static;width:auto;height:auto;
border-right:0;border-bottom:1px solid var(--line)}aside nav{max-height:40vh;overflow-y:auto}
.content{padding:28px 20px 80px}.cards{grid-template-columns:minmax(0,1fr)}}
@media (max-width:700px){table.fields,table.fields tbody{display:block}
table.fields tr{display:flex;flex-wrap:wrap;border-top:1px solid var(--line)}
table.fields tbody tr:first-child{border-top:0}
table.fields td{border-top:0;padding:7px 10px;width:auto}
table.fields td:last-child{flex-basis:100%;padding-top:0}.perm{margin-left:0}}
.scroll{overflow-x:auto}
`;

const SCRIPT = String.raw`
(function () {
  'use strict';
  var TAG_ZH = { Auth: '认证', Tenants: '商户', Users: '用户', Roles: '角色', 'API keys': 'API 密钥',
    'Audit log': '审计日志', Tiers: '等级', Promoters: '推客', Links: '推广链接',
    Campaigns: '活动', Conversions: '订单', Commissions: '佣金', Rules: '佣金规则',
    Reviews: '风控审核', Withdrawals: '提现', Payouts: '打款', Reports: '报表',
    Operations: '运维' };
  var METHODS = ['get', 'post', 'put', 'patch', 'delete'];
  var CJK = /[\u3400-\u9fff]/;
  var doc = null;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function add(parent) {
    for (var i = 1; i < arguments.length; i++) if (arguments[i]) parent.appendChild(arguments[i]);
    return parent;
  }
  function link(href, cls, text) { var a = el('a', cls, text); a.href = href; return a; }
  function byId(id) { return document.getElementById(id); }

  function splitText(text) {
    var s = String(text || '');
    var at = s.lastIndexOf(' / ');
    if (at < 0) return CJK.test(s) ? { zh: s, en: '' } : { zh: '', en: s };
    var a = s.slice(0, at), b = s.slice(at + 3);
    return CJK.test(a) && !CJK.test(b) ? { zh: a, en: b } : { zh: b, en: a };
  }
  function bilingual(tag, cls, text) {
    var parts = splitText(text);
    var e = el(tag, cls, parts.zh || parts.en);
    if (parts.zh && parts.en) add(e, el('span', 'en', parts.en));
    return e;
  }

  /* JSON with colours, built from text nodes only. */
  var TOKENS = /("(?:\\.|[^"\\])*")(\s*:)?|\b(true|false|null)\b|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g;
  function highlight(pre, text) {
    pre.textContent = '';
    var last = 0, m;
    TOKENS.lastIndex = 0;
    while ((m = TOKENS.exec(text))) {
      if (m.index > last) pre.appendChild(document.createTextNode(text.slice(last, m.index)));
      var cls = m[1] ? (m[2] ? 'k' : 's') : m[3] ? 'b' : 'n';
      add(pre, el('span', cls, m[1] || m[0]));
      if (m[2]) pre.appendChild(document.createTextNode(m[2]));
      last = m.index + m[0].length;
    }
    pre.appendChild(document.createTextNode(text.slice(last)));
  }

  /* ---- schemas ---- */
  function lookup(ref) {
    if (typeof ref !== 'string' || ref.indexOf('#/') !== 0) return null;
    var cur = doc;
    var parts = ref.slice(2).split('/');
    for (var i = 0; i < parts.length && cur; i++) {
      cur = cur[parts[i].replace(/~1/g, '/').replace(/~0/g, '~')];
    }
    return cur || null;
  }
  function refName(ref) { return String(ref).split('/').pop(); }
  function isObj(v) { return v !== null && typeof v === 'object' && !Array.isArray(v); }
  function merge(target, source) {
    for (var k in source) if (Object.prototype.hasOwnProperty.call(source, k)) target[k] = source[k];
    return target;
  }

  /* Resolves $ref, merges allOf and unwraps "X or null" into { s, name, nullable }. */
  function norm(raw, depth) {
    var s = isObj(raw) ? raw : {}, name = null, nullable = false, guard = 0;
    while (s.$ref && guard++ < 16) {
      var target = lookup(s.$ref);
      name = refName(s.$ref);
      var siblings = merge({}, s);
      delete siblings.$ref;
      s = merge(merge({}, target || {}), siblings);
    }
    if ((depth || 0) > 24) return { s: s, name: name, nullable: false };
    if (Array.isArray(s.allOf)) {
      var all = { type: 'object', properties: {}, required: [] };
      s.allOf.forEach(function (part) {
        var p = norm(part, (depth || 0) + 1).s;
        merge(all.properties, p.properties || {});
        all.required = all.required.concat(p.required || []);
        if (p.additionalProperties === false) all.additionalProperties = false;
      });
      var rest = merge({}, s);
      delete rest.allOf;
      s = merge(all, rest);
    }
    var alts = s.anyOf || s.oneOf;
    if (Array.isArray(alts)) {
      var real = alts.filter(function (a) { return !(isObj(a) && a.type === 'null'); });
      if (real.length < alts.length) nullable = true;
      if (real.length === 1) {
        var inner = norm(real[0], (depth || 0) + 1);
        var outer = merge({}, s);
        delete outer.anyOf; delete outer.oneOf;
        s = merge(merge({}, inner.s), outer);
        name = name || inner.name;
        nullable = nullable || inner.nullable;
      } else {
        s = merge({}, s);
        s.variants = real;
      }
    }
    if (Array.isArray(s.type) && s.type.indexOf('null') >= 0) {
      nullable = true;
      var types = s.type.filter(function (t) { return t !== 'null'; });
      s = merge({}, s);
      s.type = types.length === 1 ? types[0] : types;
    }
    return { s: s, name: name, nullable: nullable };
  }

  function kindOf(s) {
    if (s.type) return Array.isArray(s.type) ? s.type.join(' | ') : s.type;
    if (s.properties || s.additionalProperties) return 'object';
    if (s.items) return 'array';
    if (s.variants) return 'oneOf';
    if (s.const !== undefined) return typeof s.const;
    return 'any';
  }
  function label(n) {
    var s = n.s, kind = kindOf(s), text;
    if (kind === 'array') {
      var item = norm(s.items || {});
      text = 'array<' + (item.name || label(item)) + '>';
    } else if (kind === 'object' && n.name) {
      text = n.name;
    } else if (kind === 'object' && isObj(s.additionalProperties) && !s.properties) {
      var value = norm(s.additionalProperties);
      text = 'map<string, ' + (value.name || label(value)) + '>';
    } else if (kind === 'oneOf') {
      text = s.variants.map(function (v) { var x = norm(v); return x.name || label(x); })
        .join(' | ');
    } else {
      text = kind;
    }
    return n.nullable ? text + ' | null' : text;
  }

  /* The object whose fields sit under a row, if any: its own, its items', its map values'. */
  function childOf(n) {
    var s = n.s, kind = kindOf(s);
    if (kind === 'object' && s.properties) return n;
    if (kind === 'array') {
      var item = norm(s.items || {});
      return childOf(item) ? item : null;
    }
    if (kind === 'object' && isObj(s.additionalProperties)) {
      var value = norm(s.additionalProperties);
      return value.s.properties ? value : null;
    }
    return null;
  }

  function fieldRows(n, depth, rows, seen) {
    var s = n.s, required = s.required || [];
    if (s.variants && !s.properties) {
      s.variants.forEach(function (v, i) {
        var vn = norm(v);
        rows.push({ name: '(' + (i + 1) + ')', depth: depth, n: vn, variant: true });
        var inner = childOf(vn);
        if (inner) fieldRows(inner, depth + 1, rows, seen);
      });
      return rows;
    }
    var props = s.properties || {};
    Object.keys(props).forEach(function (key) {
      var fn = norm(props[key]);
      rows.push({ name: key, depth: depth, n: fn, required: required.indexOf(key) >= 0 });
      var child = childOf(fn);
      var ref = child && child.name;
      if (child && depth < 8 && !(ref && seen.indexOf(ref) >= 0)) {
        fieldRows(child, depth + 1, rows, ref ? seen.concat([ref]) : seen);
      } else if (fn.s.variants) {
        fieldRows({ s: { variants: fn.s.variants } }, depth + 1, rows, seen);
      }
    });
    return rows;
  }

  function constraints(s) {
    var out = [];
    function put(zh, en, value) { out.push([zh + ' ' + en, value]); }
    if (s.format) put('格式', 'format', s.format);
    if (s.default !== undefined) put('默认', 'default', JSON.stringify(s.default));
    if (s.minimum !== undefined) put('最小', 'min', s.minimum);
    if (s.exclusiveMinimum !== undefined) put('大于', '>', s.exclusiveMinimum);
    if (s.maximum !== undefined) put('最大', 'max', s.maximum);
    if (s.exclusiveMaximum !== undefined) put('小于', '<', s.exclusiveMaximum);
    if (s.minLength !== undefined) put('最短', 'min length', s.minLength);
    if (s.maxLength !== undefined) put('最长', 'max length', s.maxLength);
    if (s.minItems !== undefined) put('最少', 'min items', s.minItems);
    if (s.maxItems !== undefined) put('最多', 'max items', s.maxItems);
    if (s.pattern) put('格式', 'pattern', s.pattern);
    if (s.const !== undefined) put('固定值', 'const', JSON.stringify(s.const));
    if (s.example !== undefined && !isObj(s.example)) put('示例', 'e.g.', JSON.stringify(s.example));
    return out;
  }

  function describe(td, s) {
    if (s.description) add(td, el('div', 'desc', s.description));
    if (Array.isArray(s.enum)) {
      var en = add(el('div', 'enum'), el('span', null, '可选值 one of'));
      s.enum.forEach(function (v) { add(en, el('code', null, JSON.stringify(v))); });
      add(td, en);
    }
    var list = constraints(s);
    if (list.length) {
      var box = el('div', 'cons');
      list.forEach(function (c) {
        var item = add(el('span'), document.createTextNode(c[0] + ' '), el('code', null, c[1]));
        add(box, item);
      });
      add(td, box);
    }
  }

  function fieldTable(rows) {
    var table = el('table', 'fields'), body = el('tbody');
    rows.forEach(function (r) {
      var tr = el('tr'), name = el('td', r.depth > 0 ? 'fn deep' : 'fn');
      name.style.paddingLeft = 10 + r.depth * 20 + 'px';
      if (r.depth > 0) add(name, el('span', 'nest', '└'));
      add(name, el('span', 'fname', r.name));
      if (r.required) add(name, el('span', 'req', '必填 required'));
      var desc = el('td');
      describe(desc, r.n.s);
      add(body, add(tr, name, el('td', 'ty', label(r.n)), desc));
    });
    return add(table, body);
  }

  /* A table for a body or response schema: its fields, or one row for a plain value. */
  function schemaView(schema) {
    var n = norm(schema);
    var target = childOf(n);
    if (target || n.s.variants) {
      var rows = fieldRows(target || n, 0, [], n.name ? [n.name] : []);
      if (rows.length) return fieldTable(rows);
    }
    return fieldTable([{ name: kindOf(n.s) === 'array' ? '[ ]' : '(value)', depth: 0, n: n }]);
  }

  /* ---- examples ---- */
  var STRING_HINTS = [[/email/i, 'owner@example.com'], [/password/i, 'correct horse battery'],
    [/^accessToken$/, 'eyJhbGciOiJFZERTQSIs…'], [/^refreshToken$/, 'rt_…'], [/name$/i, 'Demo']];
  function stringHint(key) {
    for (var i = 0; key && i < STRING_HINTS.length; i++) {
      if (STRING_HINTS[i][0].test(key)) return STRING_HINTS[i][1];
    }
    return 'string';
  }
  function exampleOf(schema, depth, key) {
    var n = norm(schema), s = n.s;
    if (depth > 8) return null;
    if (s.example !== undefined) return s.example;
    if (Array.isArray(s.examples) && s.examples.length) return s.examples[0];
    if (s.const !== undefined) return s.const;
    if (s.default !== undefined) return s.default;
    if (Array.isArray(s.enum) && s.enum.length) return s.enum[0];
    if (s.variants) return exampleOf(s.variants[0], depth + 1);
    var kind = kindOf(s);
    if (kind === 'object') {
      var out = {};
      Object.keys(s.properties || {}).forEach(function (k) {
        out[k] = exampleOf(s.properties[k], depth + 1, k);
      });
      if (!s.properties && isObj(s.additionalProperties)) {
        out.key = exampleOf(s.additionalProperties, depth + 1);
      }
      return out;
    }
    if (kind === 'array') return [exampleOf(s.items || {}, depth + 1, key)];
    if (kind === 'integer' || kind === 'number') return s.minimum !== undefined ? s.minimum : 0;
    if (kind === 'boolean') return true;
    if (s.format === 'date-time') return '2026-12-03T08:00:00Z';
    if (s.format === 'email') return 'user@example.com';
    if (s.format === 'uri' || s.format === 'url') return 'https://example.com';
    return kind === 'string' ? stringHint(key) : null;
  }
  function jsonOf(content) {
    var media = content && (content['application/json'] || content['application/problem+json']);
    return media && media.schema ? media.schema : null;
  }

  /* ---- operations ---- */
  function opId(method, path) {
    return 'op-' + method + '-' + path.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '');
  }
  function pathView(path) {
    var span = el('span', 'path');
    path.split(/(\{[^}]+\})/).forEach(function (part) {
      if (part) add(span, el('span', /^\{/.test(part) ? 'p' : null, part));
    });
    return span;
  }
  function methodBadge(method, cls) {
    var known = METHODS.indexOf(method) >= 0 ? method : 'other';
    return el('span', cls + ' m-' + known, method.toUpperCase());
  }
  function permissionBadge(permission) {
    var badge;
    if (permission === 'public') {
      badge = add(el('span', 'perm public'), el('span', 'dot'),
        document.createTextNode('公开 · Public, no credential'));
    } else if (permission === null || permission === undefined) {
      badge = add(el('span', 'perm signed'), el('span', 'dot'),
        document.createTextNode('登录即可 · Any signed-in user'));
    } else {
      badge = link('#perm-' + String(permission).replace(/[^a-z0-9_]/g, '-'), 'perm');
      add(badge, document.createTextNode('需要权限 Permission'), el('b', null, permission));
    }
    return badge;
  }

  function paramsOf(pathItem, op) {
    var list = [].concat(pathItem.parameters || [], op.parameters || []);
    return list.map(function (p) { return p && p.$ref ? lookup(p.$ref) || {} : p; });
  }
  function paramTable(params) {
    var table = el('table', 'fields'), body = el('tbody');
    params.forEach(function (p) {
      var n = norm(p.schema || {});
      var name = el('td', 'fn');
      add(name, el('span', 'fname', p.name));
      if (p.required) add(name, el('span', 'req', '必填 required'));
      var desc = el('td');
      var s = merge({}, n.s);
      if (p.description) s.description = p.description;
      describe(desc, s);
      add(body, add(el('tr'), name, add(el('td', 'ty'), el('span', 'in', p.in)),
        el('td', 'ty', label(n)), desc));
    });
    return add(table, body);
  }

  var errorIndex = {};
  function indexErrors() {
    var rows = document.querySelectorAll('tr[data-status]');
    for (var i = 0; i < rows.length; i++) {
      var status = rows[i].getAttribute('data-status');
      (errorIndex[status] = errorIndex[status] || []).push(rows[i].getAttribute('data-code'));
    }
  }
  function statusClass(code) { return 's' + String(code).charAt(0); }
  function isProblem(response) {
    var content = response.content || {};
    if (content['application/problem+json']) return true;
    var schema = jsonOf(content);
    return !!(schema && schema.$ref && refName(schema.$ref) === 'Problem');
  }
  function errorChips(codes, responses) {
    var box = el('div', 'errs');
    codes.forEach(function (code) {
      var chip = add(el('span', 'chip'), el('span', 'status ' + statusClass(code), code));
      chip.title = responses[code].description || '';
      var names = errorIndex[code] || [];
      if (!names.length) add(chip, link('#errors', null, responses[code].description || 'error'));
      names.forEach(function (name, i) {
        if (i) add(chip, document.createTextNode('·'));
        add(chip, link('#error-' + name, null, name));
      });
      add(box, chip);
    });
    return box;
  }
  function responseBlock(code, response) {
    var box = el('div', 'resp');
    var head = add(el('div', 'resp-head'), el('span', 'status ' + statusClass(code), code),
      el('span', null, response.description || ''));
    var types = Object.keys(response.content || {});
    if (types.length) add(head, el('span', 'ct', types.join(', ')));
    add(box, head);
    var schema = jsonOf(response.content);
    if (schema) add(box, schemaView(schema));
    else if (!types.length) add(box, el('div', 'empty', '无响应体 No body'));
    return box;
  }

  function shellQuote(text) { return "'" + String(text).replace(/'/g, "'\\''") + "'"; }
  function curlOf(method, path, params) {
    var url = path.replace(/\{([^}]+)\}/g, function (all, name) {
      var p = params.filter(function (x) { return x.in === 'path' && x.name === name; })[0];
      var v = p ? exampleOf(p.schema || {}, 0) : null;
      return typeof v === 'string' || typeof v === 'number' ? String(v) : all;
    });
    var query = params.filter(function (p) { return p.in === 'query' && p.required; })
      .map(function (p) { return p.name + '=' + encodeURIComponent(exampleOf(p.schema || {}, 0)); });
    if (query.length) url += '?' + query.join('&');
    var verb = method === 'get' ? '' : '-X ' + method.toUpperCase() + ' ';
    return ['curl ' + verb + shellQuote(location.origin + url)];
  }
  function panel(title, text, json) {
    var pre = el('pre', json ? 'code' : 'code wrap');
    if (json) highlight(pre, text); else pre.textContent = text;
    var copy = el('button', 'copy', '复制 Copy');
    copy.type = 'button';
    copy.addEventListener('click', function () {
      if (!navigator.clipboard) return;
      navigator.clipboard.writeText(text).then(function () {
        copy.textContent = '已复制 Copied';
        setTimeout(function () { copy.textContent = '复制 Copy'; }, 1500);
      });
    });
    return add(el('div', 'panel'), add(el('div', 'bar'), el('span', null, title), copy), pre);
  }

  function sidePanels(method, path, op, permission, params) {
    var side = el('div', 'side');
    var lines = curlOf(method, path, params);
    if (permission !== 'public') lines.push('  -H "Authorization: Bearer $TUIKE_TOKEN"');
    var bodySchema = op.requestBody && jsonOf(op.requestBody.content);
    if (bodySchema) {
      lines.push("  -H 'Content-Type: application/json'");
      lines.push('  -d ' + shellQuote(JSON.stringify(exampleOf(bodySchema, 0), null, 2)));
    }
    add(side, panel('请求示例 Request', lines.join(' \\\n'), false));
    var codes = Object.keys(op.responses || {}).sort();
    var success = codes.filter(function (c) { return /^2/.test(c); })[0];
    var schema = success && jsonOf(op.responses[success].content);
    if (schema) {
      var text = JSON.stringify(exampleOf(schema, 0), null, 2);
      add(side, panel('响应示例 Response · ' + success, text, true));
    }
    return side;
  }

  function operationView(method, path, pathItem, op) {
    var permission = op['x-permission'];
    var params = paramsOf(pathItem, op);
    var section = el('section', 'op');
    section.id = op.operationId ? 'op-' + op.operationId : opId(method, path);
    add(section, add(el('div', 'op-line'), methodBadge(method, 'method'), pathView(path),
      permissionBadge(permission)));
    add(section, bilingual('h3', null, op.summary || method.toUpperCase() + ' ' + path));
    if (op.description) add(section, el('p', null, op.description));

    var main = el('div', 'main');
    if (params.length) {
      add(main, add(el('h4', null, '参数 '), el('span', null, 'Parameters')), paramTable(params));
    }
    var body = op.requestBody;
    var bodySchema = body && jsonOf(body.content);
    if (bodySchema) {
      var h = add(el('h4', null, '请求体 '), el('span', null, 'Request body'),
        el('span', 'ct', Object.keys(body.content).join(', ')));
      if (!body.required) add(h, el('span', 'ct', '可选 optional'));
      add(main, h, schemaView(bodySchema));
    }
    var responses = op.responses || {};
    var codes = Object.keys(responses).sort();
    var problems = codes.filter(function (c) { return isProblem(responses[c]); });
    add(main, add(el('h4', null, '响应 '), el('span', null, 'Responses')));
    codes.filter(function (c) { return problems.indexOf(c) < 0; }).forEach(function (c) {
      add(main, responseBlock(c, responses[c]));
    });
    if (problems.length) {
      add(main, add(el('h4', null, '错误 '), el('span', null, 'Errors · application/problem+json')),
        errorChips(problems, responses));
    }
    add(section, add(el('div', 'op-grid'), main, sidePanels(method, path, op, permission, params)));
    return section;
  }

  /* ---- page ---- */
  function collect() {
    var groups = [], byTag = {};
    Object.keys(doc.paths || {}).forEach(function (path) {
      var item = doc.paths[path];
      METHODS.forEach(function (method) {
        var op = item[method];
        if (!op) return;
        var tag = (op.tags && op.tags[0]) || 'Other';
        if (!byTag[tag]) { byTag[tag] = { tag: tag, ops: [] }; groups.push(byTag[tag]); }
        byTag[tag].ops.push({ method: method, path: path, item: item, op: op });
      });
    });
    var last = ['Operations', 'Other'];
    return groups.filter(function (g) { return last.indexOf(g.tag) < 0; })
      .concat(groups.filter(function (g) { return last.indexOf(g.tag) >= 0; }));
  }
  function tagId(tag) { return 'tag-' + tag.toLowerCase().replace(/[^a-z0-9]+/g, '-'); }
  function tagTitle(tag, cls) {
    var zh = TAG_ZH[tag];
    var e = el(cls === 'tag' ? 'div' : 'h2', cls, zh || tag);
    if (zh) add(e, el('span', cls === 'tag' ? null : 'en', tag));
    return e;
  }

  function render() {
    indexErrors();
    var info = doc.info || {};
    byId('title').textContent = info.title || 'Tuike API';
    byId('version').textContent = info.version || '?';
    byId('brand-version').textContent = 'v' + (info.version || '?') + ' · OpenAPI ' + (doc.openapi || '');
    document.title = (info.title || 'Tuike API') + ' · 接口文档';
    var groups = collect();
    var navOps = byId('nav-ops'), out = byId('endpoints');
    out.textContent = '';
    var count = 0;
    groups.forEach(function (g) {
      var head = add(el('div', 'tag-head'), tagTitle(g.tag, null));
      head.id = tagId(g.tag);
      add(out, head);
      var navGroup = add(el('div', 'nav-group'), tagTitle(g.tag, 'tag'));
      g.ops.forEach(function (o) {
        var view = operationView(o.method, o.path, o.item, o.op);
        add(out, view);
        count++;
        var text = splitText(o.op.summary || o.path);
        var a = add(link('#' + view.id, null), methodBadge(o.method, 'm'),
          el('span', 'label', text.zh || text.en));
        a.title = o.method.toUpperCase() + ' ' + o.path + (text.en ? ' — ' + text.en : '');
        a.setAttribute('data-search', [o.method, o.path, o.op.summary, g.tag].join(' ').toLowerCase());
        view.setAttribute('data-search', a.getAttribute('data-search'));
        add(navGroup, a);
      });
      add(navOps, navGroup);
    });
    byId('op-count').textContent = String(count);
    if (location.hash) {
      var target = byId(decodeURIComponent(location.hash.slice(1)));
      if (target) target.scrollIntoView();
    }
    spy();
  }

  function filter(query) {
    var q = query.trim().toLowerCase();
    var groups = document.querySelectorAll('#nav-ops .nav-group');
    for (var i = 0; i < groups.length; i++) {
      var links = groups[i].querySelectorAll('a'), shown = 0;
      for (var j = 0; j < links.length; j++) {
        var hit = !q || links[j].getAttribute('data-search').indexOf(q) >= 0;
        links[j].hidden = !hit;
        if (hit) shown++;
      }
      groups[i].hidden = shown === 0;
    }
  }

  function spy() {
    if (!('IntersectionObserver' in window)) return;
    var links = {};
    var all = document.querySelectorAll('nav a[href^="#"]');
    for (var i = 0; i < all.length; i++) links[all[i].getAttribute('href').slice(1)] = all[i];
    var current = null;
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (!entry.isIntersecting || !links[entry.target.id]) return;
        if (current) current.classList.remove('active');
        current = links[entry.target.id];
        current.classList.add('active');
      });
    }, { rootMargin: '0px 0px -75% 0px' });
    Object.keys(links).forEach(function (id) { var t = byId(id); if (t) observer.observe(t); });
  }

  var staticJson = document.querySelectorAll('pre[data-json]');
  for (var i = 0; i < staticJson.length; i++) highlight(staticJson[i], staticJson[i].textContent);
  byId('search').addEventListener('input', function (e) { filter(e.target.value); });
  var bases = document.querySelectorAll('.base-url');
  for (var b = 0; b < bases.length; b++) bases[b].textContent = location.origin;

  fetch('/openapi.json', { headers: { Accept: 'application/json' } })
    .then(function (res) {
      if (!res.ok) throw new Error('HTTP ' + res.status);
      return res.json();
    })
    .then(function (json) { doc = json; render(); })
    .catch(function (err) {
      var box = byId('endpoints');
      box.textContent = '';
      add(box, el('div', 'failed', '无法加载 /openapi.json · Could not load /openapi.json: ' +
        (err && err.message ? err.message : String(err))));
    });
})();
`;

const GUIDE = `
<section class="block" id="overview">
<h2>使用指南<span class="en">Guide</span></h2>
<div class="cards">
<div class="card" id="auth"><h3>认证<span class="en">Authentication</span></h3>
<p>在请求头中携带 <code>Authorization: Bearer &lt;令牌&gt;</code>。后台用户用 <code>POST /v1/auth/login</code>
换取访问令牌（15 分钟有效），并用 <code>POST /v1/auth/refresh</code> 轮换刷新令牌（每个只能用一次）。商户服务器使用
API 密钥 <code>tk_…</code>，放在同一个请求头中。</p>
<p class="en">Send <code>Authorization: Bearer &lt;token&gt;</code>. Console users get an access token (valid
15 minutes) from <code>POST /v1/auth/login</code> and rotate the refresh token, which works once, with
<code>POST /v1/auth/refresh</code>. Merchant servers use an API key <code>tk_…</code> in the same header.</p>
<pre class="code">curl -H "Authorization: Bearer tk_…" <span class="base-url"></span>/v1/…</pre></div>
<div class="card" id="money"><h3>金额<span class="en">Money</span></h3>
<p>金额从不使用浮点数：它是以字符串表示的最小货币单位整数（人民币为“分”），并总是带着币种。</p>
<p class="en">Amounts are never floating-point numbers: they are whole minor units (fen for CNY) written as
a string, always next to their currency.</p>
<pre class="code" data-json>{ "amount": "1999", "currency": "CNY" }</pre></div>
<div class="card" id="problems"><h3>错误<span class="en">Errors</span></h3>
<p>失败的请求返回 RFC 9457 <code>application/problem+json</code>，带稳定的 <code>code</code> 和
<code>requestId</code>；校验失败时 <code>errors</code> 列出每个字段。失败的请求不会修改任何数据。
见 <a href="#errors">错误码</a>。</p>
<p class="en">A failed request answers RFC 9457 <code>application/problem+json</code> with a stable
<code>code</code> and the <code>requestId</code>; validation failures list each field in
<code>errors</code>. A failed request changes nothing. See <a href="#errors">error codes</a>.</p>
<pre class="code" data-json>{ "type": "/docs#error-not_found", "status": 404, "code": "not_found", … }</pre></div>
<div class="card" id="pagination"><h3>分页<span class="en">Pagination</span></h3>
<p>列表按创建时间倒序返回 <code>{ data, nextCursor }</code>。<code>?limit=</code> 默认 50、最多 200；把
<code>nextCursor</code> 作为 <code>?cursor=</code> 传入即可取下一页，最后一页为 <code>null</code>。</p>
<p class="en">Lists answer <code>{ data, nextCursor }</code>, newest first. <code>?limit=</code> defaults to 50,
at most 200; pass <code>nextCursor</code> as <code>?cursor=</code> for the next page. It is
<code>null</code> on the last page.</p>
<pre class="code" data-json>{ "data": [ … ], "nextCursor": "usr_01jd7s5m3q8x0f4k2v9w6tbz3c" }</pre></div>
</div>
<ul class="conv" id="conventions">
<li>权限：每个接口标明所需权限——公开、任意已登录用户，或一个具体权限（见 <a href="#permissions">权限</a>）。
<span class="en">Each operation names what it needs: public, any signed-in user, or one permission.</span></li>
<li>ID 带类型前缀且按时间排序，如 <code>usr_…</code>、<code>ten_…</code>。
<span class="en">Ids are prefixed by kind and sort by creation time.</span></li>
<li>时间为 UTC 的 ISO 8601 字符串，JSON 字段使用 camelCase。
<span class="en">Times are ISO 8601 in UTC; JSON keys are camelCase.</span></li>
<li>请求体严格校验，未知字段与服务器字段（id、tenantId、时间戳）一律拒绝。
<span class="en">Bodies are strict: unknown and server-owned fields are refused.</span></li>
<li>每个响应都带 <code>X-Request-Id</code>。
<span class="en">Every response carries <code>X-Request-Id</code>.</span></li>
</ul>
</section>`;

const REFERENCE = `
<section class="block" id="permissions">
<h2>权限<span class="en">Permissions</span></h2>
<p>内置角色及其权限；API 密钥只能携带最后一列中的权限。</p>
<p class="en">The built-in roles and the permissions they hold; an API key may carry only the scopes in the
last column.</p>
<div class="scroll"><table class="ref perms"><thead><tr><th>权限 Permission</th><th>说明 Meaning</th>${roleHeaders()}
<th>API 密钥<span class="en">API key</span></th></tr></thead>
<tbody>
${permissionRows()}
</tbody></table></div>
</section>
<section class="block" id="errors">
<h2>错误码<span class="en">Errors</span></h2>
<div class="problem"><div>
<p>错误响应的 <code>type</code> 指向下表中的锚点（<code>/docs#error-&lt;code&gt;</code>），<code>code</code>
是稳定的机器可读标识，<code>detail</code> 说明具体原因，<code>requestId</code> 与响应头
<code>X-Request-Id</code> 一致。</p>
<p class="en">The <code>type</code> of a problem points at its row below (<code>/docs#error-&lt;code&gt;</code>);
<code>code</code> is the stable machine-readable name, <code>detail</code> says what went wrong, and
<code>requestId</code> matches the <code>X-Request-Id</code> header.</p></div>
<pre class="code" data-json>${esc(PROBLEM_EXAMPLE)}</pre></div>
<div class="scroll"><table class="ref errors"><thead><tr><th>代码 Code</th><th>状态 Status</th><th>标题 Title</th>
<th>何时返回 When</th></tr></thead>
<tbody>
${errorRows()}
</tbody></table></div>
</section>`;

export const DOCS_HTML = `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tuike API · 接口文档</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
</head>
<body>
<div class="layout">
<aside>
<div class="brand"><div class="logo">推</div><div><b>Tuike API</b><small id="brand-version">…</small></div></div>
<input id="search" class="search" type="search" placeholder="搜索接口 Search operations" aria-label="Search operations">
<nav>
<div class="group">指南<span>Guide</span></div>
<a href="#overview"><span class="label">概览 Overview</span></a>
<a href="#auth"><span class="label">认证 Authentication</span></a>
<a href="#money"><span class="label">金额 Money</span></a>
<a href="#problems"><span class="label">错误 Errors</span></a>
<a href="#pagination"><span class="label">分页 Pagination</span></a>
<div class="group">接口<span>Endpoints</span></div>
<div id="nav-ops"></div>
<div class="group">参考<span>Reference</span></div>
<a href="#permissions"><span class="label">权限 Permissions</span></a>
<a href="#errors"><span class="label">错误码 Error codes</span></a>
</nav>
</aside>
<main><div class="content">
<header class="hero">
<div class="eyebrow">推客 · API 参考 · API Reference</div>
<h1 id="title">Tuike API</h1>
<p class="lead">推客（Tuike）是开源的分销与推荐平台。本页列出它的 HTTP 接口，内容由
<a href="/openapi.json">/openapi.json</a> 生成。</p>
<p class="en">Tuike is an open-source affiliate and referral platform. This page lists its HTTP API,
rendered from <a href="/openapi.json">/openapi.json</a>.</p>
<div class="meta"><span>版本 Version <b id="version">…</b></span>
<span>接口 Operations <b id="op-count">…</b></span>
<span>OpenAPI <b>3.1</b></span>
<span>服务地址 Base URL <b class="base-url"></b></span></div>
</header>
${GUIDE}
<div id="endpoints"><div class="loading">正在加载接口… Loading /openapi.json…</div></div>
${REFERENCE}
<footer>Tuike · Apache-2.0 · <a href="/openapi.json">openapi.json</a></footer>
</div></main>
</div>
<script>${SCRIPT}</script>
</body>
</html>`;
