import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KeyObject } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../core/config/config.module.js';
import type { AppConfig } from '../core/config/env.schema.js';
import { OB_V3P0_CONTEXT_URL, VC_V2_CONTEXT_URL, ledgerCredentialsContextUrl } from '../core/jsonld/context-urls.js';
import { createDocumentLoader } from '../core/jsonld/document-loader.js';
import { canonizeJsonLd } from '../core/jsonld/jsonld-processor.js';
import type { DocumentLoader, JsonObject, JsonValue } from '../core/jsonld/jsonld-processor.js';
import { privateKeyFromSeed, publicKeyRaw, seedFromPrivateKey } from '../ledger/checkpoint.rules.js';
import { CheckpointService } from '../ledger/checkpoint.service.js';
import {
  buildProofOptions,
  checkCredentialStructure,
  deriveCredentialSeed,
  didKeyOf,
  didKeyVerificationMethod,
  ed25519PublicKeyMultibase,
  hashForSigning,
  proofConfigDocument,
  signProofValue,
  verifyProofValue,
} from './data-integrity.rules.js';
import type { VerificationCheck } from './data-integrity.rules.js';

export interface VerificationResult {
  verified: boolean;
  checks: VerificationCheck[];
}

/** contexts/ sits at the repository root: two levels above this file in src/, three in dist/src/. */
function locateContextsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i += 1) {
    const candidate = join(dir, 'contexts');
    if (existsSync(join(candidate, 'credentials', 'v2.jsonld'))) return candidate;
    dir = dirname(dir);
  }
  throw new Error('contexts/ (the shipped JSON-LD contexts) was not found above the credentials module');
}

/**
 * Issues and verifies W3C Verifiable Credentials 2.0 secured with a Data Integrity proof, cryptosuite
 * eddsa-rdfc-2022 (W3C vc-di-eddsa §3.3). Canonicalization (RDFC-1.0) runs over the shipped contexts only, in
 * jsonld's safe mode: a term no context defines is an error rather than silently left unsigned. The issuer is the
 * did:key of the credential key, so a verifier needs nothing from this service to check a signature.
 */
@Injectable()
export class CredentialsService {
  private readonly key: KeyObject;
  private readonly publicKey: Buffer;
  private readonly loader: DocumentLoader;
  private readonly baseUrl: string;
  /** The @context of every credential issued here, VC 2.0 first. */
  readonly contexts: readonly string[];

  constructor(checkpoints: CheckpointService, @Inject(APP_CONFIG) config: AppConfig) {
    this.key = privateKeyFromSeed(deriveCredentialSeed(seedFromPrivateKey(checkpoints.signingKey)));
    this.publicKey = publicKeyRaw(this.key);
    this.baseUrl = config.PUBLIC_BASE_URL;
    this.loader = createDocumentLoader(locateContextsDir(), { publicBaseUrl: config.PUBLIC_BASE_URL });
    this.contexts = [VC_V2_CONTEXT_URL, OB_V3P0_CONTEXT_URL, ledgerCredentialsContextUrl(config.PUBLIC_BASE_URL)];
  }

  get issuerId(): string {
    return didKeyOf(this.publicKey);
  }

  get publicKeyMultibase(): string {
    return ed25519PublicKeyMultibase(this.publicKey);
  }

  /** Adds a DataIntegrityProof to an unsecured credential (its @context must be `contexts`). */
  async sign(unsecured: JsonObject, created: Date): Promise<JsonObject> {
    const options = buildProofOptions(didKeyVerificationMethod(this.publicKey), created);
    const hash = await this.hashData(unsecured, { ...options });
    return { ...unsecured, proof: { ...options, proofValue: signProofValue(this.key, hash) } };
  }

  /** Never throws: every failure is a failed check. */
  async verify(credential: unknown): Promise<VerificationResult> {
    const verdict = checkCredentialStructure(credential, this.contexts, [this.publicKey]);
    const checks = [...verdict.checks];
    if (verdict.document && verdict.proof && verdict.publicKeyRaw) {
      let hash: Buffer | null = null;
      try {
        hash = await this.hashData(verdict.document as JsonObject, verdict.proof);
        checks.push({ code: 'CANONICALIZATION_OK', status: 'pass', message: 'RDFC-1.0 over the shipped contexts' });
      } catch (error) {
        checks.push({
          code: 'CANONICALIZATION_OK',
          status: 'fail',
          message: `the credential cannot be canonicalized: ${error instanceof Error ? error.message : String(error)}`,
        });
      }
      if (hash !== null) {
        const valid = verifyProofValue(verdict.publicKeyRaw, hash, verdict.proof.proofValue as string);
        checks.push({
          code: 'SIGNATURE_VALID',
          status: valid ? 'pass' : 'fail',
          message: valid
            ? 'Ed25519 signature over the canonical proof options and document'
            : 'the signature does not match',
        });
      } else {
        checks.push({ code: 'SIGNATURE_VALID', status: 'skipped', message: 'nothing to check the signature against' });
      }
    } else {
      checks.push({
        code: 'SIGNATURE_VALID',
        status: 'skipped',
        message: 'the credential is not in a verifiable shape',
      });
    }
    return { verified: checks.every((c) => c.status === 'pass'), checks };
  }

  /** SHA-256(canonical proof config) ‖ SHA-256(canonical document), the 64 bytes that are signed. */
  private async hashData(document: JsonObject, proof: Record<string, unknown>): Promise<Buffer> {
    const config = proofConfigDocument(proof, document['@context']) as JsonValue;
    const [canonicalConfig, canonicalDocument] = await Promise.all([
      canonizeJsonLd(config, { documentLoader: this.loader, base: this.baseUrl }),
      canonizeJsonLd(document, { documentLoader: this.loader, base: this.baseUrl }),
    ]);
    return hashForSigning(canonicalConfig, canonicalDocument);
  }
}
