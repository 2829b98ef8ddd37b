// Service Bus Standard: the `events` queue every jitadmin event travels through
// (function-defs/*/function.json, queueName `events`, connection `ServiceBusConnection`).
// Standard, not Basic: Basic has neither sessions nor duplicate detection.
// Local (SAS) auth is off; the app connects with its managed identity.

param location string
param tags object
param namespaceName string
@description('Must equal the queueName in function-defs/*/function.json.')
param queueName string = 'events'
@description('Deliveries before a message is dead-lettered (the README\'s "retried, then dead-lettered").')
@minValue(1)
param maxDeliveryCount int = 10
@description('Message lock; the host renews it for up to host.json maxAutoLockRenewalDuration (5 min).')
param lockDuration string = 'PT1M'
@description('Messages older than this are dead-lettered (deadLetteringOnMessageExpiration).')
param defaultMessageTimeToLive string = 'P14D'
@description('Duplicate detection window on the sender-set MessageId. Fixed at creation.')
param duplicateDetectionWindow string = 'PT10M'

resource namespace 'Microsoft.ServiceBus/namespaces@2024-01-01' = {
  name: namespaceName
  location: location
  tags: tags
  sku: {
    name: 'Standard'
    tier: 'Standard'
  }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
  }
}

// Sessions (keyed by user) keep one user's events in order; `requiresSession` and
// `requiresDuplicateDetection` cannot be changed on an existing queue: changing them means
// deleting the queue (and its messages) first.
resource queue 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' = {
  parent: namespace
  name: queueName
  properties: {
    requiresSession: true
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: duplicateDetectionWindow
    maxDeliveryCount: maxDeliveryCount
    lockDuration: lockDuration
    defaultMessageTimeToLive: defaultMessageTimeToLive
    deadLetteringOnMessageExpiration: true
    enablePartitioning: false
  }
}

output namespaceId string = namespace.id
output namespaceName string = namespace.name
output fullyQualifiedNamespace string = '${namespace.name}.servicebus.windows.net'
output queueId string = queue.id
output queueName string = queue.name
