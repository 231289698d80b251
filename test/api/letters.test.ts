import type { AddressInfo } from 'node:net';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkInvariants } from '../../src/server/check/invariants.ts';
import {
  deliverPendingLetters,
  type MailTransport,
  startLetterDelivery,
} from '../../src/server/letters/delivery.ts';
import { type Cast, createCast } from '../support/cast.ts';
import { buildItem } from '../support/catalogue.ts';
import { buildBorrower, type CirculationSetup, circulationSetup } from '../support/circulation.ts';
import { type Client, createTestApp, signIn, type TestApp } from '../support/http.ts';

let t: TestApp;
let cast: Cast;
let north: CirculationSetup;
let operator: Client;
let admin: Client;

beforeAll(async () => {
  t = await createTestApp();
  cast = await createCast(t.database.db);
  north = await circulationSetup(t.database.db, cast.north);
  operator = await signIn(t.app, cast.north.staff.circulation_desk_operator.username);
  admin = await signIn(t.app, cast.north.staff.general_system_administrator.username);
});
afterEach(async () => {
  expect(await checkInvariants(t.database.db)).toEqual([]);
});
afterAll(async () => t.close());

const db = () => t.database.db;

interface Received {
  messageId: string;
  from: string;
  to: string;
  subject: string;
  body: string;
}

