import { describe, expect, it } from 'vitest';
import { SecretBox, SecretUnreadableError } from './secret-box.ts';

describe('SecretBox', () => {
  it('opens what it sealed, and each sealing of the same secret differs', async () => {
    const box = await SecretBox.fromBase64Key(SecretBox.generateKey());
    const a = await box.seal('チャネルシークレット');
    const b = await box.seal('チャネルシークレット');
    expect(a).not.toBe(b);
    expect(await box.open(a)).toBe('チャネルシークレット');
    expect(await box.open(b)).toBe('チャネルシークレット');
  });

  it('refuses a tampered or foreign sealed form also after opening the genuine one', async () => {
    const box = await SecretBox.fromBase64Key(SecretBox.generateKey());
    const sealed = await box.seal('token-1');
    expect(await box.open(sealed)).toBe('token-1');
    const [version, iv, data] = sealed.split('.');
    const flipped = `${data!.slice(0, -2)}${data!.endsWith('AA') ? 'BA' : 'AA'}`;
    await expect(box.open(`${version}.${iv}.${flipped}`)).rejects.toThrow(SecretUnreadableError);
    await expect(box.open(`v2.${iv}.${data}`)).rejects.toThrow('not a sealed secret');
    const other = await SecretBox.fromBase64Key(SecretBox.generateKey());
    await expect(other.open(sealed)).rejects.toThrow(
      /cannot be opened with this KIZUNA_SECRET_KEY/,
    );
  });

  it('opens a rotated secret to its new value', async () => {
    const box = await SecretBox.fromBase64Key(SecretBox.generateKey());
    expect(await box.open(await box.seal('old'))).toBe('old');
    expect(await box.open(await box.seal('new'))).toBe('new');
  });
});
