import { PermanentDeliveryError, type DeliverFn } from '@/server/outbox';
import { hl7ControlId, hl7OruR01 } from './hl7-oru';
import { mllpSend } from './mllp-send';
import type { TriageEvent } from './triage-event';

export const HL7_KIND = 'hl7';

/**
 * Sends the decision as ORU^R01 over MLLP and reads the ACK: AA/CA delivered; AE/CE (the
 * receiver's application could not take it now) retried; AR/CR (rejected) failed for good; an
 * ACK for another message control id, or no MSA, retried (the connection may have been crossed).
 */
export function hl7Deliverer(o: { host: string; port: number; sendingFacility?: string }): DeliverFn<TriageEvent> {
  return async (message, signal) => {
    const ack = await mllpSend(o, hl7OruR01(message.payload, { sendingFacility: o.sendingFacility }), signal);
    const msa = ack.split(/\r\n?|\n/).find((s) => s.startsWith('MSA|'));
    if (!msa) throw new Error('HL7: the answer has no MSA segment');
    const [, code = '', controlId = ''] = msa.split('|');
    if (controlId !== hl7ControlId(message.payload.eventId)) throw new Error(`HL7: ACK for another message (${controlId.slice(0, 20)})`);
    if (code === 'AA' || code === 'CA') return `HL7 ACK ${code}`;
    if (code === 'AR' || code === 'CR') throw new PermanentDeliveryError(`HL7 receiver rejected the message (MSA ${code})`);
    throw new Error(`HL7 receiver answered MSA ${code.slice(0, 4) || '(empty)'}`);
  };
}
