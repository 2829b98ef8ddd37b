// jitadmin on Azure: everything `azd up` creates (azure.yaml at the repository root).
// Syntax-checked in CI with a PyPI Bicep parser only; `bicep build` and
// `az deployment sub what-if` run on the deployer's machine (README, "Deploying to Azure").
//
// Resource group
// ├─ user-assigned identities: app (Function App, bot) and forwarder (Logic App)
// ├─ Function App on Flex Consumption (custom runtime) + plan            modules/functionapp.bicep
// ├─ storage: host, deployment container, jitadmin's tables             modules/storage.bicep
// ├─ Service Bus Standard, queue `events` (sessions, duplicate detection) modules/servicebus.bicep
// ├─ Key Vault (RBAC): clientState, card key                             modules/keyvault.bicep
// ├─ Log Analytics + Application Insights                                modules/monitoring.bicep
// ├─ Logic App forwarder (EM PoP in, managed identity out)               modules/forwarder.bicep
// ├─ Azure Bot + Teams channel                                           modules/bot.bicep
// └─ Azure role assignments                                              modules/roles.bicep
// Entra: callout API app + Graph app permissions                         modules/graph.bicep
//
// What Bicep cannot do (custom extensions, policy stage settings, the catalog role, the
// Intune policy) is `jitadmin provision`'s job; see the README.

targetScope = 'subscription'

@minLength(1)
@maxLength(40)
@description('azd environment name; names the resource group and seeds resource names.')
param environmentName string

@minLength(1)
@description('Azure region for everything but the bot (global).')
@metadata({ azd: { type: 'location' } })
param location string

@description('Prefix of jitadmin\'s tables (JITADMIN_STORE_TABLE_PREFIX).')
param tablePrefix string = 'jitadmin'

// --- jitadmin's behaviour (empty = the app's default; see handler/jitadmin/src/config/settings.rs)
@description('JITADMIN_RULES: path of the rules file inside the package (e.g. rules.toml, packaged with `jitadmin package --rules`).')
param rulesFile string = ''
@description('JITADMIN_CREATED_STAGE without rules: continue | wait.')
param createdStage string = ''
@description('JITADMIN_WATCH_GROUPS: admin group object ids, comma-separated.')
param watchGroups string = ''
@minLength(36)
@description('JITADMIN_ACCESS_PACKAGES (required): the access package ids jitadmin manages, comma-separated; callouts of any other package are refused.')
param accessPackages string
@allowed(['', 'report', 'remove'])
@description('JITADMIN_DRIFT_ACTION: report | remove (remove also grants GroupMember.ReadWrite.All).')
param driftAction string = ''
@allowed(['', 'none', 'mail', 'teams'])
@description('JITADMIN_NOTIFY: none | mail | teams (mail and teams also grant Mail.Send).')
param notify string = ''
@description('JITADMIN_NOTIFY_MAILBOX: the mailbox notices are sent from.')
param notifyMailbox string = ''

// --- Teams approvals (on when the channel and the approvers' group are set)
@description('JITADMIN_TEAMS_CHANNEL_ID: the approvers\' channel (19:...@thread.tacv2). Known after the Teams app is installed in the team.')
param teamsChannelId string = ''
@description('JITADMIN_APPROVERS_GROUP: object id of the group whose members may approve.')
param approversGroup string = ''
@description('JITADMIN_TEAMS_SERVICE_URL: the Bot Connector base URL for the tenant.')
param teamsServiceUrl string = 'https://smba.trafficmanager.net/teams/'

@description('Grant the tenant-wide EntitlementManagement.ReadWrite.All instead of relying on the catalog role `jitadmin provision` assigns.')
param grantEntitlementManagementAppRole bool = false

@description('Any other JITADMIN_* setting (tuning knobs), e.g. { JITADMIN_INTUNE_WRITES: \'100\' }. Wins over the values above.')
param settingsOverrides object = {}

