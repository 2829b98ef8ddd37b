// Two user-assigned managed identities, kept apart on purpose:
// - `app`: the Function App's identity. It reads and writes storage, Service Bus and
//   Key Vault, calls Microsoft Graph with the app roles granted in graph.bicep, and is the
//   Azure Bot's identity (msaAppType UserAssignedMSI: its client id is the bot's app id).
// - `forwarder`: the Logic App forwarder's identity. It has no Azure role and no Graph
//   permission at all: it can only obtain a token for jitadmin's callout API (graph.bicep
//   assigns it the API's `Callout.Invoke` role), so a leaked workflow cannot reach Graph.

param location string
param tags object
param appIdentityName string
param forwarderIdentityName string

resource app 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: appIdentityName
  location: location
  tags: tags
}

resource forwarder 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: forwarderIdentityName
  location: location
  tags: tags
}

output appResourceId string = app.id
output appName string = app.name
output appClientId string = app.properties.clientId
output appPrincipalId string = app.properties.principalId
output forwarderResourceId string = forwarder.id
output forwarderName string = forwarder.name
output forwarderClientId string = forwarder.properties.clientId
output forwarderPrincipalId string = forwarder.properties.principalId
