import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { AirgapError } from './airgapError.ts';

/**
 * Release signing keys: ed25519 (node:crypto), PEM files — PKCS#8 private key (mode 0600), SPKI
 * public key. A key's id is the first 16 hex digits of the sha256 of its public key (DER), shown by
 * keygen, recorded in the manifest and named by verify, so people can tell keys apart.
 */
export interface KeyPairFiles {
  privateKey: string;
  publicKey: string;
  keyId: string;
}

export function keygen(privatePath: string, publicPath: string, force = false): KeyPairFiles {
  for (const path of [privatePath, publicPath]) {
    if (existsSync(path) && !force) throw new AirgapError('usage', `${path} already exists; choose another path or pass --force to replace the key`);
  }
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  writeFileSync(privatePath, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  chmodSync(privatePath, 0o600);
  writeFileSync(publicPath, publicKey.export({ type: 'spki', format: 'pem' }), { mode: 0o644 });
  return { privateKey: privatePath, publicKey: publicPath, keyId: keyId(publicKey) };
}

export function keyId(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16);
}

export function readPrivateKey(path: string): KeyObject {
  const key = readKey(path, (pem) => createPrivateKey(pem), 'an ed25519 private key (PEM) made by `portenctl airgap keygen`');
  if (key.asymmetricKeyType !== 'ed25519') throw new AirgapError('key_invalid', `${path} is a ${key.asymmetricKeyType} key, not ed25519; make one with \`portenctl airgap keygen\``);
  return key;
}

export function readPublicKey(path: string): KeyObject {
  const key = readKey(path, (pem) => createPublicKey(pem), 'the ed25519 public key (PEM) the release signer handed to this site');
  if (key.asymmetricKeyType !== 'ed25519') throw new AirgapError('key_invalid', `${path} is a ${key.asymmetricKeyType} key, not ed25519; pass the release's ed25519 public key`);
  return key;
}

function readKey(path: string, parse: (pem: string) => KeyObject, what: string): KeyObject {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (err) {
    throw new AirgapError('key_invalid', `cannot read the key ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); pass ${what}`);
  }
  try {
    return parse(pem);
  } catch {
    throw new AirgapError('key_invalid', `${path} is not ${what}`);
  }
}

export const publicOf = (privateKey: KeyObject): KeyObject => createPublicKey(privateKey);

/** The manifest.sig line: base64 of ed25519(manifest bytes). */
export function signManifest(manifestBytes: Buffer, privateKey: KeyObject): string {
  return `${sign(null, manifestBytes, privateKey).toString('base64')}\n`;
}

export function signatureValid(manifestBytes: Buffer, signatureText: string, publicKey: KeyObject): boolean {
  const sig = Buffer.from(signatureText.trim(), 'base64');
  if (sig.length !== 64) return false;
  return verify(null, manifestBytes, publicKey, sig);
}
