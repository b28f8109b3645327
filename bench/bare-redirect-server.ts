import { createServer } from 'node:http';

// The ceiling: a bare Node http server answering the same 302 as Tuike's redirect from an
// in-memory map, with a fresh click id and the same cookie. Prints its port when listening.
const links = new Map([[process.env.CODE ?? 'benchcode', process.env.DESTINATION ?? '']]);
let n = 0;

const server = createServer((req, res) => {
  const code = req.url?.startsWith('/r/') ? req.url.slice(3) : '';
  const destination = links.get(code);
  if (!destination) {
    res.writeHead(404).end();
    return;
  }
  const location = new URL(destination);
  location.searchParams.set('tk_clk', `clk_${Date.now().toString(32)}${(n++).toString(32)}`);
  res.writeHead(302, {
    Location: location.href,
    'Set-Cookie':
      'tk_v=0123456789abcdefghjkmnpqrs; Max-Age=2592000; Path=/; HttpOnly; SameSite=Lax',
    'Cache-Control': 'no-store',
  });
  res.end();
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : 0}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
