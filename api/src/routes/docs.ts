import { Hono } from 'hono';
import type { AppEnv } from '../context';
import { DOCS_HTML } from './docs-page';

// GET /docs: the API reference, rendered in the browser from /openapi.json (no CDN needed).
export const docsRoutes = new Hono<AppEnv>().get('/docs', (c) => {
  c.header(
    'Content-Security-Policy',
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:",
  );
  return c.html(DOCS_HTML);
});
