import { describe, expect, it } from 'vitest';
import { loadConfig } from '@/server/config/config';

describe('results configuration', () => {
  it('is off unless a target is set', () => {
    expect(loadConfig({}).results).toBeUndefined();
  });

  it('reads a C-STORE target, calling with our own AE title', () => {
    const c = loadConfig({ RESULTS_DICOM_TARGET: 'PACS@pacs.lan:104', DICOM_AE_TITLE: 'TRIAGE1' });
    expect(c.results).toEqual({ dimse: { calledAeTitle: 'PACS', host: 'pacs.lan', port: 104, callingAeTitle: 'TRIAGE1' }, stow: undefined, secondaryCapture: true });
  });

  it('reads a STOW-RS endpoint with its token', () => {
    const c = loadConfig({ RESULTS_STOW_URL: 'https://pacs.lan/dicom-web/studies', RESULTS_STOW_TOKEN: 's3cret' });
    expect(c.results).toEqual({ dimse: undefined, stow: { url: 'https://pacs.lan/dicom-web/studies', token: 's3cret' }, secondaryCapture: true });
  });

  it('sends the key-slice secondary capture unless turned off', () => {
    expect(loadConfig({ RESULTS_STOW_URL: 'https://pacs.lan/dicom-web/studies', RESULTS_SECONDARY_CAPTURE: 'off' }).results?.secondaryCapture).toBe(false);
    expect(() => loadConfig({ RESULTS_SECONDARY_CAPTURE: 'no' })).toThrow(/RESULTS_SECONDARY_CAPTURE/);
  });

  it('names each bad variable', () => {
    expect(() => loadConfig({ RESULTS_DICOM_TARGET: 'pacs.lan:104' })).toThrow(/RESULTS_DICOM_TARGET: .*AE@host:port/);
    expect(() => loadConfig({ RESULTS_STOW_URL: 'ftp://pacs.lan/x' })).toThrow(/RESULTS_STOW_URL: an http\(s\) URL/);
    expect(() => loadConfig({ RESULTS_STOW_TOKEN: 'x' })).toThrow(/RESULTS_STOW_TOKEN: set without RESULTS_STOW_URL/);
  });
});
