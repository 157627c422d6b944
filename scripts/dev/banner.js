// What serve.js prints once the api, worker and beat first answer: where the API and the
// dashboard are, and which tokens open them.

// A local run needs tokens to call the API. The API accepts these public ones only in
// development on loopback (NODE_ENV=development, HOST=127.0.0.1), which serve.js sets.
const CLIENT_TOKEN = 'dev-client-token-change-me';
const ADMIN_TOKEN = 'dev-admin-token-change-me';
const DEV_TOKENS = `dev-client:${CLIENT_TOKEN}:client,dev-admin:${ADMIN_TOKEN}:admin`;

/** The API's base URL for a client on this machine (a wildcard HOST is reached on loopback). */
function apiUrl(host, port) {
  const reachable = !host || host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

/** The lines to print; `devTokens` when serve.js set API_TOKENS to DEV_TOKENS. */
function banner({ url, devTokens, jobModulesDir }) {
  const client = devTokens ? CLIENT_TOKEN : '$CLIENT_TOKEN';
  return [
    'serve: api, worker and beat are up',
    `  API        ${url}  (Authorization: Bearer ${devTokens ? CLIENT_TOKEN : '<a client token from API_TOKENS>'})`,
    `  dashboard  ${url}/admin/queues  (any user name; password ${devTokens ? ADMIN_TOKEN : '<an admin token from API_TOKENS>'})`,
    `  try        curl -H 'Authorization: Bearer ${client}' ${url}/api/workers`,
    ...(devTokens ? ['  (development tokens: the API refuses them unless it listens on loopback only)'] : []),
    `  Ctrl-C finishes running jobs and stops (a second Ctrl-C stops at once); a change in ${jobModulesDir}/ restarts all three`,
  ].join('\n');
}

module.exports = { DEV_TOKENS, apiUrl, banner };
