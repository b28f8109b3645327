import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute, idOf, jsonBody, ok } from '../lib/openapi';
import { signInPromoter } from '../services/promoter-auth';
import { Name } from './schemas';

const signInRoute = defineRoute({
  method: 'post',
  path: '/v1/promoter-auth/wechat',
  tag: 'Auth',
  summary: 'Promoter sign-in from the mini-program (joins on first visit) / 推客微信登录',
  permission: 'public',
  route: {
    request: {
      body: jsonBody(
        z.strictObject({
          tenantId: idOf('tenant'),
          code: z.string().min(1).max(128).openapi({ description: 'The code from wx.login()' }),
          inviteCode: z
            .string()
            .trim()
            .regex(/^[A-Za-z0-9]{4,32}$/, 'must be 4–32 letters or digits')
            .optional(),
          name: Name.optional(),
        }),
      ),
    },
    responses: {
      200: ok(
        z.object({
          accessToken: z.string(),
          tokenType: z.literal('Bearer'),
          expiresIn: z.number().int(),
          promoterId: z.string(),
          joined: z
            .boolean()
            .openapi({ description: 'True when this sign-in created the promoter' }),
        }),
      ),
    },
  },
});

export const promoterAuthRoutes = createRouter()
  // POST /v1/promoter-auth/wechat: wx.login() code → promoter token (and membership on first visit).
  .openapi(signInRoute, async (c) => {
    const result = await signInPromoter(c.get('deps'), c.req.valid('json'), c.get('ip'));
    return c.json(result, 200);
  });
