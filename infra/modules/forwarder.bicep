// The Consumption Logic App that entitlement management calls (its custom extension
// target). It exists because EM signs callouts with proof-of-possession tokens and only
// documents Logic App endpoints; the workflow (forwarder.workflow.json) does nothing but:
//
// 1. accept the call only with a valid EM PoP token: the AADPOP authorization policy with
//    the claims of Microsoft's quickstart template (iss = our tenant, appid = EM's
//    first-party app 810dcf14-1858-4bf2-8134-4c369fa3235b, m = POST,
//    u = management.azure.com, p = this workflow's ARM path), plus a trigger condition that
//    refuses calls without a `PoP` Authorization header (EM-created Logic Apps were once
//    reported to skip the policy otherwise), and SAS (signature URLs) disabled;
// 2. POST the body to https://<function>/api/callout with a bearer token of its own
//    user-assigned identity for jitadmin's callout API (audience), plus the function key;
// 3. answer with callout's status and body. Callout answers in milliseconds on a warm
//    instance (the Function App keeps HTTP instances always ready); the HTTP action has no
//    retry, no async polling and a 1 s timeout: below the 2 s entitlement management waits
//    (`clientConfiguration`, set by `jitadmin provision`), leaving 1 s for EM to reach the
//    Logic App and for the Logic App's own work, so a slow call fails back to EM in time for
//    EM's one retry instead of EM timing out first.
//
// The placeholders in forwarder.workflow.json are filled here; tests read the JSON file.
// Consumption (Microsoft.Logic/workflows), not Standard: PoP is Consumption-only.

param location string
param tags object
param workflowName string
param forwarderIdentityId string
@description('https://<function host>/api/callout')
param calloutUrl string
@description('The audience the forwarder requests a token for: jitadmin\'s callout API app id.')
param calloutAudience string
@secure()
param calloutFunctionKey string

var workflowPath = '${resourceGroup().id}/providers/Microsoft.Logic/workflows/${workflowName}'
var template = loadTextContent('forwarder.workflow.json')
var step1 = replace(template, '__TENANT_ID__', tenant().tenantId)
var step2 = replace(step1, '__WORKFLOW_PATH__', workflowPath)
var step3 = replace(step2, '__CALLOUT_URL__', calloutUrl)
var step4 = replace(step3, '__FORWARDER_IDENTITY_ID__', forwarderIdentityId)
var filled = replace(step4, '__CALLOUT_AUDIENCE__', calloutAudience)
var workflow = json(filled)

resource forwarder 'Microsoft.Logic/workflows@2019-05-01' = {
  name: workflowName
  location: location
  tags: tags
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${forwarderIdentityId}': {}
    }
  }
  properties: {
    state: 'Enabled'
    accessControl: workflow.accessControl
    definition: workflow.definition
    parameters: {
      calloutKey: {
        value: calloutFunctionKey
      }
    }
  }
}

output id string = forwarder.id
output name string = forwarder.name
output workflowPath string = workflowPath
