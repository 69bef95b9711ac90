// The executable entry: the AWS SDK warns on Node 20 at import time; that warning would pollute stderr and JSON users.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const { main } = await import('./main.js');
process.exitCode = await main(process.argv.slice(2));
