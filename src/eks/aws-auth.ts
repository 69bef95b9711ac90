export * from './aws-auth/index.js';
