import dcmjs from 'dcmjs';
import type { Code } from './sr-codes';

// dcmjs ships no types, and server/phantoms/dcmjs.d.ts declares only its data part: this is the
// slice of dcmjs.sr (0.52) the SR builder uses, typed here rather than widening a shared file.
type Item = Record<string, unknown>;
interface ItemOptions {
  name: unknown;
  relationshipType?: string;
}
interface DcmjsSr {
  coding: { CodedConcept: new (o: { value: string; schemeDesignator: string; meaning: string }) => unknown };
  valueTypes: {
    ContainerContentItem: new (o: ItemOptions) => Item;
    CodeContentItem: new (o: ItemOptions & { value: unknown }) => Item;
    TextContentItem: new (o: ItemOptions & { value: string }) => Item;
    UIDRefContentItem: new (o: ItemOptions & { value: string }) => Item;
    NumContentItem: new (o: ItemOptions & { value: number; unit: unknown }) => Item;
    ImageContentItem: new (o: ItemOptions & { referencedSOPClassUID: string; referencedSOPInstanceUID: string }) => Item;
  };
  templates: { AlgorithmIdentification: new (o: { name: string; version: string; parameters?: string[] }) => Item[] };
}

const sr = (dcmjs as unknown as { sr: DcmjsSr }).sr;

/** An SR content item with its children (dcmjs builds the item; the tree is ours). */
export type ContentItem = Item;

const concept = (c: Code) => new sr.coding.CodedConcept({ value: c.value, schemeDesignator: c.scheme, meaning: c.meaning });

/** Relationship types (PS3.3 C.17.3.2.4) as dcmjs spells them. */
export type Relationship = 'CONTAINS' | 'HAS OBS CONTEXT' | 'HAS CONCEPT MOD' | 'HAS PROPERTIES' | 'INFERRED FROM';

/** The SR value types the report uses, as dcmjs content items. */
export const item = {
  container(name: Code, relationshipType: Relationship | undefined, children: ContentItem[]): ContentItem {
    const c = new sr.valueTypes.ContainerContentItem({ name: concept(name), ...(relationshipType ? { relationshipType } : {}) });
    c.ContentSequence = children;
    return c;
  },
  code(name: Code, relationshipType: Relationship, value: Code, children?: ContentItem[]): ContentItem {
    const c = new sr.valueTypes.CodeContentItem({ name: concept(name), relationshipType, value: concept(value) });
    if (children?.length) c.ContentSequence = children;
    return c;
  },
  text(name: Code, relationshipType: Relationship, value: string): ContentItem {
    return new sr.valueTypes.TextContentItem({ name: concept(name), relationshipType, value });
  },
  uid(name: Code, relationshipType: Relationship, value: string): ContentItem {
    return new sr.valueTypes.UIDRefContentItem({ name: concept(name), relationshipType, value });
  },
  num(name: Code, relationshipType: Relationship, value: number, unit: Code, children?: ContentItem[]): ContentItem {
    const c = new sr.valueTypes.NumContentItem({ name: concept(name), relationshipType, value, unit: concept(unit) });
    if (children?.length) c.ContentSequence = children;
    return c;
  },
  image(name: Code, relationshipType: Relationship, sopClassUid: string, sopInstanceUid: string): ContentItem {
    return new sr.valueTypes.ImageContentItem({ name: concept(name), relationshipType, referencedSOPClassUID: sopClassUid, referencedSOPInstanceUID: sopInstanceUid });
  },
  /** TID 4019 Algorithm Identification: name and version as HAS CONCEPT MOD text items. */
  algorithm(name: string, version: string): ContentItem[] {
    return [...new sr.templates.AlgorithmIdentification({ name, version })];
  },
};
