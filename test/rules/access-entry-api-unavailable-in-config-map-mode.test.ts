import rule from '../../rules/access-entry-api-unavailable-in-config-map-mode.js';
import { runRuleTests } from '../helpers/rule-tester.js';
import { build, role, session } from '../helpers/build.js';

const REFUSED =
  "An error occurred (InvalidRequestException) when calling the CreateAccessEntry operation: The cluster's authentication mode must be set to one of [API, API_AND_CONFIG_MAP] to perform this operation.";
const caller = session('data-analysts', 'bob');

runRuleTests(rule, {
  valid: [
    { name: 'no such error pasted', snapshot: build({ mode: 'CONFIG_MAP', principal: caller, status: 401 }) },
    {
      name: 'the mode has been switched since',
      snapshot: build({ mode: 'API_AND_CONFIG_MAP', principal: caller, logLines: [REFUSED] }),
    },
  ],
  invalid: [
    {
      name: 'create-access-entry refused on a CONFIG_MAP cluster',
      snapshot: build({ mode: 'CONFIG_MAP', principal: caller, logLines: [REFUSED] }),
      messageId: 'configMapOnly',
      severity: 'error',
      first: true,
      evidence: ['/cluster/data/accessConfig/authenticationMode'],
    },
    {
      name: 'refused while the caller is mapped by a role path entry: the path is the cause',
      snapshot: build({
        mode: 'CONFIG_MAP',
        principal: caller,
        logLines: [REFUSED],
        mapRoles: `- rolearn: ${role('data-analysts', '/teams/')}\n  username: bob\n  groups:\n  - system:masters\n`,
      }),
      messageId: 'configMapOnly',
      severity: 'error',
    },
    {
      name: 'cluster without accessConfig (CONFIG_MAP)',
      snapshot: build({ mode: 'none', principal: caller, logLines: [REFUSED] }),
      messageId: 'configMapOnly',
      severity: 'error',
      first: true,
    },
  ],
});
