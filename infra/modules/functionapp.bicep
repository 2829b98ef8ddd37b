// The Function App: Flex Consumption (FC1, Linux) running jitadmin as a custom handler
// (functionAppConfig.runtime `custom` 1.0), with the app's user-assigned identity for
// everything: host storage, the deployment container, Service Bus, Key Vault references,
// Application Insights and jitadmin's own outbound calls.
//
// On Flex the worker comes from functionAppConfig.runtime: FUNCTIONS_WORKER_RUNTIME,
// FUNCTIONS_EXTENSION_VERSION, WEBSITE_RUN_FROM_PACKAGE and linuxFxVersion must not be set.

param location string
param tags object
param planName string
param appName string
@description('azd finds the deploy target by this tag (the service name in azure.yaml).')
param serviceName string = 'jitadmin'
param identityId string
param identityClientId string
param storageAccountName string
param deploymentContainerUrl string
param serviceBusFullyQualifiedNamespace string
param appInsightsConnectionString string
@description('jitadmin\'s own settings (JITADMIN_*), built in main.bicep. Empty values are left out: the app then uses its default.')
param jitadminSettings object
@minValue(40)
param maximumInstanceCount int = 40
@allowed([512, 2048, 4096])
param instanceMemoryMB int = 512
// Entitlement management waits at most 2 s for its callout (clientConfiguration, set by
// `jitadmin provision`): a Functions host that starts cold cannot answer in time, so the HTTP
// functions keep warm instances (https://learn.microsoft.com/azure/azure-functions/flex-consumption-plan#always-ready-instances).
@minValue(1)
@description('Always-ready instances of the HTTP functions (callout, notifications, teams): at least 1, so a callout never waits for a cold start.')
param alwaysReadyHttpInstances int = 1
@secure()
@description('Value of the `forwarder` function key the Logic App sends as x-functions-key (callout is authLevel function).')
param calloutFunctionKey string

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

// Identity-based connections: `<prefix>__credential` + `<prefix>__clientId` select the
// user-assigned identity; `AzureWebJobsStorage__accountName` and
// `ServiceBusConnection__fullyQualifiedNamespace` name the resource. `ServiceBusConnection`
// is the `connection` of every Service Bus binding in function-defs/.
var hostSettings = {
  AzureWebJobsStorage__accountName: storageAccountName
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  ServiceBusConnection__fullyQualifiedNamespace: serviceBusFullyQualifiedNamespace
  ServiceBusConnection__credential: 'managedidentity'
  ServiceBusConnection__clientId: identityClientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  AZURE_CLIENT_ID: identityClientId
}

var allSettings = union(hostSettings, jitadminSettings)

resource app 'Microsoft.Web/sites@2024-04-01' = {
  name: appName
  location: location
  tags: union(tags, { 'azd-service-name': serviceName })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Key Vault references (JITADMIN_CLIENT_STATE, JITADMIN_CARD_KEY) resolve with this identity.
    keyVaultReferenceIdentity: identityId
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
        alwaysReady: [
          {
            name: 'http'
            instanceCount: alwaysReadyHttpInstances
          }
        ]
      }
      runtime: {
        name: 'custom'
        version: '1.0'
      }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      appSettings: [for setting in filter(items(allSettings), s => !empty(s.value)): {
        name: setting.key
        value: setting.value
      }]
    }
  }
}

// The key the forwarder sends as x-functions-key. Created here (not read with listKeys)
// so that it exists before the first code deployment and keeps its value across runs.
// UNCONFIRMED: that ARM can create a function key on a Flex app before any package was
// deployed; if the first `azd up` fails here, run `azd deploy` then `azd provision`.
resource forwarderKey 'Microsoft.Web/sites/host/functionKeys@2024-04-01' = {
  name: '${app.name}/default/forwarder'
  properties: {
    name: 'forwarder'
    value: calloutFunctionKey
  }
}

output id string = app.id
output name string = app.name
output defaultHostName string = app.properties.defaultHostName
