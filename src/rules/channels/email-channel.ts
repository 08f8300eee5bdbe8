// Email channel over SMTP (nodemailer): one plain-text message per row to the user's address.
import nodemailer, { type Transporter } from 'nodemailer';
import type { OutboxRow } from '../../domain/notification.ts';
import type { Channel } from './channel.ts';

export class EmailChannel implements Channel {
  readonly name = 'email' as const;
  private readonly transport: Transporter;

  constructor(smtpUrl: string, private readonly from: string) {
    this.transport = nodemailer.createTransport(smtpUrl);
  }

  async send(row: OutboxRow): Promise<void> {
    const target = row.target as { address?: string };
    if (!target.address) throw new Error('the row has no email address');
    const message = typeof row.payload.message === 'string' ? row.payload.message : 'Fluxgate alarm';
    await this.transport.sendMail({
      from: this.from,
      to: target.address,
      subject: message,
      text: `${message}\n\n${JSON.stringify(row.payload, null, 2)}\n`,
      headers: { 'X-Fluxgate-Idempotency-Key': row.idempotencyKey },
    });
  }

  close(): void {
    this.transport.close();
  }
}