/** A real SMTP server on 127.0.0.1 (port 0); `refuse(n)` says whether the n-th DATA is refused. */
async function startSink(refuse: (attempt: number) => boolean = () => false) {
  const received: Received[] = [];
  let attempts = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        attempts++;
        if (refuse(attempts)) {
          const error = Object.assign(new Error('Try again later'), { responseCode: 451 });
          return callback(error);
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        const [head = '', ...rest] = raw.split('\r\n\r\n');
        const unfolded = head.replace(/\r\n[ \t]+/g, ' ');
        const header = (name: string) =>
          unfolded
            .split('\r\n')
            .find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`))
            ?.slice(name.length + 1)
            .trim() ?? '';
        const body = rest
          .join('\r\n\r\n')
          .replace(/=\r\n/g, '')
          .replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
        received.push({
          messageId: header('Message-ID'),
          from: header('From'),
          to: header('To'),
          subject: header('Subject'),
          body,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  const url = `smtp://127.0.0.1:${port}`;
  const transport = nodemailer.createTransport(url) as unknown as MailTransport;
  return {
    url,
    transport,
    received,
    /** What a mail store keeps: one message per Message-ID. */
    deduped: () => new Set(received.map((r) => r.messageId)).size,
    close: async () => {
      transport.close?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function lendNew() {
  const patron = await buildBorrower(db(), cast.north);
  const book = await buildItem(db(), { institution: cast.north.institution, title: 'The Letter Test' });
  const lend = await operator.post('/api/circulation/loans', {
    deskId: north.desks.main.id,
    itemBarcode: book.barcode,
    patronId: patron.id,
  });
  expect(lend.statusCode).toBe(201);
  const letter = await db()
    .selectFrom('letters')
    .selectAll()
    .where('patron_id', '=', patron.id)
    .executeTakeFirstOrThrow();
  return { patron, book, letter };
}

const letterRow = (id: string) =>
  db().selectFrom('letters').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

describe('CIRC-12 letters delivered by SMTP', () => {
  it("CIRC-12: each letter arrives once with the institution's sender, its template and its stable Message-ID", async () => {
    const sender = await admin.put(`/api/institutions/${north.institutionId}/letter-sender`, {
      lettersFrom: 'circulation@north.example',
    });
    expect(sender.statusCode).toBe(200);
    const template = await admin.put(
      `/api/institutions/${north.institutionId}/letter-templates/loan_receipt`,
      {
        subject: '{{institutionName}} loan receipt for {{patronName}}',
        body: 'Hello {{patronName}},\n\n{{body}}\n\n-- sent by {{institutionCode}}',
      },
    );
    expect(template.statusCode).toBe(200);
    expect(template.json().templates).toHaveLength(1);
    const a = await lendNew();
    const b = await lendNew();
    expect(a.letter.subject).toMatch(/^North University loan receipt for Pat /);
    const sink = await startSink();
    try {
      const run = await deliverPendingLetters(db(), { transport: sink.transport });
      expect(run).toEqual({ delivered: 2, retrying: 0, failed: 0 });
      expect(await deliverPendingLetters(db(), { transport: sink.transport })).toEqual({
        delivered: 0,
        retrying: 0,
        failed: 0,
      });
      expect(sink.received).toHaveLength(2);
      for (const { letter } of [a, b]) {
        const got = sink.received.filter((r) => r.messageId === `<${letter.message_id}>`);
        expect(got).toHaveLength(1);
        expect(got[0]?.from).toContain('<circulation@north.example>');
        expect(got[0]?.from).toContain('North University');
        expect(got[0]?.to).toBe(letter.to_address);
        expect(got[0]?.subject).toBe(letter.subject);
        expect(got[0]?.body).toContain('The Letter Test');
        expect(got[0]?.body).toContain('-- sent by NORTH');
        expect(await letterRow(letter.id)).toMatchObject({ status: 'delivered', attempts: 1 });
      }
      const seen = await operator.get(
        `/api/circulation/patrons/${north.institutionId}/${a.patron.id}/letters`,
      );
      expect(seen.statusCode).toBe(200);
      expect(seen.json()).toEqual([
        expect.objectContaining({
          letterType: 'loan_receipt',
          status: 'delivered',
          from: 'circulation@north.example',
          messageId: a.letter.message_id,
        }),
      ]);
    } finally {
      await sink.close();
      await admin.put(`/api/institutions/${north.institutionId}/letter-sender`, { lettersFrom: null });
      await admin.delete(`/api/institutions/${north.institutionId}/letter-templates/loan_receipt`);
    }
  });

  it('CIRC-12: a server that refuses the first attempt gets the letter on retry (after the backoff), once', async () => {
    const { letter } = await lendNew();
    expect(letter.from_address).toBe('library@north.example');
    const sink = await startSink((n) => n === 1);
    try {
      const now = new Date();
      expect(await deliverPendingLetters(db(), { transport: sink.transport, now })).toMatchObject({
        retrying: 1,
      });
      const after = await letterRow(letter.id);
      expect(after).toMatchObject({ status: 'pending', attempts: 1 });
      expect(after.last_error).toMatch(/Try again later/);
      expect(after.next_attempt_at.getTime()).toBe(now.getTime() + 60_000);
      // Not before its time.
      expect(await deliverPendingLetters(db(), { transport: sink.transport, now })).toMatchObject({
        delivered: 0,
      });
      const later = new Date(now.getTime() + 61_000);
      expect(await deliverPendingLetters(db(), { transport: sink.transport, now: later })).toMatchObject({
        delivered: 1,
      });
      expect(await deliverPendingLetters(db(), { transport: sink.transport, now: later })).toMatchObject({
        delivered: 0,
      });
      expect(sink.received).toHaveLength(1);
      expect(sink.received[0]?.messageId).toBe(`<${letter.message_id}>`);
      expect(await letterRow(letter.id)).toMatchObject({
        status: 'delivered',
        attempts: 2,
        last_error: null,
      });
    } finally {
      await sink.close();
    }
  });

  it('CIRC-12: a crash between sending and marking sent resends under the same Message-ID, which the sink dedupes', async () => {
    const { letter } = await lendNew();
    const sink = await startSink();
    try {
      await expect(
        deliverPendingLetters(db(), {
          transport: sink.transport,
          afterSend: () => {
            throw new Error('crash after send');
          },
        }),
      ).rejects.toThrow('crash after send');
      expect(await letterRow(letter.id)).toMatchObject({ status: 'pending', message_id: letter.message_id });
      expect(await deliverPendingLetters(db(), { transport: sink.transport })).toMatchObject({
        delivered: 1,
      });
      expect(sink.received.map((r) => r.messageId)).toEqual([
        `<${letter.message_id}>`,
        `<${letter.message_id}>`,
      ]);
      expect(sink.deduped()).toBe(1);
      expect(await letterRow(letter.id)).toMatchObject({
        status: 'delivered',
        message_id: letter.message_id,
      });
    } finally {
      await sink.close();
    }
  });

  it('INV-7: after the last attempt a letter is failed with its attempts and error; one without an address fails at once', async () => {
    const { letter } = await lendNew();
    const { letter: noAddress } = await lendNew();
    await db().updateTable('letters').set({ to_address: null }).where('id', '=', noAddress.id).execute();
    const sink = await startSink(() => true);
    try {
      const now = new Date();
      await deliverPendingLetters(db(), { transport: sink.transport, now, maxAttempts: 2 });
      expect(await letterRow(noAddress.id)).toMatchObject({ status: 'failed', attempts: 1 });
      await deliverPendingLetters(db(), {
        transport: sink.transport,
        now: new Date(now.getTime() + 3_600_000),
        maxAttempts: 2,
      });
      const failed = await letterRow(letter.id);
      expect(failed).toMatchObject({ status: 'failed', attempts: 2, delivered_at: null });
      expect(failed.last_error).toMatch(/Try again later/);
      expect(sink.received).toHaveLength(0);
    } finally {
      await sink.close();
    }
  });

  it('CIRC-12: without SMTP letters stay pending and readable; the delivery loop sends them once started with SMTP_URL', async () => {
    const { letter, patron } = await lendNew();
    const stopNothing = startLetterDelivery(db(), { smtpUrl: null });
    await stopNothing();
    expect(await letterRow(letter.id)).toMatchObject({ status: 'pending' });
    const seen = await operator.get(`/api/circulation/patrons/${north.institutionId}/${patron.id}/letters`);
    expect(seen.json()[0]).toMatchObject({
      status: 'pending',
      body: expect.stringContaining('The Letter Test'),
    });
    const sink = await startSink();
    try {
      const stop = startLetterDelivery(db(), { smtpUrl: sink.url, intervalMs: 50 });
      for (let i = 0; i < 100 && sink.received.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
      await stop();
      expect(sink.received.map((r) => r.messageId)).toEqual([`<${letter.message_id}>`]);
      expect(await letterRow(letter.id)).toMatchObject({ status: 'delivered' });
    } finally {
      await sink.close();
    }
  });
});