// --- secrets: generated once by azd and kept in the environment's config
@secure()
@metadata({ azd: { type: 'generate', config: { length: 64, noSpecial: true } } })
param clientState string
@secure()
@metadata({ azd: { type: 'generate', config: { length: 64, noSpecial: true } } })
param cardKey string
@secure()
@metadata({ azd: { type: 'generate', config: { length: 56, noSpecial: true } } })
param calloutFunctionKey string

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }
var serviceName = 'jitadmin'
var queueName = 'events'
var teamsEnabled = !empty(teamsChannelId) && !empty(approversGroup)

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    location: location
    tags: tags
    appIdentityName: 'id-jitadmin-${resourceToken}'
    forwarderIdentityName: 'id-forwarder-${resourceToken}'
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    location: location
    tags: tags
    workspaceName: 'log-${resourceToken}'
    appInsightsName: 'appi-${resourceToken}'
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    location: location
    tags: tags
    storageAccountName: 'st${resourceToken}'
    deploymentContainerName: 'app-package-${resourceToken}'
    tablePrefix: tablePrefix
  }
}

module serviceBus 'modules/servicebus.bicep' = {
  name: 'servicebus'
  scope: rg
  params: {
    location: location
    tags: tags
    namespaceName: 'sb-${resourceToken}'
    queueName: queueName
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  scope: rg
  params: {
    location: location
    tags: tags
    vaultName: 'kv-${resourceToken}'
    clientState: clientState
    cardKey: cardKey
  }
}

// Microsoft Graph application permissions for the app's identity: the fewest that the
// chosen features need (README, "Graph permissions" says why each).
var baseGraphRoles = [
  'User.Read.All'
  'DeviceManagementManagedDevices.Read.All'
  'DeviceManagementManagedDevices.PrivilegedOperations.All'
]
var watchRoles = empty(watchGroups) ? [] : ['Group.Read.All']
var approverRoles = teamsEnabled && empty(watchGroups) ? ['GroupMember.Read.All'] : []
var driftRoles = driftAction == 'remove' ? ['GroupMember.ReadWrite.All'] : []
var mailRoles = notify == 'mail' || notify == 'teams' ? ['Mail.Send'] : []
var emRoles = grantEntitlementManagementAppRole ? ['EntitlementManagement.ReadWrite.All'] : []
var graphAppRoles = concat(baseGraphRoles, watchRoles, approverRoles, driftRoles, mailRoles, emRoles)

module graph 'modules/graph.bicep' = {
  name: 'graph'
  scope: rg
  params: {
    environmentName: environmentName
    resourceToken: resourceToken
    appPrincipalId: identity.outputs.appPrincipalId
    forwarderPrincipalId: identity.outputs.forwarderPrincipalId
    graphAppRoles: graphAppRoles
  }
}

var appName = 'func-${resourceToken}'
// The default host name is only known once the app exists; the Function App module's
// output is used wherever a URL is needed (new apps may get `<name>-<hash>.<region>` hosts).
var kvRef = '@Microsoft.KeyVault(SecretUri='

// Every setting jitadmin reads (handler/jitadmin/src/config/settings.rs), one line each.
// Empty values are not written: the app then applies its own default. tests/deploy.rs
// checks that every setting of settings.rs has a line here.
var jitadminSettings = {
  JITADMIN_TENANT_ID: tenant().tenantId
  JITADMIN_AUTHORITY_HOST: ''
  JITADMIN_ISSUER_V1_BASE: ''
  JITADMIN_ISSUER_V2_BASE: ''
  JITADMIN_OPENID_TIMEOUT_MS: ''
  JITADMIN_GRAPH_BASE_URL: ''
  JITADMIN_GRAPH_SCOPE: ''
  JITADMIN_GRAPH_TIMEOUT_SECS: ''
  JITADMIN_GRAPH_MAX_ATTEMPTS: ''
  JITADMIN_CREDENTIAL: 'managed-identity'
  JITADMIN_CLIENT_ID: identity.outputs.appClientId
  // Not used with a managed identity; never put a plain secret here (Key Vault reference).
  JITADMIN_CLIENT_SECRET: ''
  JITADMIN_STORE: 'table+identity:https://${storage.outputs.name}.table.${environment().suffixes.storage}'
  JITADMIN_STORE_TABLE_PREFIX: tablePrefix
  JITADMIN_CALLOUT_AUTH: 'bearer'
  JITADMIN_CALLOUT_AUDIENCES: '${graph.outputs.calloutApiAppId},api://${graph.outputs.calloutApiAppId}'
  JITADMIN_CALLOUT_ALLOWED_CALLERS: identity.outputs.forwarderPrincipalId
  JITADMIN_TOKEN_LEEWAY_SECS: ''
  // pop mode is not used behind the forwarder: the Logic App checks EM's PoP token.
  JITADMIN_POP_AUDIENCES: ''
  JITADMIN_POP_APP_IDS: ''
  JITADMIN_POP_HOST: ''
  JITADMIN_POP_PATH: ''
  JITADMIN_POP_MAX_TS_SKEW_SECS: ''
  JITADMIN_POP_REQUIRE_NONCE: ''
  // Events go to Service Bus with jitadmin's own sender (the app's identity, Data Sender on the
  // queue): the Functions output binding cannot set SessionId/MessageId for a custom handler,
  // and the `events` queue requires sessions.
  JITADMIN_SERVICEBUS_NAMESPACE: serviceBus.outputs.fullyQualifiedNamespace
  JITADMIN_SERVICEBUS_CONNECTION_STRING: ''
  JITADMIN_SERVICEBUS_QUEUE: serviceBus.outputs.queueName
  JITADMIN_RULES: rulesFile
  JITADMIN_CREATED_STAGE: createdStage
  JITADMIN_RESUME_SOURCE: ''
  JITADMIN_WATCH_GROUPS: watchGroups
  JITADMIN_ACCESS_PACKAGES: accessPackages
  JITADMIN_WATCH_ACCESS_PACKAGES: ''
  // The app's own host name cannot be read here (it is the app being configured); new apps
  // may get a unique `<name>-<hash>.<region>` host instead (UNCONFIRMED for Flex): if so, set
  // JITADMIN_NOTIFICATION_URL in settingsOverrides to https://<JITADMIN_FUNCTION_HOST>/api/notifications.
  JITADMIN_NOTIFICATION_URL: empty(watchGroups) ? '' : 'https://${appName}.azurewebsites.net/api/notifications'
  JITADMIN_CLIENT_STATE: '${kvRef}${keyVault.outputs.clientStateUri})'
  JITADMIN_SUBSCRIPTION_RENEW_HOURS: ''
  JITADMIN_SYNC_COALESCE_MINS: ''
  JITADMIN_INTUNE_WRITES: ''
  JITADMIN_INTUNE_REQUESTS: ''
  JITADMIN_INTUNE_WINDOW_SECS: ''
  JITADMIN_NOTIFY: notify
  JITADMIN_NOTIFY_MAILBOX: notifyMailbox
  JITADMIN_DRIFT_ACTION: driftAction
  JITADMIN_CHECKIN_TIMEOUT_MINS: ''
  // Teams approvals. Teams stays off until the
  // channel and the approvers' group are set, because the app then requires all of them.
  JITADMIN_BOT_APP_ID: teamsEnabled ? identity.outputs.appClientId : ''
  JITADMIN_BOT_TENANT_ID: teamsEnabled ? tenant().tenantId : ''
  JITADMIN_BOT_CREDENTIAL: teamsEnabled ? 'managed-identity' : ''
  // A managed-identity bot has no secret.
  JITADMIN_BOT_CLIENT_SECRET: ''
  JITADMIN_BOT_SCOPE: ''
  JITADMIN_BOT_OPENID_METADATA_URL: ''
  JITADMIN_BOT_ISSUERS: ''
  JITADMIN_TEAMS_SERVICE_URL: teamsEnabled ? teamsServiceUrl : ''
  JITADMIN_TEAMS_CHANNEL_ID: teamsChannelId
  JITADMIN_APPROVERS_GROUP: approversGroup
  JITADMIN_APPROVERS_CACHE_SECS: ''
  JITADMIN_APPROVERS_ALLOW_GUESTS: ''
  JITADMIN_TEAMS_SERVICE_HOSTS: ''
  JITADMIN_TEAMS_RESUME_BUDGET_MS: ''
  JITADMIN_CARD_KEY: teamsEnabled ? '${kvRef}${keyVault.outputs.cardKeyUri})' : ''
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  scope: rg
  params: {
    location: location
    tags: tags
    planName: 'plan-${resourceToken}'
    appName: appName
    serviceName: serviceName
    identityId: identity.outputs.appResourceId
    identityClientId: identity.outputs.appClientId
    storageAccountName: storage.outputs.name
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    serviceBusFullyQualifiedNamespace: serviceBus.outputs.fullyQualifiedNamespace
    appInsightsConnectionString: monitoring.outputs.connectionString
    jitadminSettings: union(jitadminSettings, settingsOverrides)
    calloutFunctionKey: calloutFunctionKey
  }
}

module roles 'modules/roles.bicep' = {
  name: 'roles'
  scope: rg
  params: {
    principalId: identity.outputs.appPrincipalId
    storageAccountName: storage.outputs.name
    serviceBusNamespaceName: serviceBus.outputs.namespaceName
    queueName: serviceBus.outputs.queueName
    vaultName: keyVault.outputs.name
    appInsightsName: monitoring.outputs.appInsightsName
  }
}

module forwarder 'modules/forwarder.bicep' = {
  name: 'forwarder'
  scope: rg
  params: {
    location: location
    tags: tags
    workflowName: 'logic-forwarder-${resourceToken}'
    forwarderIdentityId: identity.outputs.forwarderResourceId
    calloutUrl: 'https://${functionApp.outputs.defaultHostName}/api/callout'
    calloutAudience: graph.outputs.calloutApiAppId
    calloutFunctionKey: calloutFunctionKey
  }
}

module bot 'modules/bot.bicep' = {
  name: 'bot'
  scope: rg
  params: {
    tags: tags
    botName: 'bot-jitadmin-${resourceToken}'
    displayName: 'jitadmin (${environmentName})'
    identityId: identity.outputs.appResourceId
    identityClientId: identity.outputs.appClientId
    messagingEndpoint: 'https://${functionApp.outputs.defaultHostName}/api/teams/messages'
  }
}

// azd writes these into .azure/<env>/.env; `jitadmin provision` and
// `jitadmin package --teams-app` read them from there.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output JITADMIN_FUNCTION_HOST string = functionApp.outputs.defaultHostName
output JITADMIN_APP_IDENTITY_CLIENT_ID string = identity.outputs.appClientId
output JITADMIN_APP_IDENTITY_PRINCIPAL_ID string = identity.outputs.appPrincipalId
output JITADMIN_FORWARDER_PRINCIPAL_ID string = identity.outputs.forwarderPrincipalId
output JITADMIN_CALLOUT_API_APP_ID string = graph.outputs.calloutApiAppId
output JITADMIN_FORWARDER_SUBSCRIPTION_ID string = subscription().subscriptionId
output JITADMIN_FORWARDER_RESOURCE_GROUP string = rg.name
output JITADMIN_FORWARDER_WORKFLOW_NAME string = forwarder.outputs.name
output JITADMIN_BOT_APP_ID string = identity.outputs.appClientId
output JITADMIN_GRAPH_APP_ROLES string = join(graphAppRoles, ',')
