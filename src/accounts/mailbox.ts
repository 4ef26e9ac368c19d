/** Providers that deliver `a.b.c@` and `abc@` to the same inbox; the second name is an alias of the first. */
const DOT_INSENSITIVE: Record<string, string> = { 'gmail.com': 'gmail.com', 'googlemail.com': 'gmail.com' };

/**
 * The inbox an address reaches, for counting mail sent to it: lower-cased, without a `+tag`, and for
 * dot-insensitive providers without dots and with the provider's main domain. Used for the per-address
 * mail cap only; the address itself is stored and mailed as given.
 */
export function canonicalMailbox(email: string): string {
  const address = email.trim().toLowerCase();
  const at = address.lastIndexOf('@');
  if (at <= 0) return address;
  let local = address.slice(0, at);
  let domain = address.slice(at + 1);
  const plus = local.indexOf('+');
  if (plus > 0) local = local.slice(0, plus);
  const main = DOT_INSENSITIVE[domain];
  if (main) {
    domain = main;
    local = local.replace(/\./g, '');
  }
  return `${local}@${domain}`;
}
