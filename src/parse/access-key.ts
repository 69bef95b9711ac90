const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * The AWS account an access key id belongs to. Key ids issued since 2019 (fifth character `Q`..`7`) carry the
 * account number in bits 1..40 of their base32 body: body[0..6) as a 48-bit big-endian number, masked with
 * 0x7fffffffff80 and shifted right by 7. Older ids (`AKIAI…`, `AKIAJ…`) do not encode it: undefined.
 */
export function accountFromAccessKeyId(keyId: string): string | undefined {
  if (!/^(?:AKIA|ASIA|AIDA|AROA|AGPA|ANPA|ANVA|AIPA|ABIA|ACCA)[A-Z2-7]{16}$/.test(keyId)) return undefined;
  const body = keyId.slice(4);
  if (BASE32.indexOf(body[0] ?? 'A') < 16) return undefined;
  // 10 characters = 50 bits; the first 48 are the first six bytes of the decoded body.
  let bits = 0;
  for (const c of body.slice(0, 10)) bits = bits * 32 + BASE32.indexOf(c);
  const top48 = Math.floor(bits / 4);
  const account = Math.floor((top48 % 2 ** 47) / 2 ** 7);
  return account > 999_999_999_999 ? undefined : String(account).padStart(12, '0');
}
