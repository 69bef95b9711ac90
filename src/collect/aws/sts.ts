/** Who collects (FM §5.4: GetCallerIdentity needs no IAM permission, so a failure here is about credentials). */
import { SourceFailure, failureFor, unexpectedAnswer } from '../failure.js';
import type { AwsClients } from './clients.js';
import type { Call } from './eks.js';

export interface CallerIdentity {
  Arn: string;
  Account: string;
  UserId: string;
}

export async function getCallerIdentity(aws: AwsClients, call: Call): Promise<CallerIdentity> {
  let out;
  try {
    const { sdk, client } = await aws.sts();
    out = await call((abortSignal) => client.send(new sdk.GetCallerIdentityCommand({}), { abortSignal }));
  } catch (error) {
    throw new SourceFailure(failureFor('sts:GetCallerIdentity', error));
  }
  if (!out.Arn) throw unexpectedAnswer('sts:GetCallerIdentity', 'an Arn');
  return { Arn: out.Arn, Account: out.Account ?? '', UserId: out.UserId ?? '' };
}
