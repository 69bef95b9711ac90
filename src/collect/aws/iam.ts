/**
 * The failing principal in IAM (FM §5.4): unique id, path and creation date, which decide a recreated principal
 * (FM-22) and give the path-ful role ARN that DescribeAccessEntry needs for an STS assumed-role ARN (STS never
 * returns the path). NoSuchEntity is a fact (`exists: false`), not a failure.
 */
import type { ParsedArn } from '../../eks/arn.js';
import { SourceFailure, errorCode, failureFor, unexpectedAnswer } from '../failure.js';
import type { AwsClients } from './clients.js';
import type { Call } from './eks.js';

export interface IamPrincipalEvidence {
  arn: string;
  exists: boolean;
  id?: string;
  createDate?: string;
  path?: string;
  name?: string;
  type?: 'user' | 'role';
}

/** True for principals IAM can describe (users and roles, including the role behind an assumed-role ARN). */
export function hasIamEntity(parsed: ParsedArn): boolean {
  return parsed.kind === 'user' || parsed.kind === 'role' || parsed.kind === 'assumed-role';
}

export async function lookupPrincipal(
  aws: AwsClients,
  call: Call,
  parsed: ParsedArn,
): Promise<IamPrincipalEvidence> {
  const { sdk, client } = await aws.iam();
  const type = parsed.kind === 'user' ? 'user' : 'role';
  const guessedArn = `arn:${parsed.partition}:iam::${parsed.accountId}:${type}${parsed.path}${parsed.name}`;
  try {
    if (type === 'user') {
      const out = await call((abortSignal) =>
        client.send(new sdk.GetUserCommand({ UserName: parsed.name }), { abortSignal }),
      );
      const user = out.User;
      if (!user?.Arn) throw unexpectedAnswer('iam:GetUser', 'a User');
      return {
        arn: user.Arn,
        exists: true,
        ...(user.UserId ? { id: user.UserId } : {}),
        ...(user.CreateDate ? { createDate: new Date(user.CreateDate).toISOString() } : {}),
        ...(user.Path ? { path: user.Path } : {}),
        name: user.UserName ?? parsed.name,
        type,
      };
    }
    const out = await call((abortSignal) =>
      client.send(new sdk.GetRoleCommand({ RoleName: parsed.name }), { abortSignal }),
    );
    const role = out.Role;
    if (!role?.Arn) throw unexpectedAnswer('iam:GetRole', 'a Role');
    return {
      arn: role.Arn,
      exists: true,
      ...(role.RoleId ? { id: role.RoleId } : {}),
      ...(role.CreateDate ? { createDate: new Date(role.CreateDate).toISOString() } : {}),
      ...(role.Path ? { path: role.Path } : {}),
      name: role.RoleName ?? parsed.name,
      type,
    };
  } catch (error) {
    if (error instanceof SourceFailure) throw error;
    if (errorCode(error) === 'NoSuchEntity' || errorCode(error) === 'NoSuchEntityException') {
      return { arn: guessedArn, exists: false, name: parsed.name, type };
    }
    throw new SourceFailure(failureFor(type === 'user' ? 'iam:GetUser' : 'iam:GetRole', error));
  }
}
