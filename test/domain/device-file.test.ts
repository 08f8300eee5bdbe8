import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_FILE_NAME_LENGTH, deviceBlobPrefix, fileBlobKey, isPlainText, sanitiseFileName } from '../../src/domain/device-file.ts';

describe('sanitiseFileName', () => {
  it('keeps the last path segment only, for either slash', () => {
    assert.strictEqual(sanitiseFileName('../../etc/passwd'), 'passwd');
    assert.strictEqual(sanitiseFileName('C:\\Users\\x\\report.log'), 'report.log');
    assert.strictEqual(sanitiseFileName('/abs/path/'), 'file');
  });

  it('removes NUL, control, DEL, C1 and bidi/zero-width characters', () => {
    assert.strictEqual(sanitiseFileName('a\u0000b\u001fc\u007fd\u0085e.txt'), 'abcde.txt');
    assert.strictEqual(sanitiseFileName('invoice\u202Efdp.exe'), 'invoicefdp.exe');
    assert.strictEqual(sanitiseFileName('x\u200By\u2066z\u2069\uFEFF.png'), 'xyz.png');
    // A slash hidden behind a control character is still a slash.
    assert.strictEqual(sanitiseFileName('..\u0000/..\u0000/secret'), 'secret');
  });

  it('drops leading dots and spaces, trailing dots and spaces, and falls back when nothing is left', () => {
    assert.strictEqual(sanitiseFileName('..'), 'file');
    assert.strictEqual(sanitiseFileName(' .bashrc '), 'bashrc');
    assert.strictEqual(sanitiseFileName('name. . '), 'name');
    assert.strictEqual(sanitiseFileName('\u0000\u202E', 'image'), 'image');
  });

  it('keeps Unicode letters in NFC form and bounds the length, keeping the extension', () => {
    assert.strictEqual(sanitiseFileName('Ku\u0308che.log'), 'K\u00fcche.log');
    const long = sanitiseFileName(`${'ä'.repeat(500)}.log`);
    assert.strictEqual([...long].length, MAX_FILE_NAME_LENGTH);
    assert.ok(long.endsWith('ä.log'));
  });
});

describe('isPlainText', () => {
  it('accepts UTF-8 text with tabs, newlines and ANSI escapes', () => {
    assert.strictEqual(isPlainText(Buffer.from('a\tb\r\nc \u001b[31mred\u001b[0m Küche ✓\f')), true);
  });

  it('refuses NUL, other control bytes, DEL and invalid UTF-8', () => {
    assert.strictEqual(isPlainText(Buffer.from('a\u0000b')), false);
    assert.strictEqual(isPlainText(Buffer.from('a\u0007b')), false);
    assert.strictEqual(isPlainText(Buffer.from('a\u007fb')), false);
    assert.strictEqual(isPlainText(Buffer.from([0x61, 0xc3, 0x28])), false);
  });
});

describe('blob keys', () => {
  it('puts every file of a device under the device prefix', () => {
    assert.strictEqual(deviceBlobPrefix('cam-1'), 'devices/cam-1/');
    assert.strictEqual(fileBlobKey('cam-1', 'file-abc'), 'devices/cam-1/file-abc');
  });
});
