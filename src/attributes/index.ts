export * from './store.js';
export * from './failcount.js';
