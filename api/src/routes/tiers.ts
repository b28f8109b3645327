import { createRouter } from '../lib/openapi';

export const tierRoutes = createRouter();
