import type { Label } from '@/lib/labels';

/** A coded concept as dcmjs takes it (CodeValue, CodingSchemeDesignator, CodeMeaning). */
export interface Code {
  value: string;
  scheme: string;
  meaning: string;
}

const dcm = (value: string, meaning: string): Code => ({ value, scheme: 'DCM', meaning });
// Our own concepts: a private coding scheme (PS3.3 8.2: designators starting "99" are local). We
// did not map the findings to SNOMED CT here: a wrong clinical code is worse than a local one.
const local = (value: string, meaning: string): Code => ({ value, scheme: LOCAL_SCHEME, meaning });

/** The private coding scheme designator of this software's concepts. */
export const LOCAL_SCHEME = '99ICHTRIAGE';

export const CODES = {
  imagingMeasurementReport: dcm('126000', 'Imaging Measurement Report'),
  language: dcm('121049', 'Language of Content Item and Descendants'),
  englishUs: { value: 'en-US', scheme: 'RFC5646', meaning: 'English (United States)' },
  observerType: dcm('121005', 'Observer Type'),
  device: dcm('121007', 'Device'),
  deviceObserverUid: dcm('121012', 'Device Observer UID'),
  deviceObserverName: dcm('121013', 'Device Observer Name'),
  deviceObserverManufacturer: dcm('121014', 'Device Observer Manufacturer'),
  imageLibrary: dcm('111028', 'Image Library'),
  imagingMeasurements: dcm('126010', 'Imaging Measurements'),
  measurementGroup: dcm('125007', 'Measurement Group'),
  trackingIdentifier: dcm('112039', 'Tracking Identifier'),
  trackingUid: dcm('112040', 'Tracking Unique Identifier'),
  finding: dcm('121071', 'Finding'),
  comment: dcm('121106', 'Comment'),
  yes: { value: '373066001', scheme: 'SCT', meaning: 'Yes' },
  no: { value: '373067005', scheme: 'SCT', meaning: 'No' },
  noUnits: { value: '1', scheme: 'UCUM', meaning: 'no units' },
  probability: local('probability', 'Probability'),
  operatingPoint: local('operating-point', 'Operating point threshold'),
  operatingPointSource: local('operating-point-source', 'Operating point in force'),
  flagged: local('flagged', 'Flagged for urgent review'),
  suspected: local('suspected', 'Suspected'),
  keySlice: local('key-slice', 'Key slice'),
  resultStatus: local('result-reason', 'Reason for this result'),
} as const satisfies Record<string, Code>;

/** The finding each model label stands for. */
export const FINDING_CODES: Record<Label, Code> = {
  any: local('ICH', 'Intracranial hemorrhage'),
  epidural: local('EDH', 'Epidural hemorrhage'),
  intraparenchymal: local('IPH', 'Intraparenchymal hemorrhage'),
  intraventricular: local('IVH', 'Intraventricular hemorrhage'),
  subarachnoid: local('SAH', 'Subarachnoid hemorrhage'),
  subdural: local('SDH', 'Subdural hemorrhage'),
};
