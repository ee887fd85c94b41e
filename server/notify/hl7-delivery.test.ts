import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '@/server/config';
import type { OutboxDelivery } from '@/server/outbox';
import { hl7Deliverer } from './hl7-deliverer';
import { hl7ControlId, hl7Escape, hl7OruR01 } from './hl7-oru';
import { RESEARCH_DISCLAIMER, triageEventId, triageEventSchema, type TriageEvent } from './triage-event';

const uid = '1.2.826.0.1.3680043.10.8';
const at = new Date(Date.UTC(2026, 11, 2, 3, 4, 5));
const event = (phi = false): TriageEvent =>
  triageEventSchema.parse({
    schemaVersion: 1,
    eventId: triageEventId(uid, at),
    type: 'study.flagged',
    occurredAt: at.toISOString(),
    study: { studyInstanceUid: uid, url: null, ...(phi ? { accessionNumber: 'ACC|7', patient: { id: 'PID-1', name: 'Doe^Jane', birthDate: '19520304' } } : {}) },
    result: {
      outcome: 'flagged',
      flagged: true,
      probability: 0.81,
      operatingPoint: { threshold: 0.2248, source: 'manifest' },
      reason: 'any 0.81 ≥ 0.22 | the point & more',
      suspectedSubtypes: [{ label: 'subdural', abbreviation: 'SDH', probability: 0.6 }],
      probabilities: { any: 0.81 },
    },
    model: { name: 'm', version: '1' },
    disclaimer: RESEARCH_DISCLAIMER,
  });
const delivery = (payload: TriageEvent): OutboxDelivery<TriageEvent> => ({ id: 'x', kind: 'hl7', eventId: `hl7:${payload.eventId}`, studyInstanceUid: uid, payload, attempt: 1, createdAt: at });
const fields = (message: string, segment: string) => message.split('\r').find((s) => s.startsWith(`${segment}|`))!.split('|');

/** A real MLLP receiver on a free port: deframes each message and answers with the ACK code `answer` picks. */
async function mllpReceiver(answer: (message: string) => string | null) {
  const received: string[] = [];
  const server: Server = createServer((socket) => {
    let buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      const end = buffer.indexOf(Buffer.from([0x1c, 0x0d]));
      if (buffer[0] !== 0x0b || end < 0) return;
      const message = buffer.subarray(1, end).toString('utf8');
      received.push(message);
      const code = answer(message);
      if (code === null) return socket.end();
      const control = fields(message, 'MSH')[9];
      socket.write(Buffer.concat([Buffer.from([0x0b]), Buffer.from(`MSH|^~\\&|RIS||ICH-TRIAGE||20261202030405||ACK^R01^ACK|A1|P|2.5.1\rMSA|${code}|${control}\r`), Buffer.from([0x1c, 0x0d])]));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, received, close: () => new Promise<void>((r) => server.close(() => r())) };
}

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

describe('HL7 v2 ORU^R01 over MLLP', () => {
  it('builds a preliminary ORU^R01: OBR with the event id, an NM OBX per finding with abnormal flags, the reason escaped, no PID without PHI', () => {
    const m = hl7OruR01(event(), { now: at });
    expect(m.endsWith('\r')).toBe(true);
    expect(m.split('\r').filter(Boolean).map((s) => s.slice(0, 3))).toEqual(['MSH', 'OBR', 'OBX', 'OBX', 'OBX', 'OBX']);
    const msh = fields(m, 'MSH');
    expect([msh[1], msh[8], msh[9], msh[11]]).toEqual(['^~\\&', 'ORU^R01^ORU_R01', hl7ControlId(triageEventId(uid, at)), '2.5.1']);
    expect(msh[9]).toHaveLength(20);
    const obr = fields(m, 'OBR');
    expect([obr[3], obr[7], obr[25]]).toEqual([`${triageEventId(uid, at)}^ICH-TRIAGE`, '20261202030405+0000', 'P']);
    const obx = m.split('\r').filter((s) => s.startsWith('OBX|')).map((s) => s.split('|'));
    expect(obx.map((f) => [f[1], f[2], f[3]!.split('^')[0], f[5], f[8], f[11]])).toEqual([
      ['1', 'NM', 'ICH-ANY', '0.81', 'A', 'P'],
      ['2', 'NM', 'ICH-SDH', '0.6', 'A', 'P'],
      ['3', 'ST', 'ICH-REASON', expect.stringContaining('\\F\\ the point \\T\\ more'), '', 'P'],
      ['4', 'ST', 'ICH-STUDY', uid, '', 'P'],
    ]);
    expect(m).not.toContain('Doe');
    expect(hl7Escape('a|b^c~d\\e&f')).toBe('a\\F\\b\\S\\c\\R\\d\\E\\e\\T\\f');
  });

  it('adds PID and the accession number (escaped) only with PHI on', () => {
    const m = hl7OruR01(event(true), { now: at });
    expect(fields(m, 'PID').slice(0, 8)).toEqual(['PID', '1', '', 'PID-1^^^^MR', '', 'Doe\\S\\Jane', '', '19520304']);
    expect(fields(m, 'OBR')[18]).toBe('ACC\\F\\7');
  });

  it('is delivered to a real MLLP receiver on AA, failed for good on AR, retried on AE or a close without ACK', async () => {
    let code: string | null = 'AA';
    const r = await mllpReceiver(() => code);
    close = r.close;
    const deliver = hl7Deliverer({ host: '127.0.0.1', port: r.port });
    expect(await deliver(delivery(event()), AbortSignal.timeout(10_000))).toBe('HL7 ACK AA');
    expect(r.received[0]).toBe(hl7OruR01(event()).replace(/\|\d{14}\+0000\|\|ORU/, `|${fields(r.received[0]!, 'MSH')[6]}||ORU`));
    code = 'AR';
    await expect(deliver(delivery(event()), AbortSignal.timeout(10_000))).rejects.toMatchObject({ name: 'PermanentDeliveryError' });
    code = 'AE';
    await expect(deliver(delivery(event()), AbortSignal.timeout(10_000))).rejects.toThrow('HL7 receiver answered MSA AE');
    code = null;
    await expect(deliver(delivery(event()), AbortSignal.timeout(10_000))).rejects.toThrow(/closed the connection without an ACK/);
    expect(r.received).toHaveLength(4);
  });

  it('NOTIFY_HL7_TARGET is host:port, validated at start-up', () => {
    expect(loadConfig({ NOTIFY_HL7_TARGET: 'ris.hospital.lan:2575' }).notify.hl7).toEqual({ host: 'ris.hospital.lan', port: 2575, events: 'flagged' });
    expect(() => loadConfig({ NOTIFY_HL7_TARGET: 'ris.hospital.lan' })).toThrow(/NOTIFY_HL7_TARGET: host:port/);
    expect(() => loadConfig({ NOTIFY_HL7_TARGET: 'ris:99999' })).toThrow(/NOTIFY_HL7_TARGET: a port 1..65535/);
  });
});
