import { createRouter } from '../lib/openapi';

export const userRoutes = createRouter();
