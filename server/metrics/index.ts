export { ServerMetrics, type ServerMetricsOptions } from './server-metrics';
export { Readiness, type ReadinessCheck, type ReadinessOptions } from './readiness';
