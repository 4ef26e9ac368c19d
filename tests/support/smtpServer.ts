import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  to: string[];
  subject: string;
  text: string;
  /** Header lines by lower-case name (the last one wins). */
  headers: Record<string, string>;
}

export interface TestSmtpServer {
  url: string;
  messages: ReceivedMail[];
  /** The most recent mail to this address, failing when there is none. */
  lastTo(address: string): ReceivedMail;
  close(): Promise<void>;
}

/** A real SMTP server on a free local port that keeps every message it receives. */
export async function startSmtpServer(): Promise<TestSmtpServer> {
  const messages: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream).then(
        (parsed) => {
          messages.push({
            to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            headers: Object.fromEntries(parsed.headerLines.map((h) => [h.key, h.line.slice(h.line.indexOf(':') + 1).trim()])),
          });
          callback();
        },
        (err: Error) => callback(err),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    lastTo(address) {
      const found = messages.filter((m) => m.to.includes(address.toLowerCase())).at(-1);
      if (!found) throw new Error(`no mail was received for ${address}`);
      return found;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The token in a link's fragment, e.g. `#threadline-email-link=<token>`. */
export function linkTokenFrom(mail: ReceivedMail, fragmentKey: string): string {
  const match = new RegExp(`#${fragmentKey}=([A-Za-z0-9_-]+)`).exec(mail.text);
  if (!match) throw new Error(`no ${fragmentKey} link in the mail`);
  return match[1];
}
