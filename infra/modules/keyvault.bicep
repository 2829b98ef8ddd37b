// Key Vault in RBAC mode for jitadmin's secrets. The app reads them through Key Vault
// references in its app settings, resolved with its user-assigned identity
// (keyVaultReferenceIdentity), which holds Key Vault Secrets User (roles.bicep).
// No access policies; nobody gets data-plane access by default.

param location string
param tags object
param vaultName string

@secure()
@description('JITADMIN_CLIENT_STATE: clientState of the Graph subscriptions.')
param clientState string
@secure()
@description('JITADMIN_CARD_KEY: HMAC key of the Teams card actions (at least 32 characters).')
param cardKey string

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: vaultName
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
    publicNetworkAccess: 'Enabled'
  }
}

resource clientStateSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'jitadmin-client-state'
  properties: { value: clientState }
}

resource cardKeySecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'jitadmin-card-key'
  properties: { value: cardKey }
}

output id string = vault.id
output name string = vault.name
output vaultUri string = vault.properties.vaultUri
// Versionless URIs: a rotated secret is picked up without a redeploy.
output clientStateUri string = '${vault.properties.vaultUri}secrets/${clientStateSecret.name}'
output cardKeyUri string = '${vault.properties.vaultUri}secrets/${cardKeySecret.name}'
