export { OutboxNotifier, recordInOutbox } from './outbox-notifier';
export {
  SmtpNotifier,
  UndeliverableNotificationError,
  addressResolver,
  mailSubject,
  mailText,
  smtpNotifierFromConfig,
} from './smtp-notifier';
export type { AddressBook, AddressResolver, MailTransport, Recipients, SmtpNotifierConfig, SmtpNotifierOptions } from './smtp-notifier';
