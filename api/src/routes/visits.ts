import { z } from '@hono/zod-openapi';
import { newId } from '@tuike/core';
import { ApiError } from '../lib/errors';
import { createRouter, defineRoute, jsonBody, ok, problemOf } from '../lib/openapi';
import { enforceLimit } from '../services/rate-limits';

const visitRoute = defineRoute({
  method: 'post',
  path: '/t/visits',
  tag: 'Links',
  summary: 'Record a visit that starts inside the mini-program / 小程序访问归因',
  permission: 'public',
  route: {
    request: {
      body: jsonBody(
        z.strictObject({
          scene: z
            .string()
            .regex(/^[A-Za-z0-9_-]{4,32}$/, 'must be a link code (the mini-program scene)')
            .openapi({ description: 'The scene of the mini-program code: the link code' }),
          visitorId: z
            .string()
            .regex(/^[A-Za-z0-9_-]{8,40}$/, 'must be 8–40 URL-safe characters')
            .optional()
            .openapi({ description: 'A stable id the mini-program keeps for this visitor' }),
        }),
      ),
    },
    responses: {
      201: ok(z.object({ clickId: z.string(), visitorId: z.string() }), 'Recorded'),
      404: problemOf('No live link has this code'),
    },
  },
});

export const visitRoutes = createRouter()
  // POST /t/visits: scene token → link → a recorded click; answers the click id.
  .openapi(visitRoute, async (c) => {
    const deps = c.get('deps');
    const ip = c.get('ip');
    await enforceLimit(deps, 'visitsPerIp', ip);
    const { scene, visitorId: given } = c.req.valid('json');
    const target = await deps.linkResolver.resolve(scene);
    const now = deps.clock.now();
    const expired = target?.expiresAt ? Date.parse(target.expiresAt) <= now.getTime() : false;
    if (!target?.active || expired) {
      throw new ApiError('not_found', `no live link has the code ${scene} / 链接不存在或已失效`);
    }
    const clickId = newId('click', now.getTime());
    const visitorId = given ?? newId('click', now.getTime()).slice(4);
    deps.clickRecorder.record({
      tenantId: target.tenantId,
      id: clickId,
      clickedAt: now.getTime(),
      linkId: target.linkId,
      promoterId: target.promoterId,
      source: 'visit',
      visitorId,
      newVisitor: given === undefined,
      ip,
      userAgent: c.req.header('user-agent')?.slice(0, 512) ?? null,
      referrer: null,
      timeZone: target.timeZone,
      ipSalt: target.ipSalt,
    });
    return c.json({ clickId, visitorId }, 201);
  });
