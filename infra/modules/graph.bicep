// Entra objects and Microsoft Graph permissions, through the Microsoft Graph Bicep
// extension (bicepconfig.json). Deploying this needs a privileged deployer: see the README,
// "Consent and roles" (delegated AppRoleAssignment.ReadWrite.All + Application.ReadWrite.All
// for the deploying user, and an Entra role that may grant Microsoft Graph app roles:
// Privileged Role Administrator, or Global Administrator).
//
// 1. jitadmin's callout API: an app registration whose only purpose is to be the audience
//    of the forwarder's tokens. It has one app role, Callout.Invoke, assigned to the
//    forwarder's identity only, and `appRoleAssignmentRequired`, so Entra refuses to issue
//    tokens for it to anyone else. jitadmin also checks the caller's oid
//    (JITADMIN_CALLOUT_ALLOWED_CALLERS).
// 2. Microsoft Graph application permissions (app role assignments) for the app's identity:
//    the list is computed in main.bicep from what the chosen features need.
//
// Entitlement management (resume, reading requests and assignments) is NOT granted here:
// `jitadmin provision` gives the identity the catalog role "Access package assignment
// manager" on the one catalog, instead of the tenant-wide EntitlementManagement.ReadWrite.All.

extension microsoftGraphV1

param environmentName string
param resourceToken string
@description('Object id of the app\'s managed identity (its service principal).')
param appPrincipalId string
@description('Object id of the forwarder\'s managed identity.')
param forwarderPrincipalId string
@description('Microsoft Graph application permissions (app role values) for the app\'s identity.')
param graphAppRoles array

var graphAppId = '00000003-0000-0000-c000-000000000000'
var calloutRoleId = guid(resourceGroup().id, resourceToken, 'Callout.Invoke')

resource calloutApi 'Microsoft.Graph/applications@v1.0' = {
  uniqueName: 'jitadmin-callout-${resourceToken}'
  displayName: 'jitadmin callout API (${environmentName})'
  signInAudience: 'AzureADMyOrg'
  appRoles: [
    {
      id: calloutRoleId
      allowedMemberTypes: ['Application']
      value: 'Callout.Invoke'
      displayName: 'Call jitadmin callout'
      description: 'Forward entitlement management custom extension callouts to jitadmin.'
      isEnabled: true
    }
  ]
}

resource calloutApiSp 'Microsoft.Graph/servicePrincipals@v1.0' = {
  appId: calloutApi.appId
  appRoleAssignmentRequired: true
}

resource forwarderMayCall 'Microsoft.Graph/appRoleAssignedTo@v1.0' = {
  principalId: forwarderPrincipalId
  resourceId: calloutApiSp.id
  appRoleId: calloutRoleId
}

resource graphSp 'Microsoft.Graph/servicePrincipals@v1.0' existing = {
  appId: graphAppId
}

resource graphGrants 'Microsoft.Graph/appRoleAssignedTo@v1.0' = [for role in graphAppRoles: {
  principalId: appPrincipalId
  resourceId: graphSp.id
  appRoleId: filter(graphSp.appRoles, r => r.value == role)[0].id
}]

output calloutApiAppId string = calloutApi.appId
output calloutApiObjectId string = calloutApi.id
output calloutApiServicePrincipalId string = calloutApiSp.id
