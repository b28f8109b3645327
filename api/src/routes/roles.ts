import { createRouter } from '../lib/openapi';

export const roleRoutes = createRouter();
