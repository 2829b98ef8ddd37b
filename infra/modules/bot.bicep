// The Azure Bot for Teams approvals. Identity: user-assigned managed identity
// (msaAppType UserAssignedMSI) - the Function App's own identity, so the bot has no
// secret to store or rotate: jitadmin gets Bot Connector tokens from the managed identity
// endpoint (JITADMIN_BOT_CREDENTIAL=managed-identity, JITADMIN_BOT_APP_ID = the
// identity's client id). New multi-tenant bots can no longer be created; a single-tenant
// app registration with a secret would work too but adds a secret.
// The bot's app id cannot be changed later: a different identity means a new bot.

param tags object
param botName string
param displayName string
param identityId string
param identityClientId string
@description('https://<function host>/api/teams/messages (function `teams`, route teams/messages).')
param messagingEndpoint string
@allowed(['F0', 'S1'])
param sku string = 'F0'

resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: botName
  location: 'global'
  tags: tags
  kind: 'azurebot'
  sku: {
    name: sku
  }
  properties: {
    displayName: displayName
    endpoint: messagingEndpoint
    msaAppType: 'UserAssignedMSI'
    msaAppId: identityClientId
    msaAppMSIResourceId: identityId
    msaAppTenantId: tenant().tenantId
    disableLocalAuth: true
    publicNetworkAccess: 'Enabled'
  }
}

// Teams is a standard channel (free on F0). acceptedTerms/deploymentEnvironment are seen
// only in third-party templates (UNCONFIRMED whether required); isEnabled is documented.
resource teams 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
    properties: {
      isEnabled: true
      acceptedTerms: true
      deploymentEnvironment: 'CommercialDeployment'
    }
  }
}

output id string = bot.id
output name string = bot.name
output appId string = identityClientId
