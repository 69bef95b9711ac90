export type { AwsAuthMapping, AwsAuthProblem, AwsAuthSection, MappingMatch, ParsedAwsAuth } from './types.js';
export { awsAuthPointer } from './types.js';
export { parseAwsAuth } from './parse.js';
export { accountMapped, findMapping } from './lookup.js';
export { mappingYaml } from './entry-yaml.js';
export { withMapping } from './write.js';
