export { createHttpServer } from './create-http-server';
export type { HttpServerHandle } from './create-http-server';
export { getServices, registerServices } from './service-registry';
export type { ServerServices } from './service-registry';
