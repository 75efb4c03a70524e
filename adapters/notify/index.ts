export { OutboxNotifier, recordInOutbox } from './outbox-notifier';
export { PermanentDeliveryError, errorText } from './channel';
export type { DeliveryChannel, DeliveryTarget } from './channel';
export { MailChannel, mailAddresses, mailChannelFromConfig, mailSubject, mailText } from './mail-channel';
export type { AddressBook, MailChannelOptions, MailTransport, SmtpConfig } from './mail-channel';
export { RobotChannel, dingtalkSign, feishuSign, robotRefusal, robotRequest } from './robot-channel';
export type { RobotKind, RobotWebhook } from './robot-channel';
export { DEFAULT_DELIVERY, DeliveryLoop, IN_APP, backoffDelay } from './delivery';
export type { DeliveryLog, DeliveryReport, DeliverySettings } from './delivery';
