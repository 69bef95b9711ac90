import type { Draft } from '../draft.js';
import { clip } from '../text.js';

/**
 * client-go exec credential plugin failures (FM-01, FM-02, FM §0.2 KEXEC/KAPIV). No HTTP request was sent, so no
 * status is recorded.
 */
export function parseExecLine(line: string, lower: string, draft: Draft): void {
  if (lower.includes('getting credentials: exec:') || lower.includes('getting token: exec:')) {
    if (!lower.includes('unable to connect to the server')) draft.source('exec-plugin');
    else draft.source('kubectl');
    const failed =
      /exec: (?:executable (\S{1,200}) failed with exit code (\d{1,3})|exit status (\d{1,3}))/.exec(line);
    if (failed) {
      draft.fact('exec-plugin-failed');
      draft.set('reason', clip(failed[0]));
    }
    if (/executable (?:\S{1,200}) not found|executable file not found in \$PATH/.test(line)) {
      draft.fact('exec-plugin-not-found');
    }
  }
  // The plugin ran but printed something that is not an ExecCredential (a prompt, a banner, YAML): no token either.
  const decoding = lower.includes('getting credentials: decoding stdout:');
  if (decoding) draft.source('exec-plugin');
  let versionProblem = false;
  if (lower.includes('exec plugin') || lower.includes('execcredential')) {
    const invalid = /exec plugin: invalid apiVersion "([^"]{1,100})"/.exec(line);
    const returned = /plugin returned version (client\.authentication\.k8s\.io\/[a-z0-9]{1,20})/.exec(line);
    const noKind = /no kind "ExecCredential" is registered for version "([^"]{1,100})"/.exec(line);
    const version = invalid?.[1] ?? returned?.[1] ?? noKind?.[1];
    if (version) {
      if (lower.includes('unable to connect to the server') || /^error: exec plugin/.test(line)) {
        draft.source('kubectl');
      }
      draft.fact(
        version.endsWith('/v1alpha1') ? 'exec-api-version-v1alpha1' : 'exec-api-version-unsupported',
      );
      draft.set('reason', clip((invalid ?? returned ?? noKind)?.[0] ?? ''));
      versionProblem = true;
    }
  }
  if (decoding && !versionProblem) {
    draft.fact('exec-plugin-failed');
    draft.set('reason', clip(/getting credentials: decoding stdout: [^\n]{0,300}/.exec(line)?.[0] ?? ''));
  }
  // aws-iam-authenticator token generation (`aws-iam-authenticator token -r ...`) errors.
  if (lower.includes('could not get token:')) draft.source('exec-plugin');
}
