import { describe, expect, it } from 'vitest';
import { suggestedSettings, validateSettings } from '../src/index.ts';

describe('validateSettings with a broken keyword list', () => {
  it('names only the broken keyword, not the reply variants of that list as second defaults', () => {
    const doc = { ...suggestedSettings(), consentCategories: ['sms'], dedicatedNumbers: ['12345'] };
    const result = validateSettings('p', { ...doc, keywords: [...doc.keywords, 'a'.repeat(21)] });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors.map((e) => [e.field, e.rule])).toEqual([['keywords[10]', 'keyword_too_long']]);
  });
});
