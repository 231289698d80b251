import { describe, expect, it } from 'vitest';
import { readSettings } from './config.ts';

describe('settings from the environment (README, "Configuration")', () => {
  it('decision 69: an API token is trusted 5 s unless API_TOKEN_TRUST_SECONDS says otherwise; 0 asks every call', () => {
    expect(readSettings({}).apiTokenTrustMs).toBe(5000);
    expect(readSettings({ API_TOKEN_TRUST_SECONDS: '0' }).apiTokenTrustMs).toBe(0);
    expect(readSettings({ API_TOKEN_TRUST_SECONDS: '1.5' }).apiTokenTrustMs).toBe(1500);
  });

  it('refuses a trust period that is not a number of seconds from 0 to 3600, naming the setting', () => {
    for (const given of ['soon', '-1', '3601']) {
      expect(() => readSettings({ API_TOKEN_TRUST_SECONDS: given })).toThrow(/API_TOKEN_TRUST_SECONDS/);
    }
  });
});
