// One storage account for the Functions host (AzureWebJobsStorage), the Flex Consumption
// deployment container, and jitadmin's state (Table Storage). Shared keys are off:
// everything reaches it with the app's managed identity (roles.bicep).

param location string
param tags object
param storageAccountName string
@description('Blob container Flex Consumption deploys the package into.')
param deploymentContainerName string
@description('Prefix of jitadmin\'s tables (JITADMIN_STORE_TABLE_PREFIX).')
param tablePrefix string

// The tables jitadmin's store keeps (handler/store/src/store.rs `Table::ALL`). The app
// creates missing ones itself on start; creating them here makes `azd down` remove them
// and lets an operator see them before the first start.
var stateTables = [
  'ledger'
  'approvals'
  'subscriptions'
  'deltalinks'
  'elevations'
  'audit'
  'claims'
  'teamscontacts'
]

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: storageAccountName
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    publicNetworkAccess: 'Enabled'
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: { publicAccess: 'None' }
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource tables 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = [for table in stateTables: {
  parent: tableService
  name: '${tablePrefix}${table}'
}]

output id string = storage.id
output name string = storage.name
output blobEndpoint string = storage.properties.primaryEndpoints.blob
output tableEndpoint string = storage.properties.primaryEndpoints.table
output queueEndpoint string = storage.properties.primaryEndpoints.queue
output deploymentContainerUrl string = '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
