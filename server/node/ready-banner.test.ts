import { describe, expect, it } from 'vitest';
import { readyBanner } from './ready-banner';

const base = { role: 'all' as const, host: '0.0.0.0', port: 3000, dicomPort: 11112, aeTitle: 'ICHTRIAGE', generatedAdmin: undefined };

describe('readyBanner', () => {
  it('says where to open the dashboard (localhost when listening on every interface) and where modalities send', () => {
    expect(readyBanner(base)).toBe('\n  ICH triage is ready: open http://localhost:3000 in a browser.\n  Modalities send DICOM (C-STORE) to AE title ICHTRIAGE, port 11112.\n');
    expect(readyBanner({ ...base, host: '10.1.2.3', dicomPort: undefined })).toBe('\n  ICH triage is ready: open http://10.1.2.3:3000 in a browser.\n');
    expect(readyBanner({ ...base, host: 'fd00::5' })).toContain('http://[fd00::5]:3000');
  });

  it('on a first start says where the one-time password is, without repeating it', () => {
    const text = readyBanner({ ...base, generatedAdmin: 'admin' });
    expect(text).toContain('First start: sign in as "admin" with the one-time password printed above');
  });

  it('tells a worker node has no dashboard', () => {
    expect(readyBanner({ ...base, role: 'worker' })).toMatch(/worker is running.*no dashboard/);
    expect(readyBanner({ ...base, role: 'worker' })).not.toContain('Health and metrics');
    expect(readyBanner({ ...base, role: 'worker', workerHttpPort: 9464 })).toContain('Health and metrics: http://localhost:9464/api/health/ready and /metrics (admin token).');
  });
});
