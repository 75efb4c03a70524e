/**
 * Personal data (customers' names, contact persons, phones, e-mails, WeChat ids, what a contact was
 * about) is never written to a log: fields of these names are masked by every logger, and a URL's
 * query values of these names are masked before the URL is recorded (the security log keeps paths).
 */

/** Field and query parameter names whose values are personal data. */
export const PERSONAL_FIELDS = ['name', 'contacts', 'phone', 'email', 'wechat', 'summary', 'contactPhone'];

/** `url` with the values of its personal query parameters replaced by `***`; the path is kept. */
export function maskPersonalQuery(url: string): string {
  const at = url.indexOf('?');
  if (at < 0) return url;
  const query = url
    .slice(at + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const key = eq < 0 ? pair : pair.slice(0, eq);
      let decoded = key;
      try {
        decoded = decodeURIComponent(key.replace(/\+/g, ' '));
      } catch {
        // a malformed key is kept as sent
      }
      return PERSONAL_FIELDS.includes(decoded) && eq >= 0 ? `${key}=***` : pair;
    });
  return `${url.slice(0, at)}?${query.join('&')}`;
}
