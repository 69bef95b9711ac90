/**
 * Reading what users paste (DESIGN §2 `parse`, §6 `parseLogLine`): error lines, authenticator and audit logs,
 * AWS CLI errors, `k8s-aws-v1.` tokens and kubeconfigs. Pure and synchronous; no AWS SDK or Kubernetes client.
 */
export { parseLogLine, parseLogLines, type ParseOptions } from './lines.js';
export { decodeToken, analyzeTokenUrl, type DecodedToken } from './token.js';
export { readKubeconfig, type KubeconfigFacts } from './kubeconfig.js';
export { formatIncident } from './format.js';
export { accountFromAccessKeyId } from './access-key.js';
