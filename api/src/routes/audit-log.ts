import { createRouter } from '../lib/openapi';

export const auditLogRoutes = createRouter();
