/**
 * Username and group templates as the authenticator renders them (FM §0 step 6, AUTH:pkg/server/server.go).
 * An empty template renders to the empty string: there is no default username anywhere in the authenticator.
 */

export interface TemplateContext {
  accountId: string;
  /** Session name of an assumed role; '' for IAM users, root and federated users; undefined when not known. */
  sessionName: string | undefined;
  accessKeyId?: string;
}

export type RenderResult =
  | {
      ok: true;
      value: string;
      /** parts that could not be known offline (rendered as their template) */ unknown: string[];
    }
  | { ok: false; error: string };

const INSTANCE_ID = /^i-(\w{8}|\w{17})$/;
const PLACEHOLDER = /\{\{(\w+)\}\}/g;

export function renderTemplate(template: string, ctx: TemplateContext): RenderResult {
  const unknown: string[] = [];
  let error: string | undefined;
  const value = template.replace(PLACEHOLDER, (whole, name: string) => {
    switch (name) {
      case 'AccountID':
        return ctx.accountId;
      case 'SessionName':
        if (ctx.sessionName === undefined) {
          unknown.push(whole);
          return whole;
        }
        return ctx.sessionName.replace(/@/g, '-');
      case 'SessionNameRaw':
        if (ctx.sessionName === undefined) {
          unknown.push(whole);
          return whole;
        }
        return ctx.sessionName;
      case 'AccessKeyID':
        if (!ctx.accessKeyId) {
          unknown.push(whole);
          return whole;
        }
        return ctx.accessKeyId;
      case 'EC2PrivateDNSName':
        if (ctx.sessionName === undefined) {
          unknown.push(whole);
          return whole;
        }
        if (!INSTANCE_ID.test(ctx.sessionName)) {
          error ??= `error rendering template "${template}": SessionName did not contain an instance id`;
          return whole;
        }
        unknown.push(whole); // needs ec2:DescribeInstances; non-empty when it resolves
        return whole;
      default:
        // Unknown placeholders are left as written by the authenticator's strings.Replace approach.
        return whole;
    }
  });
  return error ? { ok: false, error } : { ok: true, value, unknown };
}

/** True when the template renders to an empty string for this context (the FM-45 trap). */
export function rendersEmpty(template: string | undefined, ctx: TemplateContext): boolean {
  if (template === undefined || template === '') return true;
  const r = renderTemplate(template, ctx);
  return r.ok && r.value === '';
}
