import { z } from 'zod';

/**
 * The parts of FHIR R4 we emit, with R4's cardinalities and value-set rules for them
 * (hl7.org/fhir/R4: DiagnosticReport, Observation, Reference, Quantity, CodeableConcept), so a
 * report that a server would reject for a missing required element fails here first. Not a full
 * validator: elements we never send are not modelled; unknown ones are refused (strict), since a
 * misspelt element would be silently dropped or rejected by a server.
 */
const coding = z.strictObject({ system: z.url().or(z.string().startsWith('urn:')).optional(), code: z.string().regex(/^[^\s]+( [^\s]+)*$/).optional(), display: z.string().optional() });
const codeableConcept = z.strictObject({ coding: z.array(coding).min(1).optional(), text: z.string().min(1).optional() }).refine((c) => c.coding || c.text, 'a CodeableConcept needs coding or text');
const identifier = z.strictObject({ system: z.string().min(1).optional(), value: z.string().min(1) });
const reference = z.strictObject({ reference: z.string().min(1).optional(), identifier: identifier.optional(), display: z.string().optional() }).refine((r) => r.reference || r.identifier || r.display, 'a Reference needs reference, identifier or display');
const dateTime = z.string().regex(/^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?)?)?$/);
const instant = z.iso.datetime({ offset: true });
const quantity = z.strictObject({ value: z.number(), unit: z.string().optional(), system: z.url().optional(), code: z.string().optional() }).refine((q) => !q.code || q.system, 'Quantity: a code needs a system (qty-3)');
const annotation = z.strictObject({ text: z.string().min(1) });
const id = z.string().regex(/^[A-Za-z0-9\-.]{1,64}$/);

export const fhirObservationR4 = z
  .strictObject({
    resourceType: z.literal('Observation'),
    id: id.optional(),
    identifier: z.array(identifier).optional(),
    status: z.enum(['registered', 'preliminary', 'final', 'amended', 'corrected', 'cancelled', 'entered-in-error', 'unknown']),
    category: z.array(codeableConcept).optional(),
    code: codeableConcept,
    subject: reference.optional(),
    effectiveDateTime: dateTime.optional(),
    issued: instant.optional(),
    valueQuantity: quantity.optional(),
    dataAbsentReason: codeableConcept.optional(),
    interpretation: z.array(codeableConcept).optional(),
    note: z.array(annotation).optional(),
    device: reference.optional(),
  })
  // obs-6: dataAbsentReason only when there is no value.
  .refine((o) => !(o.valueQuantity && o.dataAbsentReason), 'obs-6: dataAbsentReason SHALL only be present if value[x] is not present');

export const fhirDiagnosticReportR4 = z
  .strictObject({
    resourceType: z.literal('DiagnosticReport'),
    id: id.optional(),
    identifier: z.array(identifier).optional(),
    status: z.enum(['registered', 'partial', 'preliminary', 'final', 'amended', 'corrected', 'appended', 'cancelled', 'entered-in-error', 'unknown']),
    category: z.array(codeableConcept).optional(),
    code: codeableConcept,
    subject: reference.optional(),
    effectiveDateTime: dateTime.optional(),
    issued: instant.optional(),
    imagingStudy: z.array(reference).optional(),
    contained: z.array(fhirObservationR4).optional(),
    result: z.array(reference).optional(),
    conclusion: z.string().optional(),
    presentedForm: z.array(z.strictObject({ contentType: z.string().min(1), url: z.url().optional(), title: z.string().optional() })).optional(),
  })
  // Contained resources must be referenced from the container (dom-3), and each local reference must resolve.
  .superRefine((r, ctx) => {
    const ids = new Set((r.contained ?? []).map((c) => c.id));
    const local = (r.result ?? []).flatMap((x) => (x.reference?.startsWith('#') ? [x.reference.slice(1)] : []));
    for (const ref of local) if (!ids.has(ref)) ctx.addIssue({ code: 'custom', message: `result #${ref} is not a contained resource` });
    for (const c of r.contained ?? []) {
      if (!c.id) ctx.addIssue({ code: 'custom', message: 'a contained resource needs an id' });
      else if (!local.includes(c.id)) ctx.addIssue({ code: 'custom', message: `dom-3: contained ${c.id} is not referenced` });
    }
  });
