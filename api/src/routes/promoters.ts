import { createRouter } from '../lib/openapi';

export const promoterRoutes = createRouter();
