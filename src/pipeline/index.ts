export { forecast } from '../config/forecast';
export { loadConfig, ConfigError } from '../config/load';
export * from './schedule';
export * from './trigger-now';
