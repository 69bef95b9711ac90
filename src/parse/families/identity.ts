import type { Draft } from '../draft.js';
import { looksLikePrincipalArn } from '../text.js';

/** Facts a Kubernetes username proves by its shape (FM-42, FM-45, FM-54). */
export function usernameFacts(username: string, draft: Draft): void {
  if (username === '') draft.fact('empty-username');
  else if (username === 'system:anonymous') draft.fact('anonymous');
  else if (username.startsWith('system:serviceaccount:')) draft.fact('serviceaccount-user');
  else if (username.startsWith('system:node:')) draft.fact('node-user');
  // A username that is itself an ARN (access-entry default) names the principal as well.
  if (looksLikePrincipalArn(username)) draft.set('principalArn', username);
}
